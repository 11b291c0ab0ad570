import type { TimerHandle } from '../../clock';
import { Call } from '../../calls/call';
import type { Resource } from '../../cmr/model';
import type { Selection } from '../../cmr/ringing-selection';
import type { Logger } from '../../observability/logger';
import type { Dialog } from '../dialog/dialog';
import { formatNameAddr } from '../message/name-addr';
import { SipHeaders } from '../message/sip-headers';
import type { SipRequest, SipResponse } from '../message/sip-message';
import { sdpOf } from '../sdp/sdp-body';
import { localOrigin, withOrigin, type SdpOrigin } from '../sdp/sdp-origin';
import type { IncomingInvite } from '../ua/incoming-invite';
import type { IncomingRequest } from '../ua/incoming-request';
import { resolveNextHop } from '../ua/next-hop';
import type { OutgoingInvite, InviteResult } from '../ua/outgoing-invite';
import type { B2buaContext } from './b2bua-context';
import { announcementUri } from './announcement-uri';
import { callParties, chargingId } from './call-parties';
import { copyHeaders, IN_DIALOG_POLICY, INVITE_POLICY, RESPONSE_POLICY } from './header-policy';
import { remainingRoutes } from './own-routes';

type MediaState = 'idle' | 'starting' | 'playing' | 'failed' | 'stopped';

/** The methods we take inside a call's dialogs, on either leg. */
const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, INFO, UPDATE';

/**
 * Hook for INFO and MESSAGE the caller sends in its dialog (the copy service). Returns true when it took
 * the request; otherwise the session answers it (before answer) or relays it to the called party (after).
 */
export type CallerRequestHandler = (request: IncomingRequest, call: Call, early: boolean) => boolean;

/**
 * One call through the B2BUA: the caller's A-leg, the called party's B-leg and, while B rings, a
 * media-server leg that plays the CMR resource to A as early media on A's own dialog (the gateway
 * model of 3GPP TS 24.182). On answer the media leg goes and A's media is re-targeted to B.
 */
export class CallSession {
  readonly call: Call;
  private readonly log: Logger;
  private b: OutgoingInvite | null = null;
  private ms: OutgoingInvite | null = null;
  private aDialog: Dialog | null = null;
  private bDialog: Dialog | null = null;
  private msDialog: Dialog | null = null;
  private noAnswer: TimerHandle | null = null;
  private selection: Promise<Selection | null> = Promise.resolve(null);
  private media: MediaState = 'idle';
  private pendingRinging: SipResponse | null = null;
  private mediaSdp: Buffer | null = null;
  /** B's answer, waiting for the caller's ACK before A's media moves to it. */
  private retargetTo: Buffer | null = null;
  private readonly origin: SdpOrigin;
  private sdpVersion = 0;
  private ended = false;

  constructor(
    private readonly a: IncomingInvite,
    private readonly ctx: B2buaContext,
    private readonly trusted: boolean,
    private readonly onCallerRequest: CallerRequestHandler,
  ) {
    const request = a.request;
    this.call = new Call({
      id: request.callId,
      parties: callParties(request, trusted),
      icid: chargingId(request),
      createdAt: ctx.clock.now(),
    });
    this.log = ctx.logger.child({ callId: request.callId });
    this.origin = localOrigin(ctx.ua.contactFor(request.source?.protocol ?? 'udp'), ctx.clock.now());
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** The caller's dialog (early or confirmed), to send it copy offers and confirmations. */
  get callerDialog(): Dialog | null {
    return this.aDialog;
  }

  /** Admits the call and places the B-leg; answers A itself when it cannot. */
  async start(): Promise<void> {
    const { registry, config } = this.ctx;
    if (!registry.add(this.call)) {
      this.log.warn('call refused: too many calls', { limit: config.b2bua.maxCalls });
      this.a.reject(503, { reason: 'Service Unavailable', headers: [['Retry-After', '5']] });
      this.ended = true;
      this.ctx.sessionEnded(this);
      return;
    }
    this.log.info('call started', {
      caller: this.call.parties.callerUri,
      called: this.call.parties.calledUri,
      icid: this.call.icid,
      trusted: this.trusted,
    });
    this.a.handlers = {
      onCancel: () => this.hangUp('caller cancelled'),
      onAck: () => void this.onCallerAck(),
      onAckTimeout: () => this.hangUp('no ACK from caller'),
    };
    const { called, caller } = this.call.parties;
    if (called && config.media.enabled) {
      this.selection = this.ctx.ringingMedia
        .select({ called, caller, callId: this.call.id, at: new Date(this.ctx.clock.now()) })
        .catch((err: unknown) => {
          this.log.warn('ringing media lookup failed: plain ringing', { error: String(err) });
          return null;
        });
    }
    try {
      const request = this.calleeInvite();
      const routes = request.headers.getAll('route');
      const nextHop = routes.length === 0 && config.b2bua.nextHop ? config.b2bua.nextHop : undefined;
      const target = await resolveNextHop(request, 'udp', nextHop);
      if (this.ended) return;
      // The callee answers to the Contact: it names the transport the B-leg really uses.
      request.headers.set('Contact', this.ctx.ua.contactFor(target.protocol));
      this.b = await this.ctx.ua.invite(request, target);
    } catch (err) {
      this.log.warn('cannot place the callee leg', { error: String(err) });
      if (!this.a.finalSent) this.a.reject(503, { reason: 'Service Unavailable' });
      this.finish('callee unreachable');
      return;
    }
    this.b.onProvisional = (response) => void this.onCalleeProvisional(response);
    void this.b.result.then((result) => this.onCalleeFinal(result));
    this.noAnswer = this.ctx.clock.setTimeout(() => this.onNoAnswer(), config.b2bua.noAnswerTimeoutMs);
  }

  /** The B-leg INVITE: same Request-URI and body, new Call-ID and tags, headers by policy. */
  private calleeInvite(): SipRequest {
    const a = this.a.request;
    const extra: [string, string][] = [];
    for (const route of remainingRoutes(a, this.ctx.ua)) extra.push(['Route', route]);
    const policy = this.trusted ? INVITE_POLICY : [...INVITE_POLICY, '-p-asserted-identity', '-p-preferred-identity'];
    const request = this.ctx.ua.createRequest({
      method: 'INVITE',
      uri: a.uri,
      from: formatNameAddr({ ...a.from, params: withoutTag(a.from.params) }),
      to: formatNameAddr({ ...a.to, params: withoutTag(a.to.params) }),
      headers: extra,
      body: a.body.length > 0 ? Buffer.from(a.body) : undefined,
      contentType: a.headers.get('content-type'),
    });
    copyHeaders(a.headers, request.headers, policy);
    // What we take in the B-leg's dialog: B may then UPDATE, INFO and MESSAGE through us.
    request.headers.set('Allow', ALLOW);
    const hops = Number(a.headers.get('max-forwards') ?? '70');
    request.headers.set('Max-Forwards', String(Math.max(0, hops - 1)));
    return request;
  }

  private async onCalleeProvisional(response: SipResponse): Promise<void> {
    if (this.ended || this.a.finalSent) return;
    if (response.status === 180 || response.status === 183) this.call.ringing();
    if (this.media === 'playing') return; // A hears the CMR resource, not B's ringing
    if (this.media === 'starting') {
      this.pendingRinging = response;
      return;
    }
    if (this.media === 'idle' && (response.status === 180 || response.status === 183)) {
      this.pendingRinging = response;
      const selection = await this.selection;
      const offer = sdpOf(this.a.request.headers.get('content-type'), this.a.request.body);
      if (selection && offer && this.media === 'idle' && !this.ended && !this.a.finalSent && !this.bDialog) {
        return this.startMedia(selection.resource, offer);
      }
      if (this.media !== 'idle' && this.media !== 'failed') return;
    }
    this.relayProvisional(response);
  }

  private relayProvisional(response: SipResponse): void {
    if (this.ended || this.a.finalSent) return;
    const headers: [string, string][] = [];
    const early = response.headers.get('p-early-media');
    if (early) headers.push(['P-Early-Media', early]);
    for (const f of response.headers.entries()) {
      if (RESPONSE_POLICY.includes(f.key)) headers.push([f.name, f.value]);
    }
    this.aDialog = this.a.progress(response.status, {
      reason: response.reason,
      headers,
      body: response.body.length > 0 ? Buffer.from(response.body) : undefined,
      contentType: response.headers.get('content-type'),
    });
    this.ctx.bind(this.aDialog, this);
  }

  /** Opens the media-server leg with A's offer; its answer goes to A as early media (183, P-Early-Media). */
  private async startMedia(resource: Resource, offer: Buffer): Promise<void> {
    this.media = 'starting';
    const media = this.ctx.config.media;
    try {
      const request = this.ctx.ua.createRequest({
        method: 'INVITE',
        uri: announcementUri(media.server, resource.mediaUri),
        from: `<sip:cmr-as@${this.origin.address}>`,
        to: `<${announcementUri(media.server, resource.mediaUri)}>`,
        body: Buffer.from(offer),
        contentType: 'application/sdp',
        headers: [['Subject', 'cmr ringing']],
      });
      this.ms = await this.ctx.ua.invite(request);
    } catch (err) {
      return this.mediaFailed(String(err));
    }
    const { response, dialog } = await this.ms.result;
    // Stopped while it was starting (B answered, or the call ended): a leg that still came up is hung up.
    if (this.mediaState() === 'stopped') {
      if (dialog) void this.ctx.ua.bye(dialog);
      return;
    }
    if (!dialog || response.status >= 300) return this.mediaFailed(`media server answered ${response.status}`);
    this.msDialog = dialog;
    this.ctx.bind(dialog, this);
    if (this.ended || this.a.finalSent || this.bDialog) {
      this.stopMedia();
      return;
    }
    this.mediaSdp = Buffer.from(response.body);
    this.sdpVersion++;
    this.aDialog = this.a.progress(183, {
      reason: 'Session Progress',
      body: withOrigin(this.mediaSdp, this.origin, this.sdpVersion),
      contentType: 'application/sdp',
      headers: [
        ['P-Early-Media', 'sendrecv'],
        ['Recv-Info', media.recvInfo.join(', ')],
        ['Allow', ALLOW],
      ],
    });
    this.ctx.bind(this.aDialog, this);
    this.media = 'playing';
    this.call.present(resource, this.ctx.clock.now());
    this.log.info('presenting', { resourceId: resource.id, title: resource.title });
  }

  /** Read through a method: TypeScript would keep the narrowing from before an await. */
  private mediaState(): MediaState {
    return this.media;
  }

  private mediaFailed(why: string): void {
    this.log.warn('media server leg failed: plain ringing', { why });
    this.media = 'failed';
    const pending = this.pendingRinging;
    this.pendingRinging = null;
    if (pending) this.relayProvisional(pending);
  }

  private stopMedia(at = this.ctx.clock.now()): void {
    if (this.media === 'playing' || this.media === 'starting') this.media = 'stopped';
    this.call.stopPresenting(at);
    const dialog = this.msDialog;
    this.msDialog = null;
    if (dialog) void this.ctx.ua.bye(dialog);
    else this.ms?.cancel();
  }

  private onCalleeFinal({ response, dialog }: InviteResult): void {
    this.clearNoAnswer();
    if (dialog && response.status < 300) {
      this.bDialog = dialog;
      this.ctx.bind(dialog, this);
      if (this.ended || this.a.finalSent) {
        void this.ctx.ua.bye(dialog);
        return;
      }
      this.answer(response);
      return;
    }
    const wasPlaying = this.media === 'playing';
    this.stopMedia();
    // A 2xx without a dialog is the callee's answer crossing our CANCEL: the UA already ACKed and hung it up.
    if (response.status < 300) return this.hangUp('callee answered after CANCEL');
    if (!this.a.finalSent) {
      const headers: [string, string][] = [];
      for (const f of response.headers.entries()) if (RESPONSE_POLICY.includes(f.key)) headers.push([f.name, f.value]);
      this.a.reject(response.status, { reason: response.reason, headers });
    }
    this.finish(`callee ${response.status}${wasPlaying ? ' after CMR ringing' : ''}`);
  }

  /** B answered: with CMR media playing, A is answered with the same media and then re-targeted to B. */
  private answer(response: SipResponse): void {
    const now = this.ctx.clock.now();
    const calleeSdp = Buffer.from(response.body);
    if (this.media === 'playing' && this.mediaSdp) {
      this.stopMedia(now);
      this.retargetTo = calleeSdp;
      this.aDialog = this.a.accept({
        body: withOrigin(this.mediaSdp, this.origin, this.sdpVersion),
        contentType: 'application/sdp',
      });
    } else {
      if (this.media === 'starting') this.stopMedia(now);
      this.aDialog = this.a.accept({
        body: calleeSdp.length > 0 ? calleeSdp : undefined,
        contentType: response.headers.get('content-type'),
      });
    }
    this.ctx.bind(this.aDialog, this);
    this.call.answered(now);
    this.log.info('call answered', { cmr: this.retargetTo !== null });
  }

  /** After A's ACK, A's media moves from the media server to B: UPDATE if A allows it, else re-INVITE. */
  private async onCallerAck(): Promise<void> {
    const sdp = this.retargetTo;
    const dialog = this.aDialog;
    if (!sdp || !dialog || this.ended) return;
    this.retargetTo = null;
    this.sdpVersion++;
    const body = withOrigin(sdp, this.origin, this.sdpVersion);
    const allow = this.a.request.headers.getAll('allow').map((m) => m.toUpperCase());
    const method = allow.includes('UPDATE') ? 'UPDATE' : 'INVITE';
    const opts = { body, contentType: 'application/sdp' };
    const response =
      method === 'UPDATE'
        ? await this.ctx.ua.requestInDialog(dialog, 'UPDATE', opts)
        : await this.ctx.ua.reinvite(dialog, opts);
    if (response.status >= 300) {
      this.log.warn('caller refused the media of the called party: ending the call', {
        method,
        status: response.status,
      });
      this.hangUp('re-target refused');
      return;
    }
    this.log.info('caller media re-targeted to the called party', { method });
  }

  private onNoAnswer(): void {
    this.noAnswer = null;
    if (this.ended || this.bDialog) return;
    this.log.info('no answer', { afterMs: this.ctx.config.b2bua.noAnswerTimeoutMs });
    if (!this.a.finalSent) this.a.reject(480, { reason: 'Temporarily Unavailable' });
    this.hangUp('no answer');
  }

  /** A request inside one of this call's dialogs. */
  onDialogRequest(incoming: IncomingRequest, dialog: Dialog): void {
    if (dialog === this.msDialog) return void incoming.respond(200);
    const other = dialog === this.aDialog ? this.bDialog : dialog === this.bDialog ? this.aDialog : null;
    if (dialog === this.aDialog && (incoming.method === 'INFO' || incoming.method === 'MESSAGE')) {
      if (this.onCallerRequest(incoming, this.call, !this.bDialog)) return;
    }
    if (dialog === this.aDialog && !this.bDialog) {
      return void incoming.respond(incoming.request.body.length > 0 ? 488 : 200);
    }
    if (!other || other.state !== 'confirmed') return void incoming.respond(491, { reason: 'Request Pending' });
    void this.relay(incoming, other);
  }

  /** Passes an in-dialog request to the other leg and its answer back (re-INVITE, UPDATE, INFO, MESSAGE). */
  private async relay(incoming: IncomingRequest, to: Dialog): Promise<void> {
    const request = incoming.request;
    const carried = new SipHeaders();
    copyHeaders(request.headers, carried, IN_DIALOG_POLICY);
    const extra = carried.entries().map((f): [string, string] => [f.name, f.value]);
    const opts = {
      body: request.body.length > 0 ? Buffer.from(request.body) : undefined,
      contentType: request.headers.get('content-type'),
      headers: extra,
    };
    const response =
      request.method === 'INVITE'
        ? await this.ctx.ua.reinvite(to, opts)
        : await this.ctx.ua.requestInDialog(to, request.method, opts);
    const answer = {
      reason: response.reason,
      body: response.body.length > 0 ? Buffer.from(response.body) : undefined,
      contentType: response.headers.get('content-type'),
    };
    if (request.method === 'INVITE' && response.status < 300) (incoming as IncomingInvite).accept(answer);
    else incoming.respond(response.status, answer);
  }

  /** One of this call's dialogs ended (a BYE from its peer, our BYE, an ACK timeout). */
  onDialogEnded(dialog: Dialog, why: string): void {
    this.ctx.unbind(dialog);
    if (dialog === this.msDialog) {
      this.msDialog = null;
      if (this.media === 'playing') {
        this.media = 'stopped';
        this.call.stopPresenting(this.ctx.clock.now());
        this.log.info('media server ended the ringing media', { why });
      }
      return;
    }
    // Our own BYE, or our own final answer ending A's early dialog: whoever did it is ending the call.
    if (why === 'local BYE' || why.startsWith('rejected ')) {
      if (dialog === this.aDialog) this.aDialog = null;
      return;
    }
    if (dialog === this.aDialog) {
      this.aDialog = null;
      this.hangUp(`caller ${why}`);
    } else if (dialog === this.bDialog) {
      this.bDialog = null;
      this.hangUp(`callee ${why}`);
    }
  }

  /** Ends every leg still up and the call itself. */
  hangUp(reason: string): void {
    if (this.ended) return;
    this.clearNoAnswer();
    this.stopMedia();
    if (this.bDialog) void this.ctx.ua.bye(this.bDialog);
    else this.b?.cancel();
    // RFC 3261 §15.1.2: a BYE on the early dialog (or our own give-up) still owes the INVITE a final answer.
    if (!this.a.finalSent) this.a.reject(487, { reason: 'Request Terminated' });
    if (this.aDialog && this.aDialog.state === 'confirmed') void this.ctx.ua.bye(this.aDialog);
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.clearNoAnswer();
    this.call.end(this.ctx.clock.now(), reason);
    this.ctx.registry.ended(this.call);
    this.ctx.sessionEnded(this);
    this.log.info('call ended', { reason });
  }

  private clearNoAnswer(): void {
    if (this.noAnswer) this.ctx.clock.clearTimeout(this.noAnswer);
    this.noAnswer = null;
  }
}

function withoutTag(params: ReadonlyMap<string, string | null>): Map<string, string | null> {
  const out = new Map(params);
  out.delete('tag');
  return out;
}

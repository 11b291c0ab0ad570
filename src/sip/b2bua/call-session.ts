import { Call } from '../../calls/call';
import type { Selection } from '../../cmr/ringing-selection';
import type { Logger } from '../../observability/logger';
import type { Dialog } from '../dialog/dialog';
import { detachedString } from '../message/flat-string';
import type { SipResponse } from '../message/sip-message';
import { sdpOf } from '../sdp/sdp-body';
import { sameMediaTarget } from '../sdp/media-target';
import type { IncomingInvite, InviteHandlers } from '../ua/incoming-invite';
import type { IncomingRequest } from '../ua/incoming-request';
import { literalNextHop, resolveNextHop } from '../ua/next-hop';
import type { InviteListener, InviteResult, OutgoingInvite } from '../ua/outgoing-invite';
import type { B2buaContext } from './b2bua-context';
import { AnnouncementPlayer, type MediaState } from './announcement-player';
import { CallerOffers } from './caller-offers';
import { callParties, chargingId } from './call-parties';
import { ALLOW, calleeInvite, relayInDialog } from './cross-leg';
import { relayedResponseHeaders } from './header-policy';

/**
 * Hook for INFO and MESSAGE the caller sends in its dialog (the copy service). Returns true when it took
 * the request; otherwise the session answers it (before answer) or relays it to the called party (after).
 */
export type CallerRequestHandler = (request: IncomingRequest, call: Call, early: boolean) => boolean;

const NO_SELECTION: Promise<Selection | null> = Promise.resolve(null);

/**
 * One call through the B2BUA: the caller's A-leg, the called party's B-leg and, while B rings, a
 * media-server leg that plays the CMR resource to A as early media on A's own dialog (the gateway
 * model of 3GPP TS 24.182). On answer the media leg goes and A's media is re-targeted to B.
 */
export class CallSession {
  readonly call: Call;
  private readonly log: Logger;
  private b: OutgoingInvite | null = null;
  private aDialog: Dialog | null = null;
  private bDialog: Dialog | null = null;
  /** The ringing media chosen for this call, until media starts (then it goes: it is read once). */
  private selection: Promise<Selection | null> = NO_SELECTION;
  private player: AnnouncementPlayer | null = null;
  private pendingRinging: SipResponse | null = null;
  /** The media-server SDP the caller has now (under our origin), while CMR media plays. */
  private mediaSdp: Buffer | null = null;
  /** Our 183 went reliably (RFC 3262): its offer/answer is complete, so the 2xx carries no SDP. */
  private earlyAnswerReliable = false;
  /** The call ended before the caller ACKed our 2xx: its BYE waits for the ACK (RFC 3261 §15). */
  private byeAfterAck = false;
  private calleeAllowsUpdate = false;
  /** B's answer, waiting for the caller's ACK before A's media moves to it. */
  private retargetTo: Buffer | null = null;
  private readonly offers: CallerOffers;
  private ended = false;

  constructor(
    private readonly a: IncomingInvite,
    /** The caller's Call-ID, in a string of its own. */
    callId: string,
    private readonly ctx: B2buaContext,
    private readonly trusted: boolean,
    private readonly onCallerRequest: CallerRequestHandler,
  ) {
    const request = a.request;
    // The call stays readable for a while after it ends (late copies, the API): in strings of its own,
    // not slices that would keep the caller's whole INVITE text that long.
    const parties = callParties(request, trusted);
    const icid = chargingId(request);
    this.call = new Call({
      id: callId,
      parties: {
        caller: parties.caller === null ? null : detachedString(parties.caller),
        called: parties.called === null ? null : detachedString(parties.called),
        callerUri: detachedString(parties.callerUri),
        calledUri: detachedString(parties.calledUri),
      },
      icid: icid === null ? null : detachedString(icid),
      createdAt: ctx.clock.now(),
    });
    this.log = ctx.logger.child({ callId });
    this.offers = new CallerOffers(a, ctx.ua, ctx.clock, this.log);
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
      this.ctx.refused('too-many-calls');
      this.call.end(this.ctx.clock.now(), 'refused: too many calls');
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
    this.a.handlers = new CallerInviteEvents(this);
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
      const request = calleeInvite(this.a.request, this.ctx.ua, this.trusted);
      const routes = request.headers.getAll('route');
      const nextHop = routes.length === 0 && config.b2bua.nextHop ? config.b2bua.nextHop : undefined;
      const target = literalNextHop(request, 'udp', nextHop) ?? (await resolveNextHop(request, 'udp', nextHop));
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
    this.b.listen(new CalleeInviteEvents(this));
    this.ctx.noAnswer.start(this);
  }

  /** A provisional from the callee (through CalleeInviteEvents). */
  async onCalleeProvisional(response: SipResponse): Promise<void> {
    if (this.ended || this.a.finalSent) return;
    if (response.status === 180 || response.status === 183) this.call.ringing();
    const media = this.mediaState();
    if (media === 'playing') return; // A hears the CMR resource, not B's ringing
    if (media === 'starting') {
      this.pendingRinging = response;
      return;
    }
    if (media === 'idle' && (response.status === 180 || response.status === 183)) {
      this.pendingRinging = response;
      const selection = await this.selection;
      const offer = sdpOf(this.a.request.headers.get('content-type'), this.a.request.body);
      const now = this.mediaState();
      if (selection && offer && now === 'idle' && !this.ended && !this.a.finalSent && !this.bDialog) {
        return this.startMedia(selection, offer);
      }
      if (now !== 'idle' && now !== 'failed') return;
    }
    this.relayProvisional(response);
  }

  private relayProvisional(response: SipResponse): void {
    if (this.ended || this.a.finalSent) return;
    const headers = relayedResponseHeaders(response);
    const early = response.headers.get('p-early-media');
    if (early) headers.unshift(['P-Early-Media', early]);
    this.aDialog = this.a.progress(response.status, {
      reason: response.reason,
      headers,
      body: response.body.length > 0 ? response.body : undefined,
      contentType: response.headers.get('content-type'),
    });
    this.ctx.bind(this.aDialog, this);
  }

  /**
   * Opens the media-server leg with A's offer; its answer goes to A as early media (183, P-Early-Media),
   * reliably when A supports 100rel. With several items to play and an UPDATE-capable caller, each next
   * item is moved in by UPDATE in the early dialog once A has PRACKed the 183 (RFC 3262, RFC 3311).
   */
  private async startMedia(selection: Selection, offer: Buffer): Promise<void> {
    this.selection = NO_SELECTION;
    const player = new AnnouncementPlayer({
      ctx: this.ctx,
      call: this.call,
      log: this.log,
      offer,
      address: this.offers.address,
      session: this,
    });
    this.player = player;
    const sdp = await player.start(selection.resource);
    if (!sdp) {
      if (player.state === 'failed') this.mediaFailed();
      return;
    }
    if (this.ended || this.a.finalSent || this.bDialog) {
      player.stop(this.ctx.clock.now());
      return;
    }
    // The body the caller gets is kept as the caller's SDP: a 2xx repeats it, not a second copy of it.
    const body = this.offers.describe(sdp);
    this.mediaSdp = body;
    this.earlyAnswerReliable = this.a.reliability !== 'none';
    this.aDialog = this.a.progress(183, {
      reason: 'Session Progress',
      reliable: true,
      body,
      contentType: 'application/sdp',
      headers: [
        ['P-Early-Media', 'sendrecv'],
        ['Recv-Info', this.ctx.recvInfo],
        ['Allow', ALLOW],
      ],
    });
    this.ctx.bind(this.aDialog, this);
    player.playing(selection.resource);
    this.pendingRinging = null; // the caller hears the CMR resource, not the callee's ringing
    if (selection.playOrder.length > 1) void this.advanceWhenAcknowledged(player, selection);
  }

  private async advanceWhenAcknowledged(player: AnnouncementPlayer, selection: Selection): Promise<void> {
    const update = this.offers.callerAllows('UPDATE');
    if (!this.earlyAnswerReliable || !update) {
      this.log.info('caller cannot take UPDATE in the early dialog: the first ringing item loops', {
        reliable: this.earlyAnswerReliable,
        update,
      });
      return;
    }
    if (await this.a.provisionalsAcknowledged()) player.advance(selection.playOrder, (sdp) => this.moveCaller(sdp));
  }

  /** UPDATE in A's early dialog onto a new media-server answer. */
  private async moveCaller(sdp: Buffer): Promise<boolean> {
    if (!this.aDialog || this.ended || this.a.finalSent || this.bDialog) return false;
    const response = await this.offers.offer(() => this.aDialog, 'UPDATE', sdp);
    if (!response || response.status >= 300) {
      this.log.warn('caller refused the next ringing item', { status: response?.status });
      return false;
    }
    this.mediaSdp = sdp;
    return true;
  }

  private mediaState(): MediaState | 'idle' {
    return this.player?.state ?? 'idle';
  }

  private mediaFailed(): void {
    this.log.warn('media server leg failed: plain ringing');
    const pending = this.pendingRinging;
    this.pendingRinging = null;
    if (pending) this.relayProvisional(pending);
  }

  private stopMedia(at = this.ctx.clock.now()): void {
    this.player?.stop(at);
  }

  /** The callee's final answer, or its absence (through CalleeInviteEvents). */
  onCalleeFinal({ response, dialog }: InviteResult): void {
    this.clearNoAnswer();
    // Nothing left to cancel: the B-leg INVITE and its answer need not live as long as the call.
    this.b = null;
    this.pendingRinging = null;
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
    const wasPlaying = this.mediaState() === 'playing';
    this.stopMedia();
    // A 2xx without a dialog is the callee's answer crossing our CANCEL: the UA already ACKed and hung it up.
    if (response.status < 300) return this.hangUp('callee answered after CANCEL');
    if (!this.a.finalSent) {
      this.a.reject(response.status, { reason: response.reason, headers: relayedResponseHeaders(response) });
    }
    this.finish(`callee ${response.status}${wasPlaying ? ' after CMR ringing' : ''}`);
  }

  /** B answered: with CMR media playing, A is answered with the same media and then re-targeted to B. */
  private answer(response: SipResponse): void {
    const now = this.ctx.clock.now();
    this.calleeAllowsUpdate = response.headers
      .getAll('allow')
      .some((v) => v.split(',').some((m) => m.trim().toUpperCase() === 'UPDATE'));
    const calleeSdp = response.body;
    if (this.mediaState() === 'playing' && this.mediaSdp) {
      this.stopMedia(now);
      this.retargetTo = calleeSdp;
      // After a reliable 183 the offer/answer is done: the 2xx repeats no SDP (RFC 3262, RFC 6337 §3.1).
      this.aDialog = this.a.accept(
        this.earlyAnswerReliable ? {} : { body: this.offers.repeat(this.mediaSdp), contentType: 'application/sdp' },
      );
    } else {
      if (this.mediaState() === 'starting') this.stopMedia(now);
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
  /** The caller's ACK for our 2xx came. */
  async onCallerAck(): Promise<void> {
    const sdp = this.retargetTo;
    const dialog = this.aDialog;
    if (this.byeAfterAck) {
      this.byeAfterAck = false;
      if (dialog) void this.ctx.ua.bye(dialog);
      return;
    }
    if (!sdp || !dialog || this.ended) return;
    this.retargetTo = null;
    // An UPDATE to the next ringing item may still be in flight: one offer at a time (RFC 3311 §5.1).
    await this.offers.settled();
    if (this.ended) return;
    const method = this.offers.callerAllows('UPDATE') ? 'UPDATE' : 'INVITE';
    const response = await this.offers.offer(() => this.aDialog, method, sdp);
    if (!response) return;
    if (response.status >= 300) {
      this.log.warn('caller refused the media of the called party: ending the call', {
        method,
        status: response.status,
      });
      this.hangUp('re-target refused');
      return;
    }
    this.log.info('caller media re-targeted to the called party', { method });
    const answer = sdpOf(response.headers.get('content-type'), response.body);
    if (answer && !sameMediaTarget(this.a.request.body, answer)) await this.followCaller(answer);
  }

  /** The caller answered the re-targeting from elsewhere than it first offered: the callee is told (RFC 3264 §8). */
  private async followCaller(sdp: Buffer): Promise<void> {
    const dialog = this.bDialog;
    if (!dialog || this.ended) return;
    const opts = { body: sdp, contentType: 'application/sdp' };
    const response = this.calleeAllowsUpdate
      ? await this.ctx.ua.requestInDialog(dialog, 'UPDATE', opts)
      : await this.ctx.ua.reinvite(dialog, opts);
    this.log.info("callee told the caller's new media", { status: response.status });
  }

  /** The callee rang `b2bua.noAnswerTimeoutMs` without answering. */
  noAnswerDue(): void {
    if (this.ended || this.bDialog) return;
    this.log.info('no answer', { afterMs: this.ctx.config.b2bua.noAnswerTimeoutMs });
    if (!this.a.finalSent) this.a.reject(480, { reason: 'Temporarily Unavailable' });
    this.hangUp('no answer');
  }

  /** A request inside one of this call's dialogs. */
  onDialogRequest(incoming: IncomingRequest, dialog: Dialog): void {
    if (this.player?.owns(dialog)) return void incoming.respond(200);
    const other = dialog === this.aDialog ? this.bDialog : dialog === this.bDialog ? this.aDialog : null;
    if (dialog === this.aDialog && (incoming.method === 'INFO' || incoming.method === 'MESSAGE')) {
      if (this.onCallerRequest(incoming, this.call, !this.bDialog)) return;
    }
    if (dialog === this.aDialog && !this.bDialog) {
      return void incoming.respond(incoming.request.body.length > 0 ? 488 : 200);
    }
    if (!other || other.state !== 'confirmed') return void incoming.respond(491, { reason: 'Request Pending' });
    const offer = incoming.method === 'INVITE' || incoming.method === 'UPDATE';
    if (offer && dialog === this.aDialog && this.offers.pending) {
      return void incoming.respond(491, { reason: 'Request Pending' });
    }
    void relayInDialog(this.ctx.ua, incoming, other);
  }

  /** One of this call's dialogs ended (a BYE from its peer, our BYE, an ACK timeout). */
  onDialogEnded(dialog: Dialog, why: string): void {
    this.ctx.unbind(dialog);
    if (this.player?.owns(dialog)) return this.player.legEnded(dialog, why);
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
    if (this.aDialog?.state === 'confirmed') {
      if (this.a.awaitingAck) this.byeAfterAck = true;
      else void this.ctx.ua.bye(this.aDialog);
    }
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
    this.ctx.noAnswer.stop(this);
  }
}

/** What the caller's INVITE reports to its session: one small object a call, not four closures. */
class CallerInviteEvents implements InviteHandlers {
  constructor(private readonly session: CallSession) {}

  onCancel(): void {
    this.session.hangUp('caller cancelled');
  }
  onAck(): void {
    void this.session.onCallerAck();
  }
  onAckTimeout(): void {
    this.session.hangUp('no ACK from caller');
  }
  onPrackTimeout(): void {
    this.session.hangUp('no PRACK from caller');
  }
}

/** What the B-leg INVITE reports to its session (see InviteListener). */
class CalleeInviteEvents implements InviteListener {
  constructor(private readonly session: CallSession) {}

  onProvisional(response: SipResponse): void {
    void this.session.onCalleeProvisional(response);
  }
  onFinal(result: InviteResult): void {
    this.session.onCalleeFinal(result);
  }
}

import type { Clock } from '../../clock';
import { asError } from '../../errors';
import type { Logger } from '../../observability/logger';
import type { SipMetrics } from '../../observability/metrics';
import type { Dialog } from '../dialog/dialog';
import { DialogTable } from '../dialog/dialog-table';
import { newCallId, newTag } from '../dialog/identifiers';
import { flatString } from '../message/flat-string';
import { createResponse } from '../message/response-factory';
import { SipHeaders } from '../message/sip-headers';
import { SipRequest, type SipResponse, type TransportProtocol } from '../message/sip-message';
import type { TransactionLayer } from '../transaction/transaction-layer';
import type { ClientTransaction, ServerTransaction, TransactionUser } from '../transaction/transaction-user';
import { ifListening, TRANSPORT_PROTOCOLS } from '../transport/if-listening';
import type { SendTarget, SipTransport } from '../transport/transport';
import { IncomingInvite } from './incoming-invite';
import { IncomingRequest } from './incoming-request';
import { literalNextHop, resolveNextHop } from './next-hop';
import { OutgoingInvite, type OutgoingInviteCore } from './outgoing-invite';
import { isSameSentBy, validateRequest, type ValidationPolicy } from './request-validation';
import { AckMemory } from './ack-memory';
import { MergedRequests } from './merged-requests';
import type { UaContext } from './ua-context';

/** What the application implements; each is optional (SIP.js-style typed delegates). */
export interface UserAgentDelegate {
  /** A new INVITE outside any dialog. Without a handler the UA answers 480. */
  onInvite?(invite: IncomingInvite): void;
  /** Any other request: outside a dialog (`dialog` null) or inside one (re-INVITE, UPDATE, INFO, MESSAGE...). */
  onRequest?(request: IncomingRequest, dialog: Dialog | null): void;
  /** A dialog ended: BYE from the peer, our BYE answered, a rejected early dialog, an ACK timeout. */
  onDialogEnded?(dialog: Dialog, why: string): void;
}

export interface UserAgentOptions {
  readonly transport: SipTransport;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timers: { readonly t1Ms: number; readonly t2Ms: number; readonly t4Ms: number };
  readonly userAgent: string;
  readonly delegate: UserAgentDelegate;
  readonly metrics?: SipMetrics;
  readonly allowedMethods?: readonly string[];
  readonly supportedExtensions?: readonly string[];
  /** Methods this UA passes on to another hop; Max-Forwards 0 on them gets 483. */
  readonly forwardedMethods?: readonly string[];
  /** Media types accepted per method; methods not listed accept none. */
  readonly acceptedBodies?: Readonly<Record<string, readonly string[]>>;
}

export interface NewRequestInit {
  readonly method: string;
  readonly uri: string;
  readonly from: string; // name-addr or URI; a tag is added
  readonly to: string;
  readonly callId?: string;
  readonly cseq?: number;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: Buffer;
  readonly contentType?: string;
  readonly protocol?: TransportProtocol;
}

const DEFAULT_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'MESSAGE', 'INFO', 'UPDATE', 'PRACK'];
const DEFAULT_BODIES: Readonly<Record<string, readonly string[]>> = {
  INVITE: ['application/sdp', 'multipart/mixed'],
  UPDATE: ['application/sdp'],
  PRACK: ['application/sdp'],
  MESSAGE: ['text/plain'],
  INFO: ['application/dtmf-relay', 'application/dtmf'],
};

/**
 * The UA core (RFC 3261 §8, §12-§15) over the transaction layer: validates requests, keeps dialogs,
 * answers OPTIONS, BYE and CANCEL, and gives the application typed request objects.
 */
export class SipUserAgent implements TransactionUser {
  readonly dialogs = new DialogTable();
  private transactions!: TransactionLayer;
  private readonly ctx: UaContext;
  private readonly policy: ValidationPolicy;
  private readonly allowed: readonly string[];
  private readonly supported: readonly string[];
  private readonly serverInvites = new Map<ServerTransaction, IncomingInvite>();
  private readonly invitesByDialog = new Map<Dialog, IncomingInvite>();
  private acks!: AckMemory;
  private readonly merged = new MergedRequests();
  private readonly contacts = new Map<TransportProtocol, { host: string; port: number; text: string }>();

  constructor(private readonly options: UserAgentOptions) {
    this.allowed = options.allowedMethods ?? DEFAULT_METHODS;
    this.supported = options.supportedExtensions ?? ['100rel'];
    const bodies = options.acceptedBodies ?? DEFAULT_BODIES;
    // Our sent-by per protocol we listen on, read once: the transport is bound before the UA is built.
    // The protocol counts: a TCP client may have the port number of our UDP sent-by when the ports differ.
    let ownSentBys: { protocol: string; host: string; port: number }[] | undefined;
    const own = () =>
      (ownSentBys ??= TRANSPORT_PROTOCOLS.flatMap((p) => {
        const sentBy = ifListening(() => options.transport.viaSentBy(p));
        return sentBy ? [{ protocol: p.toUpperCase(), ...sentBy }] : [];
      }));
    this.policy = {
      allowedMethods: this.allowed,
      forwardedMethods: new Set(options.forwardedMethods ?? ['INVITE']),
      supportedExtensions: new Set(this.supported.map((s) => s.toLowerCase())),
      acceptedBodies: (method) => bodies[method] ?? [],
      answerBodies: (method) => (method === 'INVITE' || method === 'UPDATE' ? ['application/sdp'] : []),
      isOwnVia: (sentBy, branch) => branch !== null && own().some((mine) => isSameSentBy(mine, sentBy)),
    };
    this.ctx = {
      transport: options.transport,
      clock: options.clock,
      logger: options.logger,
      timers: options.timers,
      userAgent: options.userAgent,
      metrics: options.metrics ?? null,
      dialogs: this.dialogs,
      contactFor: (protocol) => this.contactFor(protocol),
      dialogEnded: (dialog, why) => this.endDialog(dialog, why),
      dialogCreated: (invite, dialog) => void this.invitesByDialog.set(dialog, invite),
      // Only CANCEL looks an INVITE up by its transaction, and none reaches the TU after a final answer.
      inviteAnswered: (transaction) => void this.serverInvites.delete(transaction),
    };
  }

  /** What every outgoing INVITE asks of the UA: one object for all of them. */
  private readonly inviteCore: OutgoingInviteCore = {
    contactFor: (t) => this.contactFor(t.protocol),
    addDialog: (dialog) => this.dialogs.add(dialog),
    forgetDialog: (dialog) => this.dialogs.remove(dialog),
    sendAck: (dialog, invite, t) => this.acks.acknowledge(dialog, invite, t),
    resendAck: (response) => void this.acks.reacknowledge(response),
    sendCancel: (invite, transaction, t) => this.sendCancel(invite, transaction, t),
    hangUp: (dialog) => void this.bye(dialog),
  };

  /** The transaction layer is built with this UA as its user, then handed back here. */
  attach(transactions: TransactionLayer): void {
    this.transactions = transactions;
    this.acks = new AckMemory(
      this.options.clock,
      this.options.timers.t1Ms,
      {
        prepare: (ack, target) => transactions.prepareAck(ack, target),
        send: (data, target) => transactions.sendAck(data, target, this.ackFailed),
      },
      this.ackFailed,
    );
  }

  /** Our Contact for a transport: one string per transport, shared by every dialog that keeps it. */
  contactFor(protocol: TransportProtocol): string {
    const { host, port } = this.options.transport.viaSentBy(protocol);
    const known = this.contacts.get(protocol);
    if (known !== undefined && known.host === host && known.port === port) return known.text;
    // TLS is named by `;transport=tls` on a sip URI (as most IMS peers expect) rather than a sips URI.
    const text = flatString(`<sip:${host}:${port}${protocol === 'udp' ? '' : `;transport=${protocol}`}>`);
    this.contacts.set(protocol, { host, port, text });
    return text;
  }

  // --- TransactionUser -------------------------------------------------------------------------

  onRequest(request: SipRequest, transaction: ServerTransaction): void {
    const log = this.options.logger;
    this.options.metrics?.requestReceived(request.method);
    try {
      const rejection = validateRequest(request, this.policy);
      if (rejection) {
        transaction.respond(
          createResponse(request, rejection.status, rejection.reason, {
            toTag: newTag(),
            headers: rejection.headers?.map(([n, v]) => [n, v] as [string, string]),
          }),
        );
        return;
      }
      if (request.toTag !== null) return this.onDialogRequest(request, transaction);
      if (this.merged.isMerged(request, transaction)) {
        transaction.respond(createResponse(request, 482, 'Loop Detected', { toTag: newTag() }));
        return;
      }
      this.onInitialRequest(request, transaction);
    } catch (err) {
      log.error('request handling failed', { callId: safeCallId(request), method: request.method, error: String(err) });
      if (!transaction.finalSent)
        transaction.respond(createResponse(request, 500, 'Server Internal Error', { toTag: newTag() }));
    }
  }

  onAck(ack: SipRequest): void {
    this.options.metrics?.requestReceived('ACK');
    const dialog = this.dialogs.forRequest(ack);
    if (!dialog) return;
    const invite = this.invitesByDialog.get(dialog);
    if (invite?.awaitingAck) invite.acknowledged(ack);
  }

  onCancel(_cancel: SipRequest, invite: ServerTransaction): void {
    const incoming = this.serverInvites.get(invite);
    if (incoming) incoming.cancelled();
    else if (!invite.finalSent)
      invite.respond(createResponse(invite.request, 487, 'Request Terminated', { toTag: newTag() }));
  }

  onServerTransactionEnded(transaction: ServerTransaction): void {
    this.serverInvites.delete(transaction);
    this.merged.ended(transaction);
  }

  onStrayResponse(response: SipResponse): void {
    this.acks.reacknowledge(response);
  }

  // --- requests we receive ---------------------------------------------------------------------

  private onInitialRequest(request: SipRequest, transaction: ServerTransaction): void {
    const delegate = this.options.delegate;
    if (request.method === 'INVITE') {
      const invite = new IncomingInvite(request, transaction, this.ctx);
      this.serverInvites.set(transaction, invite);
      if (delegate.onInvite) delegate.onInvite(invite);
      else invite.reject(480, { reason: 'Temporarily Unavailable' });
      return;
    }
    const incoming = new IncomingRequest(request, transaction, this.ctx);
    if (request.method === 'OPTIONS') return void this.answerOptions(incoming);
    if (request.method === 'BYE' || request.method === 'UPDATE' || request.method === 'PRACK') {
      return void incoming.respond(481, { reason: 'Call/Transaction Does Not Exist' });
    }
    if (delegate.onRequest) delegate.onRequest(incoming, null);
    else incoming.respond(501, { reason: 'Not Implemented' });
  }

  private onDialogRequest(request: SipRequest, transaction: ServerTransaction): void {
    const dialog = this.dialogs.forRequest(request);
    const incoming =
      request.method === 'INVITE' && dialog
        ? new IncomingInvite(request, transaction, this.ctx, dialog)
        : new IncomingRequest(request, transaction, this.ctx);
    if (!dialog) return void incoming.respond(481, { reason: 'Call/Transaction Does Not Exist' });
    if (dialog.checkRemoteCSeq(request) === 'out-of-order') {
      return void incoming.respond(500, {
        reason: 'Server Internal Error (CSeq out of order)',
        headers: [['Retry-After', '1']],
      });
    }
    if (request.method === 'BYE') {
      incoming.respond(200);
      this.endDialog(dialog, 'remote BYE');
      return;
    }
    if (request.method === 'PRACK') {
      const invite = this.invitesByDialog.get(dialog);
      if (invite) invite.prack(incoming);
      else incoming.respond(481, { reason: 'Call/Transaction Does Not Exist' });
      return;
    }
    if (request.method === 'INVITE' || request.method === 'UPDATE') dialog.refreshTarget(request);
    if (this.options.delegate.onRequest) this.options.delegate.onRequest(incoming, dialog);
    else if (request.method === 'INVITE') incoming.respond(488, { reason: 'Not Acceptable Here' });
    else incoming.respond(200);
  }

  private answerOptions(incoming: IncomingRequest): void {
    const accept = [...new Set(Object.values(this.options.acceptedBodies ?? DEFAULT_BODIES).flat())];
    const headers: [string, string][] = [
      ['Allow', this.allowed.join(', ')],
      ['Accept', accept.join(', ')],
      ['Accept-Encoding', 'identity'],
      ['Accept-Language', 'en'],
    ];
    // RFC 3261 §11.2: Supported SHOULD be present, even when the list is empty.
    headers.push(['Supported', this.supported.join(', ')]);
    incoming.respond(200, { headers });
  }

  // --- requests we send ------------------------------------------------------------------------

  /** A new request outside a dialog, with a fresh From tag, Call-ID and CSeq unless given. */
  createRequest(init: NewRequestInit): SipRequest {
    const protocol = init.protocol ?? 'udp';
    const headers = new SipHeaders();
    const from = init.from.includes('<') ? init.from : `<${init.from}>`;
    const to = init.to.includes('<') ? init.to : `<${init.to}>`;
    headers.append('Max-Forwards', '70');
    headers.append('From', `${from};tag=${newTag()}`);
    headers.append('To', to);
    headers.append('Call-ID', init.callId ?? newCallId(this.options.transport.viaSentBy(protocol).host));
    headers.append('CSeq', `${init.cseq ?? 1} ${init.method}`);
    if (init.method === 'INVITE' || init.method === 'SUBSCRIBE') headers.append('Contact', this.contactFor(protocol));
    headers.append('User-Agent', this.options.userAgent);
    for (const [n, v] of init.headers ?? []) headers.append(n, v);
    if (init.contentType) headers.append('Content-Type', init.contentType);
    return new SipRequest({ method: init.method, uri: init.uri, headers, body: init.body });
  }

  /** Sends a non-INVITE request and resolves with its final response (408/503 made up on timeout or failure). */
  async request(request: SipRequest, target?: SendTarget): Promise<SipResponse> {
    const to = target ?? literalNextHop(request) ?? (await resolveNextHop(request));
    return new Promise((resolve) => {
      this.transactions.sendRequest(request, to, {
        onResponse: (response) => {
          if (response.status >= 200) resolve(response);
        },
        onTimeout: () => resolve(createResponse(request, 408, 'Request Timeout')),
        onTransportError: () => resolve(createResponse(request, 503, 'Service Unavailable')),
      });
    });
  }

  /** Sends an INVITE; the returned object reports provisionals and the final result, and can cancel. */
  async invite(request: SipRequest, target?: SendTarget): Promise<OutgoingInvite> {
    const to = target ?? literalNextHop(request) ?? (await resolveNextHop(request));
    const outgoing = new OutgoingInvite(request, to, this.inviteCore);
    outgoing.transaction = this.transactions.sendRequest(request, to, outgoing.handlers);
    return outgoing;
  }

  /** Sends a request inside a dialog (BYE, INFO, MESSAGE, UPDATE, re-INVITE) and waits for the final response. */
  async requestInDialog(
    dialog: Dialog,
    method: string,
    opts: { body?: Buffer; contentType?: string; headers?: ReadonlyArray<readonly [string, string]> } = {},
  ): Promise<SipResponse> {
    const request = dialog.createRequest(method, opts);
    for (const [n, v] of opts.headers ?? []) request.headers.append(n, v);
    return this.request(request, literalNextHop(request) ?? (await resolveNextHop(request)));
  }

  /** A re-INVITE in a confirmed dialog (RFC 3261 §14.1); its 2xx is ACKed inside the same dialog. */
  async reinvite(
    dialog: Dialog,
    opts: { body?: Buffer; contentType?: string; headers?: ReadonlyArray<readonly [string, string]> } = {},
  ): Promise<SipResponse> {
    const request = dialog.createRequest('INVITE', opts);
    for (const [n, v] of opts.headers ?? []) request.headers.append(n, v);
    const target = literalNextHop(request) ?? (await resolveNextHop(request));
    return new Promise((resolve) => {
      let ack: Buffer | null = null;
      this.transactions.sendRequest(request, target, {
        onResponse: (response) => {
          if (response.status < 200) return;
          if (response.status < 300) {
            // Every 2xx retransmission gets the same ACK again (RFC 3261 §13.2.2.4).
            if (!ack) {
              dialog.refreshTarget(response);
              try {
                ack = this.transactions.prepareAck(dialog.createRequest('ACK', { cseq: request.cseq.seq }), target);
              } catch (error) {
                this.ackFailed(asError(error));
              }
            }
            if (ack) this.transactions.sendAck(ack, target, this.ackFailed);
          }
          resolve(response);
        },
        onTimeout: () => resolve(createResponse(request, 408, 'Request Timeout')),
        onTransportError: () => resolve(createResponse(request, 503, 'Service Unavailable')),
      });
    });
  }

  /** Ends a dialog with BYE; the dialog is forgotten whatever the answer. */
  async bye(dialog: Dialog): Promise<SipResponse | null> {
    if (dialog.state === 'terminated') return null;
    const request = dialog.createRequest('BYE');
    this.endDialog(dialog, 'local BYE');
    try {
      return await this.request(request, literalNextHop(request) ?? (await resolveNextHop(request)));
    } catch (err) {
      this.options.logger.warn('BYE not sent', { callId: dialog.id.callId, error: String(err) });
      return null;
    }
  }

  private sendCancel(invite: SipRequest, transaction: ClientTransaction, target: SendTarget): void {
    const headers = new SipHeaders();
    for (const route of invite.headers.getAll('route')) headers.append('Route', route);
    headers.append('Max-Forwards', '70');
    headers.append('From', invite.headers.get('from') ?? '');
    headers.append('To', invite.headers.get('to') ?? '');
    headers.append('Call-ID', invite.callId);
    headers.append('CSeq', `${invite.cseq.seq} CANCEL`);
    const cancel = new SipRequest({ method: 'CANCEL', uri: invite.uri, headers });
    this.transactions.sendRequest(
      cancel,
      target,
      { onResponse: () => {}, onTimeout: () => {}, onTransportError: () => {} },
      { branch: transaction.branch },
    );
  }

  private endDialog(dialog: Dialog, why: string): void {
    if (dialog.state === 'terminated') return;
    const wasAckTimeout = why === 'ack timeout';
    dialog.state = 'terminated';
    this.dialogs.remove(dialog);
    this.invitesByDialog.get(dialog)?.dispose();
    this.invitesByDialog.delete(dialog);
    if (wasAckTimeout) {
      const bye = dialog.createRequest('BYE');
      this.send(
        resolveNextHop(bye).then((t) => this.request(bye, t)),
        'BYE after ACK timeout',
      );
    }
    this.options.delegate.onDialogEnded?.(dialog, why);
  }

  /** Forgets the ACKs it keeps for retransmitted 2xx (the stack is closing; nothing more is sent). */
  close(): void {
    this.acks?.clear();
  }

  get counts(): { dialogs: number; pendingInvites: number; requestsInProgress: number } {
    return {
      dialogs: this.dialogs.size,
      pendingInvites: this.serverInvites.size,
      requestsInProgress: this.merged.size,
    };
  }

  private send(p: Promise<unknown>, what: string): void {
    p.catch((err: unknown) => this.options.logger.warn(`${what} failed`, { error: String(err) }));
  }

  private readonly ackFailed = (error: Error): void => {
    this.options.logger.warn('ACK failed', { error: error.message });
  };
}

function safeCallId(request: SipRequest): string | undefined {
  return request.headers.get('call-id');
}

import { setTimeout as delay } from 'node:timers/promises';
import { FUZZ_SDP } from './sip-templates';
import type { WireEndpoint } from './wire-endpoint';
import type { WireMessage } from './wire-message';

/** A call that did not go as a well-behaved server makes it go: the fuzz run reports it as a finding. */
export class CallCheckError extends Error {
  override readonly name = 'CallCheckError';
}

export interface RawCallerInit {
  endpoint: WireEndpoint;
  /** The caller's E.164 number (From, and so the requester of a copy). */
  caller: string;
  /** The called CMR subscriber's E.164 number (Request-URI and To). */
  called: string;
  /** Unique per call: the Call-ID, tags and branches are made from it. */
  id: string;
  /** How long each step waits for the server. */
  timeoutMs?: number;
  /**
   * What to send for a request the server sends in the call (a copy notice MESSAGE); given the correct
   * 200 OK. Returning null sends nothing. By default the 200 OK.
   */
  answer?: (request: WireMessage, ok: Buffer) => Buffer | null;
  /** Sees every response the endpoint receives (the fuzz run tallies them). */
  onResponse?: (response: WireMessage) => void;
}

export interface DialogRequestOptions {
  /** null or absent: no Content-Type header. */
  contentType?: string | null;
  body?: Buffer;
  /** Extra header lines, e.g. `Info-Package: cmr-copy`. */
  headers?: string[];
}

interface Waiter {
  match: (m: WireMessage) => boolean;
  resolve: (m: WireMessage) => void;
}

/**
 * A caller written with raw bytes over one WireEndpoint: INVITE to the early dialog (the 183 of the CMR
 * ringing), requests in that dialog, CANCEL at the end. It answers the server's requests (the copy
 * notices) and ACKs every final non-2xx answer to its INVITE.
 */
export class RawCaller {
  readonly callId: string;
  readonly fromTag: string;
  private readonly inviteBranch: string;
  private toTag: string | null = null;
  private remoteTarget: string | null = null;
  private cseq = 1;
  private inviteFinal: WireMessage | null = null;
  private readonly waiters = new Set<Waiter>();
  /** The requests the server sent in this call, in order (the copy notices). */
  readonly received: WireMessage[] = [];

  constructor(private readonly init: RawCallerInit) {
    this.callId = `call-${init.id}@fuzz.invalid`;
    this.fromTag = `ft-${init.id}`;
    this.inviteBranch = `z9hG4bK-inv-${init.id}`;
    init.endpoint.onMessage = (m) => this.dispatch(m);
  }

  get endpoint(): WireEndpoint {
    return this.init.endpoint;
  }

  private get timeoutMs(): number {
    return this.init.timeoutMs ?? 5000;
  }

  private get local(): string {
    return `127.0.0.1:${this.endpoint.localPort}`;
  }

  private get from(): string {
    return `<sip:${this.init.caller}@${this.local}>;tag=${this.fromTag}`;
  }

  private get toUri(): string {
    return `sip:${this.init.called}@127.0.0.1:${this.endpoint.serverPort}`;
  }

  /** The RFC 4538 Target-Dialog value naming this call from the caller's side. */
  get targetDialog(): string {
    return `${this.callId};local-tag=${this.fromTag};remote-tag=${this.toTag ?? ''}`;
  }

  /** Sends the INVITE and waits for the early dialog (a provisional answer with a To tag). */
  async invite(): Promise<WireMessage> {
    const head = [
      `INVITE ${this.toUri} SIP/2.0`,
      this.via(this.inviteBranch),
      'Max-Forwards: 70',
      `From: ${this.from}`,
      `To: <${this.toUri}>`,
      `Call-ID: ${this.callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:${this.init.caller}@${this.local}${this.endpoint.uriParam}>`,
      'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, UPDATE',
      'Subject: fuzz-copy-call',
      'Content-Type: application/sdp',
    ];
    const early = this.expect(
      (m) => this.isFor(m, '1 INVITE') && ((m.status > 100 && m.tag('to') !== null) || m.status >= 200),
    );
    await this.endpoint.send(message(head, Buffer.from(FUZZ_SDP)));
    const answer = await early;
    if (answer.status >= 200)
      throw new CallCheckError(`INVITE answered ${answer.status} ${answer.reason}, not ringing`);
    this.toTag = answer.tag('to');
    this.remoteTarget = /<([^>]+)>/.exec(answer.header('contact') ?? '')?.[1] ?? null;
    if (!this.remoteTarget) throw new CallCheckError(`the ${answer.status} to the INVITE has no Contact`);
    return answer;
  }

  /** The bytes of the next request in the dialog (its CSeq taken). */
  dialogRequest(method: string, opts: DialogRequestOptions = {}): Buffer {
    if (!this.remoteTarget || !this.toTag) throw new CallCheckError('no early dialog yet');
    const cseq = ++this.cseq;
    const head = [
      `${method} ${this.remoteTarget} SIP/2.0`,
      this.via(`z9hG4bK-${this.init.id}-${cseq}`),
      'Max-Forwards: 70',
      `From: ${this.from}`,
      `To: <${this.toUri}>;tag=${this.toTag}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ${method}`,
      ...(opts.headers ?? []),
      ...(opts.contentType ? [`Content-Type: ${opts.contentType}`] : []),
    ];
    return message(head, opts.body ?? Buffer.alloc(0));
  }

  /** Sends a request in the dialog and waits for its final answer. */
  async request(method: string, opts: DialogRequestOptions = {}): Promise<WireMessage> {
    const data = this.dialogRequest(method, opts);
    const cseq = `${this.cseq} ${method}`;
    const final = this.expect((m) => this.isFor(m, cseq) && m.status >= 200);
    await this.endpoint.send(data);
    return final;
  }

  /** Waits for a request from the server in this call that `match`es (already received ones count). */
  async serverRequest(match: (m: WireMessage) => boolean): Promise<WireMessage> {
    const seen = this.received.find(match);
    if (seen) return seen;
    return this.expect((m) => m.isRequest && m.callId === this.callId && match(m));
  }

  /** CANCELs the ringing call and waits for the 487 (which it ACKs). */
  async cancel(): Promise<void> {
    const over = this.inviteFinal;
    if (over) throw new CallCheckError(`the call was over before its CANCEL: ${over.status} ${over.reason}`);
    const head = [
      `CANCEL ${this.toUri} SIP/2.0`,
      this.via(this.inviteBranch),
      'Max-Forwards: 70',
      `From: ${this.from}`,
      `To: <${this.toUri}>`,
      `Call-ID: ${this.callId}`,
      'CSeq: 1 CANCEL',
    ];
    const final = this.expect((m) => this.isFor(m, '1 INVITE') && m.status >= 200);
    await this.endpoint.send(message(head, Buffer.alloc(0)));
    const answer = await final;
    if (answer.status !== 487)
      throw new CallCheckError(`CANCEL: the INVITE ended ${answer.status} ${answer.reason}, not 487`);
  }

  /** Waits (bounded) for the first message that `match`es. */
  private async expect(match: (m: WireMessage) => boolean): Promise<WireMessage> {
    let waiter: Waiter | undefined;
    const arrived = new Promise<WireMessage>((resolve) => {
      waiter = { match, resolve };
      this.waiters.add(waiter);
    });
    const controller = new AbortController();
    try {
      const outcome = await Promise.race([
        arrived,
        delay(this.timeoutMs, null, { signal: controller.signal }).catch(() => null),
      ]);
      if (outcome === null)
        throw new CallCheckError(`no answer from the server within ${this.timeoutMs} ms (${this.callId})`);
      return outcome;
    } finally {
      controller.abort();
      if (waiter) this.waiters.delete(waiter);
    }
  }

  private dispatch(m: WireMessage): void {
    if (m.isRequest) {
      if (m.method === 'ACK') return;
      if (m.callId === this.callId) this.received.push(m);
      const ok = okFor(m);
      const reply = this.init.answer ? this.init.answer(m, ok) : ok;
      if (reply) void this.endpoint.send(reply);
    } else {
      this.init.onResponse?.(m);
      if (this.isFor(m, '1 INVITE') && m.status >= 300) {
        this.inviteFinal = m;
        void this.endpoint.send(this.ackFor(m));
      }
    }
    for (const w of this.waiters) if (w.match(m)) w.resolve(m);
  }

  private isFor(m: WireMessage, cseq: string): boolean {
    return !m.isRequest && m.callId === this.callId && m.cseq.replace(/\s+/g, ' ') === cseq;
  }

  private ackFor(final: WireMessage): Buffer {
    const head = [
      `ACK ${this.toUri} SIP/2.0`,
      this.via(this.inviteBranch),
      'Max-Forwards: 70',
      `From: ${this.from}`,
      `To: ${final.header('to') ?? `<${this.toUri}>`}`,
      `Call-ID: ${this.callId}`,
      'CSeq: 1 ACK',
    ];
    return message(head, Buffer.alloc(0));
  }

  private via(branch: string): string {
    return `Via: SIP/2.0/${this.endpoint.viaTransport} ${this.local};branch=${branch};rport`;
  }
}

/** The 200 OK a well-behaved UA sends for `request`. */
export function okFor(request: WireMessage): Buffer {
  const head = [
    'SIP/2.0 200 OK',
    ...request.headers('via').map((v) => `Via: ${v}`),
    `From: ${request.header('from') ?? ''}`,
    `To: ${request.header('to') ?? ''}`,
    `Call-ID: ${request.callId}`,
    `CSeq: ${request.cseq}`,
  ];
  return message(head, Buffer.alloc(0));
}

/** Head lines and a body as one message, Content-Length true to the body. */
export function message(head: readonly string[], body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
}

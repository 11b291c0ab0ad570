import { parseCSeq, type CSeq } from './cseq';
import { parseNameAddr, type NameAddr } from './name-addr';
import { SipHeaders } from './sip-headers';
import { SipParseError } from './sip-parse-error';
import { parseVia, type Via } from './via';
import { parseUri, type SipUri } from './sip-uri';

export type TransportProtocol = 'udp' | 'tcp' | 'tls';

/** Where a received message came from, filled in by the transport layer. */
export interface MessageSource {
  readonly protocol: TransportProtocol;
  readonly address: string; // IP as Node reports it (IPv6 without brackets)
  readonly port: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** For connection-oriented transports, the connection to answer on (RFC 3261 §18.2.2). */
  readonly connectionId?: string;
}

abstract class SipMessageBase {
  readonly headers: SipHeaders;
  body: Buffer;
  /** Set on received messages only. */
  source?: MessageSource;
  private cache = new Map<string, unknown>();
  private cacheVersion = -1;

  protected constructor(headers: SipHeaders, body: Buffer) {
    this.headers = headers;
    this.body = body;
  }

  /** A parsed view of a header, recomputed only when the headers change. */
  protected cached<T>(key: string, compute: () => T): T {
    if (this.cacheVersion !== this.headers.version) {
      this.cache.clear();
      this.cacheVersion = this.headers.version;
    }
    const hit = this.cache.get(key);
    if (hit !== undefined || this.cache.has(key)) return hit as T;
    const value = compute();
    this.cache.set(key, value);
    return value;
  }

  private required(name: string): string {
    const v = this.headers.get(name);
    if (v === undefined) throw new MissingHeaderError(name);
    return v;
  }

  get callId(): string {
    return this.cached('call-id', () => this.required('call-id').trim());
  }

  get cseq(): CSeq {
    return this.cached('cseq', () => parseCSeq(this.required('cseq')));
  }

  get from(): NameAddr {
    return this.cached('from', () => parseNameAddr(this.required('from')));
  }

  get to(): NameAddr {
    return this.cached('to', () => parseNameAddr(this.required('to')));
  }

  get fromTag(): string | null {
    return this.from.params.get('tag') ?? null;
  }

  get toTag(): string | null {
    return this.to.params.get('tag') ?? null;
  }

  /** All Via values, top first. */
  get vias(): readonly Via[] {
    return this.cached('via', () => this.headers.getAll('via').map(parseVia));
  }

  get topVia(): Via {
    const v = this.vias[0];
    if (!v) throw new MissingHeaderError('via');
    return v;
  }

  /** The top Via's branch, or null (RFC 2543 peers send none). */
  get branch(): string | null {
    return this.topVia.params.get('branch') ?? null;
  }

  get contacts(): readonly NameAddr[] {
    return this.cached('contact', () =>
      this.headers
        .getAll('contact')
        .filter((c) => c.trim() !== '*')
        .map(parseNameAddr),
    );
  }

  get recordRoutes(): readonly NameAddr[] {
    return this.cached('record-route', () => this.headers.getAll('record-route').map(parseNameAddr));
  }

  get routes(): readonly NameAddr[] {
    return this.cached('route', () => this.headers.getAll('route').map(parseNameAddr));
  }

  /** Media type of the body, lower-case, without parameters; null when there is no Content-Type. */
  get contentType(): string | null {
    return this.cached('content-type', () => {
      const v = this.headers.get('content-type');
      return v === undefined ? null : (v.split(';')[0] ?? '').trim().toLowerCase();
    });
  }

  abstract isRequest(): this is SipRequest;
}

export class MissingHeaderError extends SipParseError {
  constructor(readonly header: string) {
    super(`missing ${header} header`);
  }
}

export class SipRequest extends SipMessageBase {
  method: string;
  /** The Request-URI as written. */
  uri: string;

  constructor(init: { method: string; uri: string; headers?: SipHeaders; body?: Buffer }) {
    super(init.headers ?? new SipHeaders(), init.body ?? EMPTY);
    this.method = init.method;
    this.uri = init.uri;
  }

  get requestUri(): SipUri {
    return this.cached(`ruri:${this.uri}`, () => parseUri(this.uri));
  }

  override isRequest(): this is SipRequest {
    return true;
  }
}

export class SipResponse extends SipMessageBase {
  status: number;
  reason: string;

  constructor(init: { status: number; reason: string; headers?: SipHeaders; body?: Buffer }) {
    super(init.headers ?? new SipHeaders(), init.body ?? EMPTY);
    this.status = init.status;
    this.reason = init.reason;
  }

  override isRequest(): this is SipRequest {
    return false;
  }
}

export type SipMessage = SipRequest | SipResponse;

const EMPTY = Buffer.alloc(0);

import { commonNameAddrParam, commonViaParam } from './common-form-params';
import { parseCSeq, type CSeq } from './cseq';
import { firstListElement } from './header-list';
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

/**
 * Parsed views of headers, filled on first use. Plain fields rather than a Map: a Map costs about
 * 300 bytes a message.
 */
class Views {
  callId: string | undefined = undefined;
  cseq: CSeq | undefined = undefined;
  from: NameAddr | undefined = undefined;
  to: NameAddr | undefined = undefined;
  vias: readonly Via[] | undefined = undefined;
  topVia: Via | undefined = undefined;
  branch: string | null | undefined = undefined;
  fromTag: string | null | undefined = undefined;
  toTag: string | null | undefined = undefined;
  contacts: readonly NameAddr[] | undefined = undefined;
  recordRoutes: readonly NameAddr[] | undefined = undefined;
  routes: readonly NameAddr[] | undefined = undefined;
  contentType: string | null | undefined = undefined;
  requestUriText: string | undefined = undefined;
  requestUri: SipUri | undefined = undefined;

  constructor(readonly version: number) {}
}

abstract class SipMessageBase {
  readonly headers: SipHeaders;
  body: Buffer;
  /** Set on received messages only. */
  source?: MessageSource;
  private viewCache: Views | null = null;

  protected constructor(headers: SipHeaders, body: Buffer) {
    this.headers = headers;
    this.body = body;
  }

  /** The parsed views, emptied whenever the headers changed since they were read. */
  protected views(): Views {
    const version = this.headers.version;
    let views = this.viewCache;
    if (views === null || views.version !== version) views = this.viewCache = new Views(version);
    return views;
  }

  /**
   * Forgets the parsed views (about 1 KB a message); the next read parses again. The transaction
   * layer calls it once a message has been handled: a dialog or transaction may keep the message for
   * the whole call, but its views are read while it is handled.
   */
  releaseViews(): void {
    this.viewCache = null;
  }

  private required(key: string): string {
    const v = this.headers.getByKey(key);
    if (v === undefined) throw new MissingHeaderError(key);
    return v;
  }

  get callId(): string {
    const views = this.views();
    return (views.callId ??= this.required('call-id').trim());
  }

  get cseq(): CSeq {
    const views = this.views();
    return (views.cseq ??= parseCSeq(this.required('cseq')));
  }

  get from(): NameAddr {
    const views = this.views();
    return (views.from ??= parseNameAddr(this.required('from')));
  }

  get to(): NameAddr {
    const views = this.views();
    return (views.to ??= parseNameAddr(this.required('to')));
  }

  get fromTag(): string | null {
    const views = this.views();
    if (views.fromTag !== undefined) return views.fromTag;
    const quick = views.from === undefined ? commonNameAddrParam(this.required('from'), 'tag') : undefined;
    return (views.fromTag = quick !== undefined ? quick : (this.from.params.get('tag') ?? null));
  }

  get toTag(): string | null {
    const views = this.views();
    if (views.toTag !== undefined) return views.toTag;
    const quick = views.to === undefined ? commonNameAddrParam(this.required('to'), 'tag') : undefined;
    return (views.toTag = quick !== undefined ? quick : (this.to.params.get('tag') ?? null));
  }

  /** All Via values, top first. */
  get vias(): readonly Via[] {
    const views = this.views();
    if (views.vias !== undefined) return views.vias;
    const top = views.topVia;
    const values = this.headers.getAll('via');
    return (views.vias = values.map((v, i) => (i === 0 && top !== undefined ? top : parseVia(v))));
  }

  /** The top Via, parsed alone: a transaction reads it (its branch) far more often than the others. */
  get topVia(): Via {
    const views = this.views();
    if (views.vias !== undefined) {
      const v = views.vias[0];
      if (!v) throw new MissingHeaderError('via');
      return v;
    }
    if (views.topVia !== undefined) return views.topVia;
    const value = this.firstViaValue();
    if (value === undefined) throw new MissingHeaderError('via');
    return (views.topVia = parseVia(value));
  }

  /** The first element of the first Via field that has one (getAll('via')[0], without the others). */
  private firstViaValue(): string | undefined {
    const headers = this.headers;
    for (let i = 0; i < headers.size; i++) {
      if (headers.keyAt(i) !== 'via') continue;
      const first = firstListElement(headers.valueAt(i));
      if (first !== undefined) return first;
    }
    return undefined;
  }

  /** The top Via's branch, or null (RFC 2543 peers send none). */
  get branch(): string | null {
    const views = this.views();
    if (views.branch !== undefined) return views.branch;
    let quick: string | null | undefined;
    if (views.vias === undefined && views.topVia === undefined) {
      const value = this.firstViaValue();
      if (value !== undefined) quick = commonViaParam(value, 'branch');
    }
    return (views.branch = quick !== undefined ? quick : (this.topVia.params.get('branch') ?? null));
  }

  get contacts(): readonly NameAddr[] {
    const views = this.views();
    return (views.contacts ??= this.headers
      .getAll('contact')
      .filter((c) => c.trim() !== '*')
      .map(parseNameAddr));
  }

  get recordRoutes(): readonly NameAddr[] {
    const views = this.views();
    return (views.recordRoutes ??= this.headers.getAll('record-route').map(parseNameAddr));
  }

  get routes(): readonly NameAddr[] {
    const views = this.views();
    return (views.routes ??= this.headers.getAll('route').map(parseNameAddr));
  }

  /** Media type of the body, lower-case, without parameters; null when there is no Content-Type. */
  get contentType(): string | null {
    const views = this.views();
    if (views.contentType !== undefined) return views.contentType;
    const v = this.headers.getByKey('content-type');
    return (views.contentType = v === undefined ? null : (v.split(';')[0] ?? '').trim().toLowerCase());
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
    const views = this.views();
    if (views.requestUri === undefined || views.requestUriText !== this.uri) {
      views.requestUri = parseUri(this.uri);
      views.requestUriText = this.uri;
    }
    return views.requestUri;
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

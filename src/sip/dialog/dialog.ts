import { detachedString, flatString } from '../message/flat-string';
import { formatNameAddr, parseNameAddr, type NameAddr } from '../message/name-addr';
import { SipHeaders } from '../message/sip-headers';
import { formatUri } from '../message/sip-uri';
import { SipRequest, type SipResponse } from '../message/sip-message';

export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

export type DialogState = 'early' | 'confirmed' | 'terminated';

export function dialogKey(id: DialogId): string {
  return `${id.callId}\u0000${id.localTag}\u0000${id.remoteTag}`;
}

export interface DialogInit {
  readonly id: DialogId;
  readonly role: 'uac' | 'uas';
  readonly state: DialogState;
  readonly localSeq: number;
  readonly remoteSeq: number | null;
  readonly local: NameAddr;
  readonly remote: NameAddr;
  readonly remoteTarget: string;
  readonly routeSet: readonly string[];
  readonly secure: boolean;
  readonly localContact: string;
}

/** Outcome of checking an in-dialog request's CSeq (RFC 3261 §12.2.2). */
export type RemoteCSeqCheck = 'ok' | 'out-of-order';

/** The route set of most dialogs: shared, not an empty array per dialog. */
const NO_ROUTES: readonly string[] = Object.freeze([]);

/**
 * The state one UA keeps for one dialog (RFC 3261 §12): identifiers, sequence numbers, the route
 * set and the remote target. Knows how to build in-dialog requests; knows nothing of transport.
 * A call keeps three for its whole life, so a dialog is its own id and keeps only flat strings of
 * its own (no slice or tree of pieces that would keep a message head alive).
 */
export class Dialog implements DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly role: 'uac' | 'uas';
  state: DialogState;
  localSeq: number;
  remoteSeq: number | null;
  /**
   * Our and the peer's From/To, kept as the text that goes on the wire rather than parsed: in-dialog
   * requests only ever write these out.
   */
  readonly localText: string;
  private readonly remoteText: string;
  remoteTarget: string;
  routeSet: readonly string[];
  readonly secure: boolean;
  readonly localContact: string;
  /**
   * The application's object for this dialog (a B2BUA's call session), as JAIN SIP's application data:
   * a server holding three dialogs a call needs no second table to find it.
   */
  owner: object | null = null;

  constructor(init: DialogInit) {
    // Tags and Call-ID are sliced from message heads: copies, so the dialog does not keep those heads.
    this.callId = detachedString(init.id.callId);
    this.localTag = detachedString(init.id.localTag);
    this.remoteTag = detachedString(init.id.remoteTag);
    this.role = init.role;
    this.state = init.state;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.localText = flatString(formatNameAddr(init.local));
    this.remoteText = flatString(formatNameAddr(init.remote));
    this.remoteTarget = flatString(init.remoteTarget);
    this.routeSet = ownRoutes(init.routeSet);
    this.secure = init.secure;
    this.localContact = flatString(init.localContact);
  }

  /** `dialogKey(id)`, made when asked for: the dialog table files dialogs by Call-ID without it. */
  get key(): string {
    return dialogKey(this);
  }

  /** The dialog's identifiers (RFC 3261 §12): the dialog itself. */
  get id(): DialogId {
    return this;
  }

  /** Our side's name-addr with our tag (the From of our requests). */
  get local(): NameAddr {
    return parseNameAddr(this.localText);
  }

  /** The peer's name-addr with its tag (the To of our requests). */
  get remote(): NameAddr {
    return parseNameAddr(this.remoteText);
  }

  /** RFC 3261 §12.1.1: the UAS side, from the request and the 1xx/2xx we send with our To tag. */
  static asUas(request: SipRequest, localTag: string, localContact: string): Dialog {
    const remoteTag = request.fromTag ?? '';
    const contact = request.contacts[0];
    return new Dialog({
      id: { callId: request.callId, localTag, remoteTag },
      role: 'uas',
      state: 'early',
      localSeq: 0,
      remoteSeq: request.cseq.seq,
      local: withTag(request.to, localTag),
      remote: request.from,
      remoteTarget: contact ? uriText(contact) : request.uri,
      routeSet: request.headers.getAll('record-route'),
      secure: request.requestUri.scheme === 'sips',
      localContact,
    });
  }

  /** RFC 3261 §12.1.2: the UAC side, from our request and a 1xx/2xx carrying a To tag. */
  static asUac(request: SipRequest, response: SipResponse, localContact: string): Dialog {
    const contact = response.contacts[0];
    return new Dialog({
      id: { callId: request.callId, localTag: request.fromTag ?? '', remoteTag: response.toTag ?? '' },
      role: 'uac',
      state: response.status >= 200 ? 'confirmed' : 'early',
      localSeq: request.cseq.seq,
      remoteSeq: null,
      local: request.from,
      remote: response.to,
      remoteTarget: contact ? uriText(contact) : request.uri,
      routeSet: response.headers.getAll('record-route').reverse(),
      secure: request.requestUri.scheme === 'sips',
      localContact,
    });
  }

  /** RFC 3261 §12.2.2: lower CSeq than the last one is out of order (answered 500). ACK and CANCEL are exempt. */
  checkRemoteCSeq(request: SipRequest): RemoteCSeqCheck {
    if (request.method === 'ACK' || request.method === 'CANCEL') return 'ok';
    const seq = request.cseq.seq;
    if (this.remoteSeq !== null && seq <= this.remoteSeq) return 'out-of-order';
    this.remoteSeq = seq;
    return 'ok';
  }

  /** A 2xx (or a target-refresh request) may change the remote target (RFC 3261 §12.2.1.2, §12.2.2). */
  refreshTarget(message: SipRequest | SipResponse): void {
    const contact = message.contacts[0];
    if (contact) this.remoteTarget = flatString(uriText(contact));
  }

  /** On the 2xx that confirms an early UAC dialog the route set is recomputed (RFC 3261 §12.1.2). */
  confirmFrom(response: SipResponse): void {
    if (this.role === 'uac' && this.state === 'early') {
      this.routeSet = ownRoutes(response.headers.getAll('record-route').reverse());
    }
    this.refreshTarget(response);
    this.state = 'confirmed';
  }

  /**
   * Builds an in-dialog request (RFC 3261 §12.2.1.1). With a loose first route, the Request-URI is the
   * remote target and the Route set goes as is; with a strict one, it becomes the Request-URI.
   */
  createRequest(method: string, opts: { cseq?: number; body?: Buffer; contentType?: string } = {}): SipRequest {
    const seq = opts.cseq ?? (method === 'ACK' || method === 'CANCEL' ? this.localSeq : ++this.localSeq);
    const headers = new SipHeaders();
    let requestUri = this.remoteTarget;
    const routes = [...this.routeSet];
    const first = routes[0];
    if (first !== undefined && !parseNameAddr(first).uri.params.has('lr')) {
      requestUri = uriText(parseNameAddr(first));
      routes.shift();
      routes.push(`<${this.remoteTarget}>`);
    }
    for (const r of routes) headers.append('Route', r);
    headers.append('Max-Forwards', '70');
    headers.append('From', this.localText);
    headers.append('To', this.remoteText);
    headers.append('Call-ID', this.id.callId);
    headers.append('CSeq', `${seq} ${method}`);
    if (method !== 'ACK' && method !== 'CANCEL' && method !== 'BYE') headers.append('Contact', this.localContact);
    if (opts.contentType) headers.append('Content-Type', opts.contentType);
    return new SipRequest({ method, uri: requestUri, headers, body: opts.body });
  }
}

/** Route values are sliced from a message head: copies, or the shared empty set. */
function ownRoutes(routes: readonly string[]): readonly string[] {
  return routes.length === 0 ? NO_ROUTES : routes.map(detachedString);
}

function withTag(value: NameAddr, tag: string): NameAddr {
  const params = new Map(value.params);
  params.set('tag', tag);
  return { ...value, params };
}

function uriText(value: NameAddr): string {
  return formatUri(value.uri);
}

import type { SipRequest } from '../message/sip-message';
import { KNOWN_METHODS } from '../message/sip-methods';

/** A refusal the UA core turns into a response: status, reason and the headers RFC 3261 asks for. */
export interface Rejection {
  readonly status: number;
  readonly reason: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

export interface ValidationPolicy {
  readonly allowedMethods: readonly string[];
  /** Methods we pass on to another hop (a B2BUA's INVITE): Max-Forwards 0 stops those with 483. */
  readonly forwardedMethods: ReadonlySet<string>;
  /** Option tags we implement (RFC 3261 §8.2.2.3). */
  readonly supportedExtensions: ReadonlySet<string>;
  /** Media types accepted in a request of this method; an empty list accepts no body at all. */
  acceptedBodies(method: string): readonly string[];
  /** Media types our answers to this method carry (SDP for INVITE): an Accept without them gets 406. */
  answerBodies(method: string): readonly string[];
  /** True for a Via we put on a request ourselves (its transport and sent-by): on an incoming request, a loop. */
  isOwnVia(sentBy: SentBy, branch: string | null): boolean;
}

export interface SentBy {
  readonly protocol: string;
  readonly host: string;
  readonly port: number | null;
}

/** RFC 3261 §20.42: the same transport, host (case-insensitive) and port (5060 when absent) as one of ours. */
export function isSameSentBy(ours: SentBy, theirs: SentBy): boolean {
  return (
    ours.protocol.toUpperCase() === theirs.protocol.toUpperCase() &&
    ours.host.toLowerCase() === theirs.host.toLowerCase() &&
    (ours.port ?? 5060) === (theirs.port ?? 5060)
  );
}

const URI_SCHEMES = new Set(['sip', 'sips', 'tel']);

/**
 * RFC 3261 §8.2 request inspection for requests outside and inside dialogs, in the order the RFC
 * gives (method, headers, extensions, content) with Max-Forwards and loops checked first because a
 * B2BUA forwards what it accepts. Merged requests (§8.2.2.2) need transaction state: the UA core checks them.
 */
export function validateRequest(request: SipRequest, policy: ValidationPolicy): Rejection | null {
  const maxForwards = request.headers.get('max-forwards');
  if (maxForwards !== undefined) {
    const hops = Number(maxForwards.trim());
    if (!/^\d+$/.test(maxForwards.trim()) || hops > 255) {
      return { status: 400, reason: 'Bad Request (Max-Forwards)' };
    }
    // RFC 4475 §3.3.11: an endpoint processes a request with Max-Forwards 0; only forwarding stops.
    if (hops === 0 && policy.forwardedMethods.has(request.method)) return { status: 483, reason: 'Too Many Hops' };
  }

  for (const via of request.vias) {
    if (policy.isOwnVia({ protocol: via.protocol, host: via.host, port: via.port }, via.params.get('branch') ?? null)) {
      return { status: 482, reason: 'Loop Detected' };
    }
  }

  if (!policy.allowedMethods.includes(request.method)) {
    const allow: [string, string][] = [['Allow', policy.allowedMethods.join(', ')]];
    return KNOWN_METHODS.has(request.method)
      ? { status: 405, reason: 'Method Not Allowed', headers: allow }
      : { status: 501, reason: 'Not Implemented', headers: allow };
  }

  if (!URI_SCHEMES.has(request.requestUri.scheme)) {
    return { status: 416, reason: 'Unsupported URI Scheme' };
  }

  if (request.method !== 'ACK' && request.method !== 'CANCEL') {
    const unsupported = request.headers
      .getAll('require')
      .map((t) => t.trim())
      .filter((t) => t.length > 0 && !policy.supportedExtensions.has(t.toLowerCase()));
    if (unsupported.length > 0) {
      return { status: 420, reason: 'Bad Extension', headers: [['Unsupported', unsupported.join(', ')]] };
    }
  }

  if (request.body.length > 0 && request.method !== 'ACK' && request.method !== 'CANCEL') {
    const accepted = policy.acceptedBodies(request.method);
    const type = request.contentType;
    const encoding = request.headers.get('content-encoding');
    if (type === null || !accepted.includes(type)) {
      return {
        status: 415,
        reason: 'Unsupported Media Type',
        headers: [['Accept', accepted.length > 0 ? accepted.join(', ') : '']],
      };
    }
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      return { status: 415, reason: 'Unsupported Media Type', headers: [['Accept-Encoding', 'identity']] };
    }
  }
  const answerable = policy.answerBodies(request.method);
  if (answerable.length > 0 && request.headers.has('accept')) {
    const accept = request.headers.getAll('accept').map((a) => (a.split(';')[0] ?? '').trim().toLowerCase());
    const fits = (type: string) =>
      accept.some((a) => a === type || a === '*/*' || (a.endsWith('/*') && type.startsWith(a.slice(0, -1))));
    if (accept.length > 0 && !answerable.some(fits)) {
      return { status: 406, reason: 'Not Acceptable', headers: [['Accept', answerable.join(', ')]] };
    }
  }
  return null;
}

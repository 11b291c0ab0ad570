import type { SipRequest } from '../message/sip-message';
import { hasMagicCookie } from './branch';

/** RFC 3261 §17.1.3: a response matches by its top Via branch and its CSeq method. */
export function clientKey(branch: string, method: string): string {
  return `${branch} ${method}`;
}

/**
 * RFC 3261 §17.2.3: with the magic cookie, branch + sent-by + method; without it (RFC 2543 peers),
 * Request-URI, From tag, Call-ID, CSeq number, top Via and method (the To tag is checked by the
 * transaction, as an ACK carries the tag of our response). `method` is the transaction's: INVITE
 * for an ACK, and for the INVITE a CANCEL targets. Spaces separate fields: no field can hold one.
 */
export function serverKey(request: SipRequest, method: string): string {
  const via = request.topVia;
  const sentBy = via.port === null ? via.host : `${via.host}:${via.port}`;
  const branch = via.params.get('branch') ?? null;
  if (hasMagicCookie(branch)) return `${branch} ${sentBy} ${method}`;
  const fromTag = request.fromTag ?? '';
  return `2543 ${request.uri} ${fromTag} ${request.callId} ${request.cseq.seq} ${via.protocol} ${sentBy} ${method}`;
}

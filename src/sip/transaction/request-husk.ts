import { detachedString } from '../message/flat-string';
import { SipHeaders } from '../message/sip-headers';
import { SipRequest } from '../message/sip-message';

/** What a finished transaction, or whoever reads its request late, can still ask of it. */
const KEPT = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

/**
 * The request of a transaction that has its final response: method, Request-URI, source and the
 * headers that identify it (RFC 3261 §17.2.3 matching, §8.2.6.2 responses), copied out of the
 * message head so that the head, the other headers and the body can go. A finished transaction
 * lingers up to 64*T1 for retransmissions; at a few hundred calls a second the full requests it
 * held were a large part of the server's memory.
 */
export function requestHusk(request: SipRequest): SipRequest {
  const headers = new SipHeaders();
  for (let i = 0; i < request.headers.size; i++) {
    if (KEPT.has(request.headers.keyAt(i))) {
      headers.append(request.headers.nameAt(i), detachedString(request.headers.valueAt(i)));
    }
  }
  const husk = new SipRequest({ method: request.method, uri: detachedString(request.uri), headers });
  if (request.source) husk.source = request.source;
  return husk;
}

import { SipHeaders } from '../message/sip-headers';
import { SipRequest, type SipResponse } from '../message/sip-message';

/**
 * The ACK an INVITE client transaction sends for a 300-699 response (RFC 3261 §17.1.1.3): same
 * Request-URI, Call-ID, From, CSeq number and single top Via as the INVITE, the To of the response
 * (with its tag), the INVITE's Route set, method ACK, no body.
 */
export function createNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new SipHeaders();
  const source = invite.headers;
  headers.append('Via', source.getAll('via')[0] ?? '');
  for (let i = 0; i < source.size; i++) if (source.keyAt(i) === 'route') headers.append('Route', source.valueAt(i));
  headers.append('Max-Forwards', source.get('max-forwards') ?? '70');
  headers.append('From', source.get('from') ?? '');
  headers.append('To', response.headers.get('to') ?? source.get('to') ?? '');
  headers.append('Call-ID', source.get('call-id') ?? '');
  headers.append('CSeq', `${invite.cseq.seq} ACK`);
  return new SipRequest({ method: 'ACK', uri: invite.uri, headers });
}

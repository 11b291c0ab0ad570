import { splitHeaderList } from '../message/header-list';
import type { MessageSource, SipRequest } from '../message/sip-message';
import { formatVia } from '../message/via';
import { sameIp, unmapIpv4 } from './ip-address';

/**
 * Records in the top Via where a request really came from.
 * RFC 3261 §18.2.1: add `received=<source IP>` when the sent-by host is a name or another address.
 * RFC 3581 §4: when the Via carries `rport` without a value, fill in the source port and add `received`
 * even when the address matches. Returns true when the Via was rewritten.
 */
export function stampReceived(request: SipRequest, source: MessageSource): boolean {
  const via = request.topVia;
  const sourceIp = unmapIpv4(source.address);
  const emptyRport = via.params.has('rport') && via.params.get('rport') === null;
  if (!emptyRport && sameIp(via.host, sourceIp)) return false;

  const params = new Map(via.params);
  if (emptyRport) params.set('rport', String(source.port));
  params.set('received', sourceIp);
  replaceTopVia(request, formatVia({ protocol: via.protocol, host: via.host, port: via.port, params }));
  return true;
}

/** Puts `value` in place of the first Via element, keeping the other Via values and their order. */
function replaceTopVia(request: SipRequest, value: string): void {
  const headers = request.headers;
  const first = headers.get('via') ?? '';
  const single = !first.includes(',') || splitHeaderList(first).length === 1;
  if (single && headers.countFields('via') === 1) headers.set('via', value);
  else headers.removeFirstValue('via').prepend('via', value);
}

import type { MessageSource } from '../message/sip-message';
import type { Via } from '../message/via';
import { ipFamily, stripBrackets } from './ip-address';
import type { SendTarget } from './transport';
import { SipTransportError } from './transport-error';

/** RFC 3261 §18.2.2: the default port when the sent-by has none (5060 for UDP and TCP). */
export const DEFAULT_SIP_PORT = 5060;
/** RFC 3261 §19.1.2: the default port of TLS (sips). */
export const DEFAULT_SIPS_PORT = 5061;

/**
 * Where a response goes: over the connection its request came on (and, if that connection is gone,
 * to `fallback`), or to an address.
 */
export type ResponseRoute =
  | { readonly kind: 'connection'; readonly connectionId: string; readonly fallback: SendTarget }
  | { readonly kind: 'address'; readonly target: SendTarget };

/**
 * RFC 3261 §18.2.2 with RFC 3581 §4, from the top Via of the response (which carries the `received`
 * and `rport` stamped on the request at reception).
 * - Reliable (TCP, TLS): the connection of the request when known; else a new connection to `received`
 *   (or the sent-by host) at the sent-by port (or 5060).
 * - Unreliable (UDP): `maddr` at the sent-by port; else `received` at `rport` when it has a value,
 *   else at the sent-by port; else the sent-by itself.
 * Throws SIP.TRANSPORT_ROUTE for a transport we do not serve or a sent-by that is a domain name
 * (no RFC 3263 resolution here).
 */
export function responseRoute(via: Via, requestSource?: MessageSource): ResponseRoute {
  const received = param(via, 'received');
  // The transport the request really came over wins over what its Via claims: a datagram whose Via
  // says TCP (or a stream whose Via says UDP) is answered the way it arrived.
  const protocol = requestSource ? requestSource.protocol.toUpperCase() : via.protocol;
  const sentByPort = via.port ?? (protocol === 'TLS' ? DEFAULT_SIPS_PORT : DEFAULT_SIP_PORT);

  if (protocol === 'TCP' || protocol === 'TLS') {
    const fallback = target(protocol === 'TLS' ? 'tls' : 'tcp', received ?? via.host, sentByPort, requestSource);
    const connectionId = requestSource?.connectionId;
    return connectionId === undefined
      ? { kind: 'address', target: fallback }
      : { kind: 'connection', connectionId, fallback };
  }
  if (protocol !== 'UDP') {
    throw new SipTransportError('SIP.TRANSPORT_ROUTE', `no transport for Via protocol ${via.protocol}`);
  }
  const maddr = param(via, 'maddr');
  if (maddr !== undefined) return { kind: 'address', target: target('udp', maddr, sentByPort, requestSource) };
  if (received !== undefined) {
    const rport = portNumber(param(via, 'rport'));
    return { kind: 'address', target: target('udp', received, rport ?? sentByPort, requestSource) };
  }
  return { kind: 'address', target: target('udp', via.host, sentByPort, requestSource) };
}

function param(via: Via, name: string): string | undefined {
  const value = via.params.get(name);
  return value === null || value === undefined || value === '' ? undefined : value;
}

function portNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n > 0 && n <= 65535 ? n : undefined;
}

function target(protocol: SendTarget['protocol'], host: string, port: number, source?: MessageSource): SendTarget {
  const address = stripBrackets(host);
  if (ipFamily(address) !== 0) return { protocol, address, port };
  // A domain name is only left unstamped when the response was not built from a received request.
  if (source !== undefined) return { protocol, address: source.address, port };
  throw new SipTransportError('SIP.TRANSPORT_ROUTE', `cannot route a response to the domain name ${host}`, {
    protocol,
    address: host,
    port,
  });
}

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AppError } from '../../errors';
import { parseNameAddr } from '../message/name-addr';
import type { SipRequest, TransportProtocol } from '../message/sip-message';
import { parseUri, type SipUri } from '../message/sip-uri';
import type { SendTarget } from '../transport/transport';

export class NextHopError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SIP.NEXT_HOP', message, options);
  }
}

/**
 * RFC 3261 §8.1.2 / RFC 3263 reduced to what an AS behind an S-CSCF needs: the first Route (or the
 * Request-URI), its maddr or host, its port (5060 by default, 5061 for TLS), transport from sips:, `;transport=` or the
 * caller's preference. Host names are resolved with A/AAAA; NAPTR/SRV are not used.
 */
export async function resolveNextHop(
  request: SipRequest,
  preferred: TransportProtocol = 'udp',
  outboundProxy?: string,
): Promise<SendTarget> {
  const hop = nextHop(request, preferred, outboundProxy);
  if (isIP(hop.host)) return { protocol: hop.protocol, address: hop.host, port: hop.port };
  try {
    const { address } = await lookup(hop.host);
    // A TLS peer reached by name must prove that name (RFC 5922 §7.2), not the address it resolved to.
    return hop.protocol === 'tls'
      ? { protocol: hop.protocol, address, port: hop.port, serverName: hop.host }
      : { protocol: hop.protocol, address, port: hop.port };
  } catch (err) {
    throw new NextHopError(`cannot resolve ${hop.host}`, { cause: err });
  }
}

/**
 * The next hop as `resolveNextHop` finds it when it is named by an IP address (what an S-CSCF's
 * Record-Route, Contact and Via carry): at once, without a promise. Null when it names a host to
 * resolve; throws NextHopError as `resolveNextHop` rejects.
 */
export function literalNextHop(
  request: SipRequest,
  preferred: TransportProtocol = 'udp',
  outboundProxy?: string,
): SendTarget | null {
  const hop = nextHop(request, preferred, outboundProxy);
  return isIP(hop.host) ? { protocol: hop.protocol, address: hop.host, port: hop.port } : null;
}

function nextHop(
  request: SipRequest,
  preferred: TransportProtocol,
  outboundProxy?: string,
): { protocol: TransportProtocol; host: string; port: number } {
  const firstRoute = request.headers.getAll('route')[0];
  const uri: SipUri = outboundProxy
    ? parseUri(outboundProxy)
    : firstRoute !== undefined
      ? parseNameAddr(firstRoute).uri
      : request.requestUri;
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') {
    throw new NextHopError(`cannot route to a ${uri.scheme}: URI without a SIP next hop`);
  }
  const protocol = nextHopProtocol(uri, preferred);
  const host = withoutBrackets(uri.params.get('maddr') ?? uri.host);
  const port = uri.port ?? (protocol === 'tls' ? 5061 : 5060);
  return { protocol, host, port };
}

/** An IPv6 reference `[::1]` as the address `::1`. */
function withoutBrackets(host: string): string {
  const start = host.startsWith('[') ? 1 : 0;
  const end = host.endsWith(']') ? host.length - 1 : host.length;
  return start === 0 && end === host.length ? host : host.slice(start, end);
}

/**
 * RFC 3261 §26.2.2 and §19.1.2: a sips URI is reached over TLS, as is `;transport=tls`; `;transport=tcp`
 * and `;transport=udp` are taken as they are; otherwise the caller's preference.
 */
function nextHopProtocol(uri: SipUri, preferred: TransportProtocol): TransportProtocol {
  const transportParam = uri.params.get('transport')?.toLowerCase();
  if (uri.scheme === 'sips' || transportParam === 'tls') return 'tls';
  if (transportParam === 'tcp' || transportParam === 'udp') return transportParam;
  return preferred;
}

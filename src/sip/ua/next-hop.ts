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
  const host = (uri.params.get('maddr') ?? uri.host).replace(/^\[|\]$/g, '');
  const port = uri.port ?? (protocol === 'tls' ? 5061 : 5060);
  if (isIP(host)) return { protocol, address: host, port };
  try {
    const { address } = await lookup(host);
    // A TLS peer reached by name must prove that name (RFC 5922 §7.2), not the address it resolved to.
    return protocol === 'tls' ? { protocol, address, port, serverName: host } : { protocol, address, port };
  } catch (err) {
    throw new NextHopError(`cannot resolve ${host}`, { cause: err });
  }
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

import { parseNameAddr } from '../message/name-addr';
import type { SipRequest } from '../message/sip-message';
import { ifListening, TRANSPORT_PROTOCOLS } from '../transport/if-listening';
import type { SipUserAgent } from '../ua/user-agent';

/**
 * The Route set the B-leg carries on: the INVITE's routes minus the leading ones that point at us
 * (on the ISC interface the S-CSCF routes to the AS with the AS's URI on top and its own below).
 */
export function remainingRoutes(request: SipRequest, ua: Pick<SipUserAgent, 'contactFor'>): string[] {
  const routes = request.headers.getAll('route');
  if (routes.length === 0) return routes;
  const own = TRANSPORT_PROTOCOLS.flatMap((p) => {
    const contact = ifListening(() => ua.contactFor(p));
    return contact === undefined ? [] : [contact.replace(/^<sips?:|;.*$|>$/g, '').toLowerCase()];
  });
  let skip = 0;
  for (const route of routes) {
    let hostPort: string;
    try {
      const uri = parseNameAddr(route).uri;
      hostPort = `${uri.host}:${uri.port ?? (uri.scheme === 'sips' ? 5061 : 5060)}`.toLowerCase();
    } catch {
      break; // an unreadable route is not ours: forward it as it is
    }
    if (!own.includes(hostPort)) break;
    skip++;
  }
  return routes.slice(skip);
}

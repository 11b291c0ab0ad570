import type { Dialog } from '../dialog/dialog';
import { formatNameAddr } from '../message/name-addr';
import { SipHeaders } from '../message/sip-headers';
import type { SipRequest } from '../message/sip-message';
import type { IncomingInvite } from '../ua/incoming-invite';
import type { IncomingRequest } from '../ua/incoming-request';
import type { SipUserAgent } from '../ua/user-agent';
import { copyHeaders, IN_DIALOG_POLICY, INVITE_POLICY } from './header-policy';
import { remainingRoutes } from './own-routes';

/** The methods we take inside a call's dialogs, on either leg. */
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, INFO, UPDATE, PRACK';

/**
 * The B-leg INVITE made from the caller's: same Request-URI and body, new Call-ID and tags, the Route
 * set after our own entry, headers by policy (asserted identities only from a trusted peer).
 */
export function calleeInvite(a: SipRequest, ua: SipUserAgent, trusted: boolean): SipRequest {
  const extra: [string, string][] = [];
  for (const route of remainingRoutes(a, ua)) extra.push(['Route', route]);
  const policy = trusted ? INVITE_POLICY : [...INVITE_POLICY, '-p-asserted-identity', '-p-preferred-identity'];
  const request = ua.createRequest({
    method: 'INVITE',
    uri: a.uri,
    from: formatNameAddr({ ...a.from, params: withoutTag(a.from.params) }),
    to: formatNameAddr({ ...a.to, params: withoutTag(a.to.params) }),
    headers: extra,
    body: a.body.length > 0 ? a.body : undefined,
    contentType: a.headers.get('content-type'),
  });
  copyHeaders(a.headers, request.headers, policy);
  // What we take in the B-leg's dialog: B may then UPDATE, INFO and MESSAGE through us.
  request.headers.set('Allow', ALLOW);
  const hops = Number(a.headers.get('max-forwards') ?? '70');
  request.headers.set('Max-Forwards', String(Math.max(0, hops - 1)));
  return request;
}

/** Passes an in-dialog request to the other leg and its answer back (re-INVITE, UPDATE, INFO, MESSAGE). */
export async function relayInDialog(ua: SipUserAgent, incoming: IncomingRequest, to: Dialog): Promise<void> {
  const request = incoming.request;
  const carried = new SipHeaders();
  copyHeaders(request.headers, carried, IN_DIALOG_POLICY);
  const extra = carried.entries().map((f): [string, string] => [f.name, f.value]);
  const opts = {
    body: request.body.length > 0 ? request.body : undefined,
    contentType: request.headers.get('content-type'),
    headers: extra,
  };
  const response =
    request.method === 'INVITE' ? await ua.reinvite(to, opts) : await ua.requestInDialog(to, request.method, opts);
  const answer = {
    reason: response.reason,
    body: response.body.length > 0 ? response.body : undefined,
    contentType: response.headers.get('content-type'),
  };
  if (request.method === 'INVITE' && response.status < 300) (incoming as IncomingInvite).accept(answer);
  else incoming.respond(response.status, answer);
}

function withoutTag(params: ReadonlyMap<string, string | null>): Map<string, string | null> {
  const out = new Map(params);
  out.delete('tag');
  return out;
}

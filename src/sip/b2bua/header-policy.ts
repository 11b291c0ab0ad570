import type { SipResponse } from '../message/sip-message';
import { headerKey } from '../message/header-names';
import type { SipHeaders } from '../message/sip-headers';

/**
 * Which headers pass from one leg to the other, written the drachtio way: `['all', '-authorization']`
 * passes everything but Authorization; `['reason', 'warning']` passes only those two.
 */
export type HeaderPolicy = readonly string[];

/** Headers a B2BUA always owns on each leg: never copied, whatever the policy says. */
const LEG_OWNED = new Set([
  'via',
  'route',
  'record-route',
  'contact',
  'call-id',
  'cseq',
  'from',
  'to',
  'max-forwards',
  'content-length',
  'content-type',
  'content-encoding',
  'content-disposition',
  'allow',
  'supported',
  'require',
  'proxy-require',
  'rseq',
  'rack',
  'session-expires',
  'min-se',
  'user-agent',
  'server',
  'recv-info',
  'info-package',
]);

export function copyHeaders(from: SipHeaders, to: SipHeaders, policy: HeaderPolicy): void {
  const all = policy.includes('all');
  const include = new Set(policy.filter((p) => p !== 'all' && !p.startsWith('-')).map(headerKey));
  const exclude = new Set(policy.filter((p) => p.startsWith('-')).map((p) => headerKey(p.slice(1))));
  for (const field of from.entries()) {
    if (LEG_OWNED.has(field.key) || exclude.has(field.key)) continue;
    if (all || include.has(field.key)) to.append(field.name, field.value);
  }
}

/** What an initial INVITE carries to the B-leg: identities and charging data pass, credentials do not. */
export const INVITE_POLICY: HeaderPolicy = ['all', '-authorization', '-proxy-authorization', '-p-served-user'];
/** What a final failure or a provisional response carries back to the caller. */
export const RESPONSE_POLICY: HeaderPolicy = ['reason', 'warning', 'retry-after', 'p-asserted-identity', 'error-info'];
/** What an in-dialog request relayed between legs carries. */
export const IN_DIALOG_POLICY: HeaderPolicy = ['all', '-authorization', '-proxy-authorization'];

/** The fields of a callee's response that go back to the caller with it (RESPONSE_POLICY). */
export function relayedResponseHeaders(response: SipResponse): [string, string][] {
  const out: [string, string][] = [];
  for (const f of response.headers.entries()) if (RESPONSE_POLICY.includes(f.key)) out.push([f.name, f.value]);
  return out;
}

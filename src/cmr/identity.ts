/**
 * Canonical subscriber identities.
 *
 * - A phone number becomes E.164 `+<digits>`: from `tel:` URIs (RFC 3966), from `sip:`/`sips:` URIs whose
 *   user part is a phone number (a global number `+...`, or any number with `user=phone`, RFC 3261 §19.1.1),
 *   and from a bare `+1 555 000 1001`. Visual separators `- . ( )` and spaces are dropped (RFC 3966 §5.1.1).
 *   A local number needs a `phone-context` that is a global number prefix (RFC 3966 §5.1.5); the canonical
 *   form is that prefix followed by the local digits. A domain-name context has no E.164 form and is refused.
 * - Any other SIP URI becomes `sip:<user>@<host>`: scheme `sips` folded to `sip`, host lower-cased, user kept
 *   as written (it is case-sensitive), password, port, parameters and headers dropped.
 * - A name-addr (`"Alice" <sip:alice@example.com>;tag=1`) is accepted and reduced to its URI.
 */
import type { Identity } from './model';

export type IdentityResult =
  { readonly ok: true; readonly identity: Identity } | { readonly ok: false; readonly problem: string };

const MAX_IDENTITY_LENGTH = 256;
const E164 = /^\+[1-9]\d{2,14}$/;
const VISUAL_SEPARATORS = /[-.()\s]/g;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_REFERENCE = /^\[[0-9a-f:.]+\]$/;
const SIP_USER = /^([A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;

function fail(problem: string): IdentityResult {
  return { ok: false, problem };
}

/** Splits `a;b=1;c` into the first part and lower-cased parameter names mapped to their values. */
function splitParams(s: string): { head: string; params: Map<string, string> } {
  const [head = '', ...rest] = s.split(';');
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    params.set((eq < 0 ? p : p.slice(0, eq)).toLowerCase(), eq < 0 ? '' : p.slice(eq + 1));
  }
  return { head, params };
}

/** A telephone-subscriber (RFC 3966 §3) to E.164, or a problem. */
function phoneToE164(number: string, context: string | undefined): IdentityResult {
  const digits = number.replace(VISUAL_SEPARATORS, '');
  if (digits.startsWith('+')) {
    return E164.test(digits) ? { ok: true, identity: digits } : fail('not a valid E.164 number');
  }
  if (!/^\d+$/.test(digits)) return fail('the number contains characters other than digits and separators');
  if (context === undefined) return fail('a local number needs a phone-context');
  const prefix = context.replace(VISUAL_SEPARATORS, '');
  if (!/^\+\d+$/.test(prefix)) return fail('a phone-context that is not a global number has no E.164 form');
  const global = prefix + digits;
  return E164.test(global) ? { ok: true, identity: global } : fail('not a valid E.164 number');
}

function parseTel(rest: string): IdentityResult {
  const { head, params } = splitParams(rest);
  if (head.length === 0) return fail('the tel URI has no number');
  return phoneToE164(head, params.get('phone-context'));
}

function validHost(host: string): boolean {
  return DOMAIN.test(host) || IPV4.test(host) || IPV6_REFERENCE.test(host);
}

function parseSip(rest: string): IdentityResult {
  const withoutHeaders = rest.split('?')[0] ?? '';
  const at = withoutHeaders.lastIndexOf('@');
  if (at <= 0) return fail('the SIP URI has no user part');
  const userinfo = withoutHeaders.slice(0, at);
  const { head: hostport, params: uriParams } = splitParams(withoutHeaders.slice(at + 1));
  const host = (hostport.startsWith('[') ? hostport.slice(0, hostport.indexOf(']') + 1) : hostport.split(':')[0]) ?? '';
  const lowerHost = host.toLowerCase();
  if (!validHost(lowerHost)) return fail('the SIP URI has no valid host');
  const user = userinfo.split(':')[0] ?? '';
  if (user.length === 0) return fail('the SIP URI has no user part');
  const { head: userNumber, params: userParams } = splitParams(user);
  const userIsPhone = uriParams.get('user')?.toLowerCase() === 'phone';
  if (userIsPhone || /^\+[\d\-.()]+$/.test(userNumber)) {
    return phoneToE164(userNumber, userParams.get('phone-context'));
  }
  if (!SIP_USER.test(user)) return fail('the SIP URI user part contains invalid characters');
  return { ok: true, identity: `sip:${user}@${lowerHost.replace(/\.$/, '')}` };
}

/** Parses any accepted form of an identity into its canonical form, or says why it cannot. */
export function parseIdentity(raw: string): IdentityResult {
  let s = raw.trim();
  if (s.length === 0) return fail('empty');
  if (s.length > MAX_IDENTITY_LENGTH) return fail(`longer than ${MAX_IDENTITY_LENGTH} characters`);
  const angle = /<([^<>]*)>/.exec(s);
  if (angle) s = (angle[1] ?? '').trim();
  const colon = s.indexOf(':');
  if (colon < 0) {
    return s.startsWith('+') ? phoneToE164(s, undefined) : fail('expected a tel: or sip: URI or a +E.164 number');
  }
  const scheme = s.slice(0, colon).toLowerCase();
  const rest = s.slice(colon + 1);
  if (/\s/.test(rest) && scheme !== 'tel') return fail('a SIP URI cannot contain spaces');
  switch (scheme) {
    case 'tel':
      return parseTel(rest);
    case 'sip':
    case 'sips':
      return parseSip(rest);
    default:
      return fail(`unsupported URI scheme ${JSON.stringify(scheme)}`);
  }
}

/** The canonical identity, or `null` when `raw` is not an identity. */
export function normalizeIdentity(raw: string): Identity | null {
  const r = parseIdentity(raw);
  return r.ok ? r.identity : null;
}

/** True when `identity` is already canonical (it normalises to itself). */
export function isCanonicalIdentity(identity: string): boolean {
  return normalizeIdentity(identity) === identity;
}

/** True for an E.164 identity, false for a SIP URI identity. */
export function isPhoneIdentity(identity: Identity): boolean {
  return E164.test(identity);
}

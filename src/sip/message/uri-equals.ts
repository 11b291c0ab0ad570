import type { SipUri } from './sip-uri';

/** URI parameters that, when present in either URI, must be present and equal in both (RFC 3261 §19.1.4). */
const SIGNIFICANT_PARAMS = ['user', 'ttl', 'method', 'maddr', 'transport'] as const;

/**
 * URI equivalence. SIP/SIPS per RFC 3261 §19.1.4: user info case-sensitive, everything else
 * case-insensitive, escapes decoded before comparing, a missing port differs from an explicit one,
 * the significant parameters must match, other parameters only when both carry them, and headers all.
 * tel per RFC 3966 §4: visual separators ignored, parameters all equal. Other schemes: exact text.
 */
export function uriEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false;
  if (a.opaque !== undefined || b.opaque !== undefined) return a.opaque === b.opaque;
  if (a.scheme === 'tel') return telEquals(a, b);
  if (unescape(a.user) !== unescape(b.user) || unescape(a.password) !== unescape(b.password)) return false;
  if (unescape(a.host)?.toLowerCase() !== unescape(b.host)?.toLowerCase() || a.port !== b.port) return false;
  const pa = decodedParams(a.params);
  const pb = decodedParams(b.params);
  for (const name of SIGNIFICANT_PARAMS) {
    if (pa.has(name) !== pb.has(name)) return false;
  }
  for (const [name, value] of pa) {
    if (pb.has(name) && pb.get(name) !== value) return false;
  }
  if (a.headers.size !== b.headers.size) return false;
  const hb = new Map<string, string | null>();
  for (const [name, value] of b.headers) hb.set(unescape(name)!.toLowerCase(), unescape(value));
  for (const [name, value] of a.headers) {
    const key = unescape(name)!.toLowerCase();
    if (!hb.has(key) || hb.get(key) !== unescape(value)) return false;
  }
  return true;
}

function telEquals(a: SipUri, b: SipUri): boolean {
  if (telDigits(a.user) !== telDigits(b.user)) return false;
  const pa = decodedParams(a.params);
  const pb = decodedParams(b.params);
  if (pa.size !== pb.size) return false;
  for (const [name, value] of pa) {
    if (!pb.has(name) || pb.get(name) !== value) return false;
  }
  return true;
}

function telDigits(n: string | null): string {
  return (n ?? '').replace(/[-.()]/g, '').toLowerCase();
}

function decodedParams(params: ReadonlyMap<string, string | null>): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const [name, value] of params) out.set(unescape(name)!.toLowerCase(), unescape(value)?.toLowerCase() ?? null);
  return out;
}

/** Decodes %HH escapes; text that is not a valid escape is kept as written. */
function unescape(s: string | null): string | null {
  if (s === null || !s.includes('%')) return s;
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** RFC 3261 §7.3.3 compact forms, plus those registered later (RFC 3515, 3841, 3892, 4028, 4538, 6086...). */
const COMPACT: Readonly<Record<string, string>> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

/** How we print the headers we know, so output looks like every other SIP stack's. */
const DISPLAY: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  'p-asserted-identity': 'P-Asserted-Identity',
  'p-preferred-identity': 'P-Preferred-Identity',
  'p-charging-vector': 'P-Charging-Vector',
  'p-charging-function-addresses': 'P-Charging-Function-Addresses',
  'p-early-media': 'P-Early-Media',
  'p-served-user': 'P-Served-User',
  'p-access-network-info': 'P-Access-Network-Info',
  'p-called-party-id': 'P-Called-Party-ID',
  rseq: 'RSeq',
  rack: 'RAck',
};

/** Headers whose values may not be split on commas (RFC 3261 §7.3.1 exceptions and friends). */
const NOT_A_LIST: ReadonlySet<string> = new Set([
  'www-authenticate',
  'authorization',
  'proxy-authenticate',
  'proxy-authorization',
  'date',
  'call-id',
  'cseq',
  'content-length',
  'content-type',
  'max-forwards',
  'subject',
  'user-agent',
  'server',
  'organization',
  'timestamp',
  'retry-after',
  'target-dialog',
  'p-charging-vector',
  'rseq',
  'rack',
]);

/** The canonical key of a header name: lower-case long form. */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  return lower.length === 1 ? (COMPACT[lower] ?? lower) : lower;
}

/** The form we print: known names canonically capitalised, others Title-Cased per dash. */
export function displayName(key: string): string {
  const known = DISPLAY[key];
  if (known) return known;
  return key.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
}

export function isListHeader(key: string): boolean {
  return !NOT_A_LIST.has(key);
}

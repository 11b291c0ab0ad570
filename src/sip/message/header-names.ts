import { detachedString } from './flat-string';

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

/**
 * Names seen so far, as written, with their key and display form: messages then share one string for
 * each instead of lower-casing and title-casing every name again (and keeping the copies). Bounded,
 * since names come off the wire: past the bound, names are computed each time as before.
 */
const KNOWN_NAMES = new Map<string, string>();
/** Display forms computed so far, seeded with the canonical ones (a Map: `constructor` is no key here). */
const DISPLAY_NAMES = new Map<string, string>(Object.entries(DISPLAY));
const WIRE_NAMES = new Map<string, string>();
const MAX_REMEMBERED = 1024;

/** The canonical key of a header name: lower-case long form. */
export function headerKey(name: string): string {
  const known = KNOWN_NAMES.get(name);
  if (known !== undefined) return known;
  const lower = name.toLowerCase();
  const key = lower.length === 1 ? (COMPACT[lower] ?? lower) : lower;
  if (KNOWN_NAMES.size >= MAX_REMEMBERED) return key;
  const shared = KNOWN_NAMES.get(key) ?? detachedString(key);
  KNOWN_NAMES.set(detachedString(name), shared);
  return shared;
}

/**
 * The name as written, shared with earlier messages that wrote it the same way: for the parser, so
 * each message does not keep its own copy of every name.
 */
export function wireName(name: string): string {
  const known = WIRE_NAMES.get(name);
  if (known !== undefined) return known;
  if (WIRE_NAMES.size >= MAX_REMEMBERED) return name;
  const shared = detachedString(name);
  WIRE_NAMES.set(shared, shared);
  return shared;
}

/** A header name as written with its key: both strings shared by every message that spells it so. */
export interface KnownName {
  readonly name: string;
  readonly key: string;
}

/** Keys of the headers that turn up in nearly every message; their usual spellings are matched in place. */
const COMMON_KEYS = [
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'contact',
  'max-forwards',
  'content-type',
  'content-length',
  'record-route',
  'route',
  'allow',
  'supported',
  'require',
  'user-agent',
  'server',
  'subject',
  'expires',
  'accept',
  'p-asserted-identity',
  'p-preferred-identity',
  'p-charging-vector',
  'p-early-media',
  'recv-info',
  'session-expires',
  'min-se',
  'rseq',
  'rack',
  'privacy',
  'reason',
  'date',
  'timestamp',
  'allow-events',
  'event',
  'content-disposition',
  'accept-encoding',
  'accept-language',
  'unsupported',
  'retry-after',
  'warning',
] as const;

/** Spellings by length: the canonical display form and all lower case of each, and the compact forms. */
const SPELLINGS: KnownName[][] = [];

function addSpelling(name: string, key: string): void {
  const list = (SPELLINGS[name.length] ??= []);
  if (!list.some((k) => k.name === name)) list.push({ name, key });
  if (!KNOWN_NAMES.has(name)) KNOWN_NAMES.set(name, key);
}

/**
 * The known spelling text[start, end) is, or null. No slice and no hashing: the parser calls this for
 * every header line, and the few candidates of the same length are compared in place.
 */
export function knownName(text: string, start: number, end: number): KnownName | null {
  const list = SPELLINGS[end - start];
  if (list === undefined) return null;
  const first = text.charCodeAt(start);
  for (const k of list) {
    if (k.name.charCodeAt(0) === first && text.startsWith(k.name, start)) return k;
  }
  return null;
}

/** The form we print: known names canonically capitalised, others Title-Cased per dash. */
export function displayName(key: string): string {
  const known = DISPLAY_NAMES.get(key);
  if (known !== undefined) return known;
  const name = key.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
  if (DISPLAY_NAMES.size < MAX_REMEMBERED) DISPLAY_NAMES.set(key, name);
  return name;
}

export function isListHeader(key: string): boolean {
  return !NOT_A_LIST.has(key);
}

for (const key of COMMON_KEYS) {
  addSpelling(displayName(key), key);
  addSpelling(key, key);
}
for (const [letter, key] of Object.entries(COMPACT)) addSpelling(letter, key);

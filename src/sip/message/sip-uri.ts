import { allInClass, escapesValid, HEADER, HOST, isHexDigit, PARAM, PASSWORD, USER } from './char-classes';
import { isIpv6 } from './ip-address';
import { paramName, NO_PARAMS, paramList, pushParam } from './param-list';
import { SipParseError } from './sip-parse-error';

/**
 * SIP, SIPS (RFC 3261 §19.1) and tel (RFC 3966) URIs. Parameters keep their order; names are
 * compared case-insensitively (stored lower-case), values as written. A parameter without a value
 * (`;lr`) has the value `null`.
 */
export interface SipUri {
  readonly scheme: string; // lower-case: 'sip' | 'sips' | 'tel' | other absolute-URI schemes
  readonly user: string | null; // percent-encoded as written; for tel: the number
  readonly password: string | null;
  readonly host: string; // lower-case; IPv6 references keep their brackets: '[::1]'; '' for tel:
  readonly port: number | null;
  readonly params: ReadonlyMap<string, string | null>;
  readonly headers: ReadonlyMap<string, string>;
  /** For schemes other than sip, sips and tel: everything after `scheme:`, as written. */
  readonly opaque?: string;
}

const NO_HEADERS: ReadonlyMap<string, string> = new Map();

function bad(what: string, text: string): SipParseError {
  return new SipParseError(`invalid URI (${what}): ${text.slice(0, 200)}`);
}

/** Parses an absolute URI; sip/sips/tel are parsed into parts, other schemes kept opaque. */
export function parseUri(text: string): SipUri {
  const colon = text.indexOf(':');
  if (colon <= 0 || !isScheme(text, colon)) throw bad('scheme', text);
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, text, colon + 1);
  if (scheme === 'tel') return parseTelUri(text, colon + 1);
  const opaque = text.slice(colon + 1);
  if (opaque.length === 0 || /[\s<>"]/.test(opaque)) throw bad('absolute URI', text);
  return { scheme, user: null, password: null, host: '', port: null, params: NO_PARAMS, headers: NO_HEADERS, opaque };
}

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1). */
function isScheme(text: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i) | 0x20;
    const alpha = c >= 0x61 && c <= 0x7a;
    if (i === 0 ? !alpha : !(alpha || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e)) {
      return false;
    }
  }
  return true;
}

/** RFC 3261 §25.1 SIP-URI / SIPS-URI. */
function parseSipUri(scheme: string, text: string, start: number): SipUri {
  let user: string | null = null;
  let password: string | null = null;
  let p = start;
  // The user part may hold ';', '?' and '/' (RFC 4475 §3.1.1.9) but never '@', so the first '@' ends it.
  const at = text.indexOf('@', start);
  if (at >= 0) {
    const pw = text.indexOf(':', start);
    const userEnd = pw >= 0 && pw < at ? pw : at;
    user = text.slice(start, userEnd);
    if (!allInClass(text, USER, start, userEnd) || !escapesValid(text, start, userEnd)) throw bad('user', text);
    if (userEnd < at) {
      password = text.slice(userEnd + 1, at);
      if (password.length > 0 && (!allInClass(password, PASSWORD) || !escapesValid(password))) {
        throw bad('password', text);
      }
    }
    p = at + 1;
  }
  const hostEnd = indexOfAny(text, p, 0x3b /* ; */, 0x3f /* ? */);
  const { host, port } = parseHostPort(text, p, hostEnd);
  let headers = NO_HEADERS;
  const q = text.indexOf('?', hostEnd);
  const paramsEnd = q < 0 ? text.length : q;
  const params = hostEnd < paramsEnd ? parseUriParams(text, hostEnd, paramsEnd) : NO_PARAMS;
  if (q >= 0) headers = parseUriHeaders(text, q + 1);
  return { scheme, user, password, host, port, params, headers };
}

function indexOfAny(s: string, from: number, a: number, b: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === a || c === b) return i;
  }
  return s.length;
}

/** hostport = host [ ":" port ]; host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1). */
export function parseHostPort(text: string, start: number, end: number): { host: string; port: number | null } {
  let hostEnd: number;
  if (text.charCodeAt(start) === 0x5b /* [ */) {
    const close = text.indexOf(']', start);
    if (close < 0 || close >= end || !isIpv6(text, start + 1, close)) throw bad('IPv6 reference', text);
    hostEnd = close + 1;
  } else {
    hostEnd = text.indexOf(':', start);
    if (hostEnd < 0 || hostEnd > end) hostEnd = end;
    if (!allInClass(text, HOST, start, hostEnd)) throw bad('host', text);
  }
  const host = text.slice(start, hostEnd).toLowerCase();
  if (hostEnd === end) return { host, port: null };
  if (text.charCodeAt(hostEnd) !== 0x3a /* : */) throw bad('host', text);
  const port = parsePort(text, hostEnd + 1, end);
  if (port < 0) throw bad('port', text);
  return { host, port };
}

/** port = 1*DIGIT, 0-65535; -1 when not that. */
export function parsePort(text: string, start: number, end: number): number {
  if (end <= start || end - start > 5) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v <= 65535 ? v : -1;
}

/** uri-parameters from text[start] (a ';') to end: `;name[=value]` each, names lower-cased. */
function parseUriParams(text: string, start: number, end: number): ReadonlyMap<string, string | null> {
  const items: (string | null)[] = [];
  let p = start;
  while (p < end) {
    if (text.charCodeAt(p) !== 0x3b) throw bad('parameter', text);
    let next = text.indexOf(';', p + 1);
    if (next < 0 || next > end) next = end;
    const eq = text.indexOf('=', p + 1);
    const nameEnd = eq >= 0 && eq < next ? eq : next;
    if (!allInClass(text, PARAM, p + 1, nameEnd) || !escapesValid(text, p + 1, nameEnd)) throw bad('parameter', text);
    let value: string | null = null;
    if (nameEnd < next) {
      if (!allInClass(text, PARAM, nameEnd + 1, next) || !escapesValid(text, nameEnd + 1, next)) {
        throw bad('parameter value', text);
      }
      value = text.slice(nameEnd + 1, next);
    }
    const name = paramName(text, p + 1, nameEnd);
    pushParam(items, name, value);
    p = next;
  }
  return paramList(items);
}

/** headers = "?" header *( "&" header ); header = hname "=" hvalue. */
function parseUriHeaders(text: string, start: number): Map<string, string> {
  const headers = new Map<string, string>();
  for (const part of text.slice(start).split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || !allInClass(part, HEADER, 0, eq) || !escapesValid(part, 0, eq)) throw bad('header', text);
    const value = part.slice(eq + 1);
    if (value.length > 0 && (!allInClass(value, HEADER) || !escapesValid(value))) throw bad('header value', text);
    headers.set(part.slice(0, eq), value);
  }
  return headers;
}

/** RFC 3966 §3: tel:global-number or tel:local-number;phone-context=..., visual separators kept. */
function parseTelUri(text: string, start: number): SipUri {
  if (text.indexOf('?', start) >= 0) throw bad('tel URI', text);
  const semi = text.indexOf(';', start);
  const numberEnd = semi < 0 ? text.length : semi;
  const number = text.slice(start, numberEnd);
  const params = semi < 0 ? NO_PARAMS : parseUriParams(text, semi, text.length);
  const global = number.charCodeAt(0) === 0x2b; /* + */
  if (!isTelNumber(number, global ? 1 : 0, number.length, global)) throw bad('telephone number', text);
  if (!global && !params.has('phone-context')) throw bad('local number without phone-context', text);
  return { scheme: 'tel', user: number, password: null, host: '', port: null, params, headers: NO_HEADERS };
}

/**
 * The number text[start, end) (after the "+" of a global one): global, digits and visual separators
 * with at least one digit; local, also hex digits, "*" and "#".
 */
export function isTelNumber(text: string, start: number, end: number, global: boolean): boolean {
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (c === 0x2d || c === 0x2e || c === 0x28 || c === 0x29)
      continue; // - . ( )
    else if (global) return false;
    else if (isHexDigit(c) || c === 0x2a || c === 0x23) digits++;
    else return false;
  }
  return digits > 0;
}

/** Writes a URI back; parameters and headers in their order, names as stored. */
export function formatUri(uri: SipUri): string {
  if (uri.opaque !== undefined) return `${uri.scheme}:${uri.opaque}`;
  let s = uri.scheme + ':';
  if (uri.scheme === 'tel') s += uri.user ?? '';
  else {
    if (uri.user !== null) s += uri.password !== null ? `${uri.user}:${uri.password}@` : `${uri.user}@`;
    s += uri.host;
    if (uri.port !== null) s += `:${uri.port}`;
  }
  for (const [name, value] of uri.params) s += value === null ? `;${name}` : `;${name}=${value}`;
  let sep = '?';
  for (const [name, value] of uri.headers) {
    s += `${sep}${name}=${value}`;
    sep = '&';
  }
  return s;
}

import { allInClass, HEADER, HOST, inClass, isHexDigit, PARAM, PASSWORD, USER } from './char-classes';
import { isIpv6 } from './ip-address';
import { isTelNumber, parsePort } from './sip-uri';

/**
 * Whether parseUri would accept text[start, end), answered by index without building anything (the
 * parser checks every URI of every message; the parsed URI is built only when a view is read). Each
 * character is read about once: on this hot path that is the cost. `allowHeaders` false also refuses a
 * SIP URI with `?headers` (a Request-URI may not have any). False is also the answer for what this
 * scanner leaves to the parser: non-ASCII text in an opaque URI.
 */
export function scanUri(text: string, start: number, end: number, allowHeaders: boolean): boolean {
  let colon = start;
  while (colon < end && text.charCodeAt(colon) !== 0x3a /* : */) {
    if (!isSchemeChar(text.charCodeAt(colon), colon === start)) return false;
    colon++;
  }
  if (colon === end || colon === start) return false;
  const length = colon - start;
  const c0 = text.charCodeAt(start) | 0x20;
  const c1 = text.charCodeAt(start + 1) | 0x20;
  const c2 = text.charCodeAt(start + 2) | 0x20;
  if (length === 3 && c0 === 0x73 && c1 === 0x69 && c2 === 0x70) return scanSipUri(text, colon + 1, end, allowHeaders);
  if (length === 4 && c0 === 0x73 && c1 === 0x69 && c2 === 0x70 && (text.charCodeAt(start + 3) | 0x20) === 0x73) {
    return scanSipUri(text, colon + 1, end, allowHeaders);
  }
  if (length === 3 && c0 === 0x74 && c1 === 0x65 && c2 === 0x6c) return scanTelUri(text, colon + 1, end);
  return scanOpaque(text, colon + 1, end);
}

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1), tested as parseUri tests it. */
function isSchemeChar(code: number, first: boolean): boolean {
  const c = code | 0x20;
  const alpha = c >= 0x61 && c <= 0x7a;
  return first ? alpha : alpha || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
}

/** Not empty, no whitespace, `<`, `>` or `"`; non-ASCII is left to the parser (its `\s` is Unicode's). */
function scanOpaque(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 || c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x3c || c === 0x3e || c === 0x22) return false;
  }
  return true;
}

/** RFC 3261 §25.1 SIP-URI / SIPS-URI after `sip:`: [userinfo "@"] hostport uri-parameters [headers]. */
function scanSipUri(text: string, start: number, end: number, allowHeaders: boolean): boolean {
  const p = scanUserInfo(text, start, end);
  if (p < 0) return false;
  let i = p;
  if (i < end && text.charCodeAt(i) === 0x5b /* [ */) {
    while (i < end && text.charCodeAt(i) !== 0x3b /* ; */ && text.charCodeAt(i) !== 0x3f /* ? */) i++;
    if (!scanHostPort(text, p, i)) return false;
  } else {
    while (i < end && inClass(text.charCodeAt(i), HOST)) i++;
    if (i === p) return false;
    if (i < end && text.charCodeAt(i) === 0x3a /* : */) {
      const portStart = i + 1;
      i = portStart;
      while (i < end && isDigit(text.charCodeAt(i))) i++;
      if (parsePort(text, portStart, i) < 0) return false;
    }
  }
  if (i < end && text.charCodeAt(i) === 0x3b) i = scanUriParams(text, i, end);
  if (i === end) return true;
  if (i < 0 || text.charCodeAt(i) !== 0x3f) return false;
  return allowHeaders && scanUriHeaders(text, i + 1, end);
}

/**
 * userinfo = user [ ":" password ] "@", where the user part ends at the first `@` of the URI (it may
 * hold `;`, `?` and `/`, RFC 4475 §3.1.1.9). Returns where the host starts: past the `@`, or `start`
 * when there is none; -1 when the userinfo is not valid.
 */
function scanUserInfo(text: string, start: number, end: number): number {
  let colon = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x40 /* @ */) return (colon < 0 ? i : colon) > start ? i + 1 : -1;
    if (c === 0x3a && colon < 0) colon = i;
    else if (!inClass(c, colon < 0 ? USER : PASSWORD) || (c === 0x25 /* % */ && !isEscape(text, i, end))) {
      // Not a userinfo character: an error if an `@` follows, else there is no userinfo at all.
      const at = text.indexOf('@', i);
      return at >= 0 && at < end ? -1 : start;
    }
  }
  return start;
}

/** `%HH` at text[i]. */
function isEscape(text: string, i: number, end: number): boolean {
  return i + 2 < end && isHexDigit(text.charCodeAt(i + 1)) && isHexDigit(text.charCodeAt(i + 2));
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** hostport = host [ ":" port ], as parseHostPort reads text[start, end). */
export function scanHostPort(text: string, start: number, end: number): boolean {
  let hostEnd: number;
  if (start < end && text.charCodeAt(start) === 0x5b /* [ */) {
    const close = indexIn(text, 0x5d /* ] */, start, end);
    if (close < 0 || !isIpv6(text, start + 1, close)) return false;
    hostEnd = close + 1;
  } else {
    hostEnd = indexIn(text, 0x3a /* : */, start, end);
    if (hostEnd < 0) hostEnd = end;
    if (!allInClass(text, HOST, start, hostEnd)) return false;
  }
  if (hostEnd === end) return true;
  return text.charCodeAt(hostEnd) === 0x3a && parsePort(text, hostEnd + 1, end) >= 0;
}

/**
 * uri-parameters from text[start] (a `;`): `;name[=value]`, both non-empty PARAM text with well-formed
 * escapes. Returns where they end (a `?` or `end`), or -1.
 */
function scanUriParams(text: string, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 0x3f /* ? */) return i;
    if (c !== 0x3b /* ; */) return -1;
    i = classRunEnd(text, PARAM, i + 1, end);
    if (i < 0) return -1;
    if (i < end && text.charCodeAt(i) === 0x3d /* = */) {
      i = classRunEnd(text, PARAM, i + 1, end);
      if (i < 0) return -1;
    }
  }
  return end;
}

/** headers = header *( "&" header ); header = hname "=" [ hvalue ]. */
function scanUriHeaders(text: string, start: number, end: number): boolean {
  let i = start;
  for (;;) {
    i = classRunEnd(text, HEADER, i, end);
    if (i < 0 || i === end || text.charCodeAt(i) !== 0x3d /* = */) return false;
    i++;
    if (i < end && text.charCodeAt(i) !== 0x26 /* & */) {
      i = classRunEnd(text, HEADER, i, end);
      if (i < 0) return false;
    }
    if (i === end) return true;
    if (text.charCodeAt(i) !== 0x26) return false;
    i++;
  }
}

/** The end of a non-empty run of `flag` characters from `start` with well-formed escapes, or -1. */
function classRunEnd(text: string, flag: number, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (!inClass(c, flag)) break;
    if (c === 0x25 && !isEscape(text, i, end)) return -1;
    i++;
  }
  return i === start ? -1 : i;
}

/** RFC 3966 §3 as parseTelUri reads it: no `?`; a local number needs a phone-context parameter. */
function scanTelUri(text: string, start: number, end: number): boolean {
  if (indexIn(text, 0x3f /* ? */, start, end) >= 0) return false;
  let numberEnd = indexIn(text, 0x3b /* ; */, start, end);
  if (numberEnd < 0) numberEnd = end;
  if (numberEnd < end && scanUriParams(text, numberEnd, end) !== end) return false;
  const global = start < numberEnd && text.charCodeAt(start) === 0x2b; /* + */
  if (!isTelNumber(text, global ? start + 1 : start, numberEnd, global)) return false;
  return global || hasPhoneContext(text, numberEnd, end);
}

const PHONE_CONTEXT = 'phone-context';

/** Whether the well-formed parameters text[start, end) name phone-context, in any case. */
function hasPhoneContext(text: string, start: number, end: number): boolean {
  let p = start;
  while (p < end) {
    let next = indexIn(text, 0x3b, p + 1, end);
    if (next < 0) next = end;
    const eq = indexIn(text, 0x3d, p + 1, next);
    const nameEnd = eq < 0 ? next : eq;
    if (nameEnd - p - 1 === PHONE_CONTEXT.length && equalsLowerAscii(text, p + 1, PHONE_CONTEXT)) return true;
    p = next;
  }
  return false;
}

function equalsLowerAscii(text: string, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    let c = text.charCodeAt(start + i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** The index of the first `code` in text[from, end), or -1: bounded, unlike String.indexOf. */
export function indexIn(text: string, code: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (text.charCodeAt(i) === code) return i;
  return -1;
}

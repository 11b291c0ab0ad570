import { allInClass, isLws, TOKEN } from './char-classes';
import { endOfQuoted, formatHeaderParams, parseHeaderParams, skipLws } from './header-params';
import { SipParseError } from './sip-parse-error';
import { formatUri, parseUri, type SipUri } from './sip-uri';

/**
 * A From/To/Contact/Route/Record-Route/P-Asserted-Identity value: name-addr or addr-spec
 * (RFC 3261 §20.10, §25.1), with header parameters (tag, expires, q...). Contact `*` is not a
 * NameAddr: callers test for it before parsing.
 */
export interface NameAddr {
  readonly displayName: string | null; // unquoted, unescaped
  readonly uri: SipUri;
  readonly params: ReadonlyMap<string, string | null>;
}

/**
 * Parses `"Quoted \"Name\"" <sip:a@b;lr>;tag=x`, `Bare Tokens <sip:...>`, `<sip:...>` and the
 * addr-spec form `sip:a@b;tag=x`, where every `;` parameter belongs to the header (RFC 3261 §20),
 * so a URI with `?`, `;` or `,` must be in angle brackets. LWS is allowed between the elements but
 * not inside the brackets (RFC 4475 §3.1.2.14).
 */
export function parseNameAddr(text: string): NameAddr {
  let i = skipLws(text, 0);
  let displayName: string | null = null;
  if (text.charCodeAt(i) === 0x22 /* " */) {
    const end = endOfQuoted(text, i);
    if (end < 0) throw new SipParseError('unterminated quoted display name');
    displayName = unquote(text, i + 1, end - 1);
    i = skipLws(text, end);
    if (text.charCodeAt(i) !== 0x3c /* < */) throw new SipParseError('quoted display name without <URI>');
  } else if (text.charCodeAt(i) !== 0x3c) {
    const lt = text.indexOf('<', i);
    if (lt < 0) return parseAddrSpec(text, i);
    displayName = tokenDisplayName(text, i, lt);
    i = lt;
  }
  const gt = text.indexOf('>', i + 1);
  if (gt < 0) throw new SipParseError('missing > after URI');
  for (let k = i + 1; k < gt; k++) {
    if (isLws(text.charCodeAt(k))) throw new SipParseError('whitespace inside <URI>');
  }
  const uri = parseUri(text.slice(i + 1, gt));
  return { displayName, uri, params: parseHeaderParams(text, gt + 1, 'name-addr') };
}

/** display-name = *(token LWS): tokens separated by LWS, kept with single spaces. */
function tokenDisplayName(text: string, start: number, end: number): string | null {
  let name: string | null = null;
  let i = start;
  while (i < end) {
    while (i < end && isLws(text.charCodeAt(i))) i++;
    const wordStart = i;
    while (i < end && !isLws(text.charCodeAt(i))) i++;
    if (i === wordStart) break;
    if (!allInClass(text, TOKEN, wordStart, i)) throw new SipParseError('display name is not tokens or quoted');
    const word = text.slice(wordStart, i);
    name = name === null ? word : `${name} ${word}`;
  }
  return name;
}

function parseAddrSpec(text: string, start: number): NameAddr {
  let i = start;
  while (i < text.length && !isLws(text.charCodeAt(i)) && text.charCodeAt(i) !== 0x3b /* ; */) {
    const c = text.charCodeAt(i);
    if (c === 0x3f /* ? */ || c === 0x2c /* , */) throw new SipParseError('addr-spec with ? or , outside <>');
    i++;
  }
  if (i === start) throw new SipParseError('missing URI');
  const uri = parseUri(text.slice(start, i));
  return { displayName: null, uri, params: parseHeaderParams(text, i, 'addr-spec') };
}

function unquote(text: string, start: number, end: number): string {
  const raw = text.slice(start, end);
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) out += raw[++i]!;
    else out += c;
  }
  return out;
}

/** Always the name-addr form (`<...>`), so URI parameters can never be mistaken for header ones. */
export function formatNameAddr(value: NameAddr): string {
  let s = '';
  if (value.displayName !== null) s = `${quoteDisplayName(value.displayName)} `;
  return `${s}<${formatUri(value.uri)}>${formatHeaderParams(value.params)}`;
}

/** Tokens go out as written; anything else is quoted with `"` and `\` escaped. */
export function quoteDisplayName(name: string): string {
  const words = name.split(' ');
  if (name.length > 0 && words.every((w) => w.length > 0 && allInClass(w, TOKEN))) return name;
  return `"${name.replace(/[\\"]/g, '\\$&')}"`;
}

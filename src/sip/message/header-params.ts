import { inClass, isLws, TOKEN } from './char-classes';
import { paramName, paramList, pushParam } from './param-list';
import { SipParseError } from './sip-parse-error';

/**
 * Header parameters (`;name[=value]`, RFC 3261 §25.1 generic-param) with LWS allowed around `;`
 * and `=`. Names are stored lower-case; values as written (quoted strings keep their quotes).
 * gen-value = token / host / quoted-string, so a value may also hold `:`, `[` and `]` (IPv6).
 */
export function parseHeaderParams(text: string, start: number, what: string): ReadonlyMap<string, string | null> {
  const items: (string | null)[] = [];
  let i = skipLws(text, start);
  while (i < text.length) {
    if (text.charCodeAt(i) !== 0x3b /* ; */) throw new SipParseError(`unexpected text in ${what}`);
    i = skipLws(text, i + 1);
    const nameStart = i;
    while (i < text.length && inClass(text.charCodeAt(i), TOKEN)) i++;
    if (i === nameStart) throw new SipParseError(`empty parameter in ${what}`);
    const name = paramName(text, nameStart, i);
    i = skipLws(text, i);
    let value: string | null = null;
    if (text.charCodeAt(i) === 0x3d /* = */) {
      i = skipLws(text, i + 1);
      const valueStart = i;
      if (text.charCodeAt(i) === 0x22 /* " */) {
        i = endOfQuoted(text, i);
        if (i < 0) throw new SipParseError(`unterminated quoted string in ${what}`);
      } else {
        while (i < text.length && isValueChar(text.charCodeAt(i))) i++;
      }
      if (i === valueStart) throw new SipParseError(`empty parameter value in ${what}`);
      value = text.slice(valueStart, i);
      i = skipLws(text, i);
    }
    pushParam(items, name, value);
  }
  return paramList(items);
}

/** gen-value characters outside quotes: a token, or a host (`:`, `[` and `]` for IPv6). */
export function isValueChar(c: number): boolean {
  return inClass(c, TOKEN) || c === 0x3a /* : */ || c === 0x5b /* [ */ || c === 0x5d; /* ] */
}

export function skipLws(text: string, i: number, end = text.length): number {
  while (i < end && isLws(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Given the index of an opening `"`, the index just past the closing one before `end` (quoted-pairs
 * honoured), or -1.
 */
export function endOfQuoted(text: string, open: number, end = text.length): number {
  for (let i = open + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

export function formatHeaderParams(params: ReadonlyMap<string, string | null>): string {
  let s = '';
  for (const [name, value] of params) s += value === null ? `;${name}` : `;${name}=${value}`;
  return s;
}

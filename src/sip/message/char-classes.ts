/**
 * Character classes of the RFC 3261 §25.1 grammar as bit flags over ASCII, so scanners test a
 * character with one table lookup instead of a regular expression.
 */
export const TOKEN = 1;
export const USER = 2;
export const PASSWORD = 4;
export const PARAM = 8;
export const HEADER = 16;
export const HOST = 32;
export const WORD = 64;

const ALNUM = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const MARK = "-_.!~*'()";

const table = new Uint8Array(128);

function add(flag: number, chars: string): void {
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)]! |= flag;
}

add(TOKEN, ALNUM + "-.!%*_+`'~");
add(USER, ALNUM + MARK + '%&=+$,;?/');
add(PASSWORD, ALNUM + MARK + '%&=+$,');
add(PARAM, ALNUM + MARK + '%[]/:&+$');
add(HEADER, ALNUM + MARK + '%[]/?:+$');
add(HOST, ALNUM + '-._');
add(WORD, ALNUM + '-.!%*_+`\'~()<>:\\"/[]?{}');

/** True when the UTF-16 code unit `c` is ASCII and in the class. */
export function inClass(c: number, flag: number): boolean {
  return c < 128 && (table[c]! & flag) !== 0;
}

/** True when every character of s[start, end) is in the class (and the range is not empty). */
export function allInClass(s: string, flag: number, start = 0, end = s.length): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (table[c]! & flag) === 0) return false;
  }
  return true;
}

export function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Every `%` in s[start, end) starts a `%HH` escape. */
export function escapesValid(s: string, start = 0, end = s.length): boolean {
  let i = s.indexOf('%', start);
  while (i >= 0 && i < end) {
    if (i + 2 >= end || !isHexDigit(s.charCodeAt(i + 1)) || !isHexDigit(s.charCodeAt(i + 2))) return false;
    i = s.indexOf('%', i + 3);
  }
  return true;
}

/** SP, HT, CR or LF: the characters LWS is made of (after unfolding only SP and HT remain). */
export function isLws(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

export function isToken(s: string): boolean {
  return allInClass(s, TOKEN);
}

import { visitListElements } from './header-list';

/** A scanner of one list element, text[start, end), trimmed. */
export type ElementScanner = (text: string, start: number, end: number) => boolean;

/**
 * Whether `scan` accepts every element of a header value as splitHeaderList cuts it: on commas outside
 * quoted strings and <...>, each element trimmed, empty ones skipped. By index: no element is sliced.
 */
export function scanHeaderList(value: string, scan: ElementScanner): boolean {
  if (value.indexOf(',') < 0) return scanTrimmed(value, 0, value.length, scan);
  return visitListElements(value, (start, end) => scanTrimmed(value, start, end, scan));
}

/**
 * Trims value[start, end) as String.trim does and scans what is left, if anything. Non-ASCII at either
 * edge is left untrimmed: every element scanner refuses non-ASCII outside quotes, so the answer is
 * false and the parser, which trims Unicode spaces too, decides.
 */
function scanTrimmed(value: string, start: number, end: number, scan: ElementScanner): boolean {
  let s = start;
  let e = end;
  while (s < e && isAsciiTrimmed(value.charCodeAt(s))) s++;
  while (e > s && isAsciiTrimmed(value.charCodeAt(e - 1))) e--;
  return s === e || scan(value, s, e);
}

/** The ASCII characters String.trim removes: HT, LF, VT, FF, CR and SP. */
function isAsciiTrimmed(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

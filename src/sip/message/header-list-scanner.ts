/** A scanner of one list element, text[start, end), trimmed. */
export type ElementScanner = (text: string, start: number, end: number) => boolean;

/**
 * Whether `scan` accepts every element of a header value as splitHeaderList cuts it: on commas outside
 * quoted strings and <...>, each element trimmed, empty ones skipped. By index: no element is sliced.
 */
export function scanHeaderList(value: string, scan: ElementScanner): boolean {
  if (value.indexOf(',') < 0) return scanTrimmed(value, 0, value.length, scan);
  let depthAngle = 0;
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inQuote = false;
    } else if (c === 0x22) inQuote = true;
    else if (c === 0x3c /* < */) depthAngle++;
    else if (c === 0x3e /* > */ && depthAngle > 0) depthAngle--;
    else if (c === 0x2c /* , */ && depthAngle === 0) {
      if (!scanTrimmed(value, start, i, scan)) return false;
      start = i + 1;
    }
  }
  return scanTrimmed(value, start, value.length, scan);
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

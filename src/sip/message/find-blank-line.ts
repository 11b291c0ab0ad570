const CRLF_BLANK = Buffer.from('\n\r\n', 'latin1');
const LF_BLANK = Buffer.from('\n\n', 'latin1');

/**
 * The index of the LF that ends the last head line (the line before the empty line that ends the
 * head), or -1 when the head is not complete. Bare LF line ends are accepted (RFC 3261 §7 asks for
 * CRLF; being lenient costs nothing). Uses Buffer.indexOf, so no per-byte JavaScript loop.
 */
export function findBlankLine(buf: Buffer, offset: number): number {
  const crlf = buf.indexOf(CRLF_BLANK, offset);
  const window = crlf < 0 ? buf.subarray(offset) : buf.subarray(offset, crlf + 2);
  const lf = window.indexOf(LF_BLANK);
  return lf < 0 ? crlf : offset + lf;
}

/** Where the body starts, given the result of findBlankLine (>= 0). */
export function bodyStartAfter(buf: Buffer, blank: number): number {
  return buf[blank + 1] === 0x0d ? blank + 3 : blank + 2;
}

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

/**
 * findBlankLine with the head decoded as UTF-8 (up to and with the LF it returns, or to the end when -1):
 * one Buffer search for CRLF CRLF, then a string search of the decoded head for an earlier bare-LF
 * blank line. An LF byte always decodes to an LF alone, so the decoded text has `\n\n` exactly where
 * the bytes do. Only a head with no CRLF CRLF, or a bare-LF one, takes the two Buffer searches.
 */
export function headOf(buf: Buffer, offset: number): { readonly text: string; readonly blank: number } {
  const crlf = buf.indexOf(CRLF_BLANK, offset);
  if (crlf >= 0) {
    const text = buf.toString('utf8', offset, crlf + 1);
    if (text.indexOf('\n\n') < 0) return { text, blank: crlf };
  }
  const blank = findBlankLine(buf, offset);
  return { text: buf.toString('utf8', offset, blank < 0 ? buf.length : blank + 1), blank };
}

/** Where the body starts, given the result of findBlankLine (>= 0). */
export function bodyStartAfter(buf: Buffer, blank: number): number {
  return buf[blank + 1] === 0x0d ? blank + 3 : blank + 2;
}

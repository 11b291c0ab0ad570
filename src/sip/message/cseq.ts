import { inClass, TOKEN } from './char-classes';
import { SipParseError } from './sip-parse-error';

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/**
 * RFC 3261 §20.16: the number is a 32-bit unsigned integer (1 to 10 digits), the method a token,
 * whitespace between them and allowed around them. Scanned, not matched by a regular expression:
 * every message has one.
 */
export function parseCSeq(text: string): CSeq {
  const end = text.length;
  let i = skipSpace(text, 0);
  const digitsStart = i;
  let seq = 0;
  while (i < end && isDigit(text.charCodeAt(i))) seq = seq * 10 + (text.charCodeAt(i++) - 0x30);
  const digits = i - digitsStart;
  const methodStart = skipSpace(text, i);
  let methodEnd = methodStart;
  while (methodEnd < end && inClass(text.charCodeAt(methodEnd), TOKEN)) methodEnd++;
  const valid =
    digits >= 1 &&
    digits <= 10 &&
    seq <= 0xffffffff &&
    methodStart > i &&
    methodEnd > methodStart &&
    skipSpace(text, methodEnd) === end;
  if (!valid) throw new SipParseError(`invalid CSeq: ${JSON.stringify(text)}`);
  return { seq, method: text.slice(methodStart, methodEnd) };
}

export function formatCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** What `\s` matches in a JavaScript regular expression, which the CSeq grammar here always used. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

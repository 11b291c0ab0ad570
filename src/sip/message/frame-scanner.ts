import { bodyStartAfter, findBlankLine } from './find-blank-line';
import { readPartialRequest } from './head-reader';
import type { ParseLimits } from './parse-limits';
import { SipParseError } from './sip-parse-error';

export type { ParseLimits } from './parse-limits';

/**
 * What the next bytes of a stream hold. `error` is fatal for the stream (RFC 3261 §18.3: without a
 * usable Content-Length the message boundary is lost); when the head could be read, `length` is the
 * number of bytes it took and `error.partial` the request as read, so the transport can answer 400/513
 * before closing.
 */
export type FrameScan =
  | { kind: 'need-more' }
  | { kind: 'keepalive'; length: number }
  | { kind: 'message'; length: number }
  | { kind: 'error'; error: SipParseError; length?: number };

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
const NEED_MORE: FrameScan = Object.freeze({ kind: 'need-more' });
const CONTENT_LENGTH = Buffer.from('content-length', 'latin1');
/** More digits than this cannot be a sane Content-Length (and would lose precision). */
const MAX_LENGTH_DIGITS = 9;

/**
 * Finds the next message in a stream buffer starting at `offset`: leading CR/LF bytes are keep-alives
 * (RFC 5626 §3.5.1 pings and pongs), a message is complete once its head and its Content-Length
 * bytes of body are in. Scans bytes only; the message itself is parsed by `parseMessage` afterwards.
 */
export function scanFrame(buf: Buffer, offset: number, limits: ParseLimits): FrameScan {
  const end = buf.length;
  if (offset >= end) return NEED_MORE;
  let i = offset;
  while (i < end && (buf[i] === CR || buf[i] === LF)) i++;
  if (i > offset) return { kind: 'keepalive', length: i - offset };

  const blank = findBlankLine(buf, offset);
  if (blank < 0) return incompleteHead(buf, offset, limits);
  const bodyStart = bodyStartAfter(buf, blank);
  const headLength = bodyStart - offset;
  if (headLength > limits.maxMessageBytes) {
    return fail(buf, offset, bodyStart, new SipParseError('message head too large', 513, 'Message Too Large'));
  }
  const cl = findContentLength(buf, offset, blank + 1);
  if (typeof cl !== 'number') return fail(buf, offset, bodyStart, cl);
  if (headLength + cl > limits.maxMessageBytes) {
    return fail(buf, offset, bodyStart, new SipParseError('message too large', 513, 'Message Too Large'));
  }
  if (end - offset < headLength + cl) return NEED_MORE;
  return { kind: 'message', length: headLength + cl };
}

function incompleteHead(buf: Buffer, offset: number, limits: ParseLimits): FrameScan {
  if (buf.length - offset > limits.maxMessageBytes) {
    return { kind: 'error', error: new SipParseError('message head too large', 513, 'Message Too Large') };
  }
  const lastLf = buf.lastIndexOf(LF);
  const lineStart = lastLf < offset ? offset : lastLf + 1;
  if (buf.length - lineStart > limits.maxLineBytes) {
    return { kind: 'error', error: new SipParseError('header line too long') };
  }
  return NEED_MORE;
}

function fail(buf: Buffer, offset: number, bodyStart: number, error: SipParseError): FrameScan {
  if (!error.partial) {
    const partial = readPartialRequest(buf.subarray(offset, bodyStart));
    if (partial) error.partial = partial;
  }
  return { kind: 'error', error, length: bodyStart - offset };
}

/**
 * The Content-Length of the head in [start, end) (end just past the last line's LF), or the error.
 * Several fields with the same value are tolerated here; differing values lose the framing.
 */
function findContentLength(buf: Buffer, start: number, end: number): number | SipParseError {
  let found = -1;
  let p = buf.indexOf(LF, start) + 1; // skip the start line
  while (p > 0 && p < end) {
    let eol = buf.indexOf(LF, p);
    if (eol < 0 || eol >= end) eol = end - 1;
    const valueStart = matchContentLengthName(buf, p, eol);
    if (valueStart >= 0) {
      let valueEnd = eol;
      while (valueEnd + 1 < end && (buf[valueEnd + 1] === SP || buf[valueEnd + 1] === HT)) {
        const next = buf.indexOf(LF, valueEnd + 1);
        valueEnd = next < 0 || next >= end ? end - 1 : next;
      }
      const value = readLength(buf, valueStart, valueEnd);
      if (value === TOO_MANY_DIGITS) return new SipParseError('Content-Length too large', 513, 'Message Too Large');
      if (value < 0) return new SipParseError('invalid Content-Length');
      if (found >= 0 && found !== value) return new SipParseError('conflicting Content-Length values');
      found = value;
      eol = valueEnd;
    }
    p = eol + 1;
  }
  if (found < 0) return new SipParseError('missing Content-Length on a stream transport');
  return found;
}

/** If the line at p names Content-Length (or `l`), the index just past its colon, else -1. */
function matchContentLengthName(buf: Buffer, p: number, eol: number): number {
  const first = (buf[p] ?? 0) | 0x20;
  let i: number;
  if (first === 0x6c /* l */) i = p + 1;
  else if (first === 0x63 /* c */ && eol - p > CONTENT_LENGTH.length) {
    for (let k = 1; k < CONTENT_LENGTH.length; k++) {
      if (((buf[p + k] ?? 0) | 0x20) !== CONTENT_LENGTH[k]) return -1;
    }
    i = p + CONTENT_LENGTH.length;
  } else return -1;
  while (i < eol && (buf[i] === SP || buf[i] === HT)) i++;
  return buf[i] === COLON ? i + 1 : -1;
}

const TOO_MANY_DIGITS = -2;

/** Decimal digits surrounded by whitespace (folding included) in [start, end]; negative when not that. */
function readLength(buf: Buffer, start: number, end: number): number {
  let value = 0;
  let digits = 0;
  let state = 0; // 0 before the digits, 1 in them, 2 after
  for (let i = start; i <= end; i++) {
    const c = buf[i] ?? 0;
    if (c >= 0x30 && c <= 0x39) {
      if (state === 2) return -1;
      if (++digits > MAX_LENGTH_DIGITS) return TOO_MANY_DIGITS;
      state = 1;
      value = value * 10 + (c - 0x30);
    } else if (c === SP || c === HT || c === CR || c === LF) {
      if (state === 1) state = 2;
    } else return -1;
  }
  return digits === 0 ? -1 : value;
}

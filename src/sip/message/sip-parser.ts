import { isCommonNameAddr, isCommonRequestUri, isCommonVia } from './common-forms';
import { bodyStartAfter, headOf } from './find-blank-line';
import { scanHeaderList } from './header-list-scanner';
import { displayName } from './header-names';
import { partialOf, readHead, type Head } from './head-reader';
import { scanContact, scanNameAddr } from './name-addr-scanner';
import type { ParseLimits } from './parse-limits';
import { SipHeaders } from './sip-headers';
import { SipRequest, SipResponse, type SipMessage } from './sip-message';
import { SipParseError } from './sip-parse-error';
import { KNOWN_METHODS } from './sip-methods';
import { scanUri } from './uri-scanner';
import { scanVia } from './via-scanner';

export type { ParseLimits } from './parse-limits';

const CR = 0x0d;
const LF = 0x0a;

/**
 * Parses one whole message (a UDP datagram, or a frame cut by `scanFrame`). The head is decoded
 * once as UTF-8 and split into raw fields; the headers every layer needs are checked here (Via, From,
 * To, Call-ID, CSeq, Max-Forwards, Contact and the Request-URI of requests) and every header view is
 * parsed lazily on first use. Leading CRLFs are skipped (RFC 3261 §7.5); without Content-Length the body is
 * the rest of the datagram (§18.3); bytes after Content-Length are ignored (RFC 4475 §3.1.1.8).
 * Throws SipParseError; for requests the error carries `partial` so the transport can answer it.
 */
export function parseMessage(data: Buffer, limits: ParseLimits): SipMessage {
  let start = 0;
  while (start < data.length && (data[start] === CR || data[start] === LF)) start++;
  if (start === data.length) throw new SipParseError('empty message');
  const { text, blank } = headOf(data, start);
  const bodyStart = blank < 0 ? data.length : bodyStartAfter(data, blank);
  const head = readHead(text, limits);
  const fail = (error: SipParseError): never => {
    if (!error.partial) {
      const partial = partialOf(head);
      if (partial) error.partial = partial;
    }
    throw error;
  };
  if (data.length - start > limits.maxMessageBytes) {
    fail(new SipParseError('message too large', 513, 'Message Too Large'));
  }
  if (head.error) fail(head.error);
  const body = readBody(data, head, bodyStart, fail);
  const headers = SipHeaders.adoptSlots(head.slots);
  const message =
    head.start.kind === 'request'
      ? new SipRequest({ method: head.start.method, uri: head.start.uri, headers, body })
      : new SipResponse({ status: head.start.status, reason: head.start.reason, headers, body });
  try {
    validate(message);
  } catch (error) {
    if (!(error instanceof SipParseError)) throw error;
    if (message.isRequest()) error.partial = message;
    throw error;
  }
  return message;
}

/** RFC 3261 §20.14 and RFC 4475 §3.1.2.2/3.1.2.3/3.3.9: one Content-Length, digits, within the datagram. */
function readBody(data: Buffer, head: Head, bodyStart: number, fail: (e: SipParseError) => never): Buffer {
  let value: string | undefined;
  const slots = head.slots;
  for (let i = 0; i < slots.length; i += 3) {
    if (slots[i] !== 'content-length') continue;
    if (value !== undefined) fail(headerError('multiple', 'content-length'));
    value = slots[i + 2];
  }
  if (value === undefined) return ownBytes(data, bodyStart, data.length);
  const length = value.length > 0 && value.length <= 9 && isDigits(value) ? Number(value) : -1;
  if (length < 0) fail(headerError('invalid', 'content-length'));
  if (bodyStart + length > data.length) {
    fail(new SipParseError('Content-Length larger than the message', 400, 'Content-Length Exceeds Message'));
  }
  return ownBytes(data, bodyStart, bodyStart + length);
}

/**
 * The body in a buffer of its own: a view into the datagram would keep the whole datagram (head
 * included, already decoded) alive for as long as a dialog or transaction keeps the message.
 */
function ownBytes(data: Buffer, start: number, end: number): Buffer {
  if (end <= start) return NO_BODY;
  const body = Buffer.allocUnsafeSlow(end - start);
  data.copy(body, 0, start, end);
  return body;
}

const NO_BODY = Buffer.alloc(0);

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** A bit per header checked here; those in SINGLE_MASK may appear once only (RFC 4475 §3.3.8). */
function trackedBit(key: string): number {
  switch (key) {
    case 'call-id':
      return CALL_ID;
    case 'cseq':
      return CSEQ;
    case 'from':
      return FROM;
    case 'to':
      return TO;
    case 'max-forwards':
      return MAX_FORWARDS;
    case 'via':
      return VIA;
    case 'contact':
      return CONTACT;
    default:
      return 0;
  }
}
const CALL_ID = 1;
const CSEQ = 2;
const FROM = 4;
const TO = 8;
const MAX_FORWARDS = 16;
const VIA = 32;
const CONTACT = 64;
const SINGLE_MASK = CALL_ID | CSEQ | FROM | TO | MAX_FORWARDS;
const MANDATORY_ORDER = ['via', 'from', 'to', 'call-id', 'cseq'] as const;
/**
 * callid = word [ "@" word ] (RFC 3261 §25.1); word is the WORD class of char-classes, which has no `@`.
 * An expression: irregexp checks the ~50 characters several times faster than a charCodeAt loop.
 */
const CALL_ID_FORM = /^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+(?:@[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+)?$/;

/**
 * RFC 3261 §8.2.2 and §20: the mandatory headers are present, once, and readable; the CSeq method
 * matches the request method (RFC 4475 §3.1.2.17). Max-Forwards is optional (RFC 2543 peers) but
 * must be 0-255 when present. Via, From, To, Contact and the Request-URI are checked by scanners that
 * build nothing, so their views are parsed only when read; a field a scanner does not pass is parsed
 * here, which throws the parser's own error (or accepts what the scanner leaves to it).
 */
function validate(message: SipMessage): void {
  const headers = message.headers;
  const request = message.isRequest();
  let seen = 0;
  let unsure = 0;
  for (let i = 0; i < headers.size; i++) {
    const key = headers.keyAt(i);
    const bit = trackedBit(key);
    if (bit === 0) continue;
    if (seen & bit & SINGLE_MASK) throw headerError('multiple', key);
    seen |= bit;
    if ((unsure & bit) === 0 && !scanField(bit, headers.valueAt(i), request)) unsure |= bit;
  }
  for (const key of MANDATORY_ORDER) if (!(seen & trackedBit(key))) throw headerError('missing', key);
  if (!CALL_ID_FORM.test(message.callId)) throw headerError('invalid', 'call-id');
  const cseq = readHeader('cseq', () => message.cseq);
  if (unsure & VIA) readHeader('via', () => message.vias);
  if (unsure & FROM) readHeader('from', () => message.from);
  if (unsure & TO) readHeader('to', () => message.to);
  if (!message.isRequest()) return;
  if (cseq.method !== message.method) {
    // RFC 4475 §3.1.2.18: with an unknown method, 501 is the more future-proof answer.
    const [status, reason] = KNOWN_METHODS.has(message.method)
      ? [400, 'CSeq Method Mismatch']
      : [501, 'Not Implemented'];
    throw new SipParseError(`CSeq method ${cseq.method} differs from ${message.method}`, status, reason);
  }
  const maxForwards = headers.get('max-forwards');
  if (maxForwards !== undefined && !(isDigits(maxForwards) && maxForwards.length > 0 && Number(maxForwards) <= 255)) {
    throw headerError('invalid', 'max-forwards');
  }
  if (unsure & CONTACT) readHeader('contact', () => message.contacts);
  if (isCommonRequestUri(message.uri) || scanUri(message.uri, 0, message.uri.length, false)) return;
  const uri = readRequestUri(message);
  // RFC 3261 §19.1.1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
  if (uri.headers.size > 0) throw new SipParseError('Request-URI with headers', 400, 'Invalid Request-URI');
}

/**
 * Whether the scanner of a tracked header passes one field value: every Via, From, To (only the first
 * field of those is read, and a second is refused) and, in requests, every Contact but `*`.
 */
function scanField(bit: number, value: string, request: boolean): boolean {
  switch (bit) {
    case VIA:
      return isCommonVia(value) || scanHeaderList(value, scanVia);
    case FROM:
    case TO:
      return isCommonNameAddr(value) || scanNameAddr(value, 0, value.length);
    case CONTACT:
      return !request || isCommonNameAddr(value) || scanHeaderList(value, scanContact);
    default:
      return true;
  }
}

function readRequestUri(request: SipRequest): SipRequest['requestUri'] {
  try {
    return request.requestUri;
  } catch (error) {
    throw new SipParseError(`invalid Request-URI: ${messageOf(error)}`, 400, 'Invalid Request-URI', { cause: error });
  }
}

function readHeader<T>(key: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const e = headerError('invalid', key);
    throw new SipParseError(`${e.message}: ${messageOf(error)}`, 400, e.reason, { cause: error });
  }
}

/** A 400 whose reason phrase names the header (RFC 3261 §21.4.1: "Missing Call-ID Header Field"). */
function headerError(problem: 'missing' | 'multiple' | 'invalid', key: string): SipParseError {
  const name = displayName(key);
  if (problem === 'missing') return new SipParseError(`missing ${name}`, 400, `Missing ${name} Header Field`);
  if (problem === 'multiple') return new SipParseError(`several ${name} fields`, 400, `Multiple ${name} Header Fields`);
  return new SipParseError(`invalid ${name}`, 400, `Invalid ${name} Header Field`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

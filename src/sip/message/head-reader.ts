import { allInClass, TOKEN } from './char-classes';
import { headerKey, knownName, wireName } from './header-names';
import type { ParseLimits } from './parse-limits';
import { SipHeaders } from './sip-headers';
import { SipRequest } from './sip-message';
import { SipParseError } from './sip-parse-error';

export type StartLine =
  | { readonly kind: 'request'; readonly method: string; readonly uri: string }
  | { readonly kind: 'response'; readonly status: number; readonly reason: string };

/** The start line and raw header fields of a message, and the first problem met while reading them. */
export interface Head {
  readonly start: StartLine;
  /** Three slots a field: key (lower-case long form), name as written, value (see SipHeaders). */
  readonly slots: string[];
  /** A start-line or head-structure error; reading stops at a structural one (the fields so far are kept). */
  readonly error: SipParseError | null;
}

const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const SIP_VERSION = /^SIP\/[0-9]+\.[0-9]+$/i;
const NO_LIMITS: ParseLimits = { maxMessageBytes: Infinity, maxHeaders: Infinity, maxLineBytes: Infinity };

/**
 * Reads a decoded head (start line and header lines, without the empty line). Folded lines (RFC 3261
 * §7.3.1: a line starting with SP or HT continues the previous one) are joined with one SP; values are
 * trimmed; names are kept as written and keyed by their lower-case long form.
 */
export function readHead(text: string, limits: ParseLimits): Head {
  let eol = text.indexOf('\n');
  if (eol < 0) eol = text.length;
  const lineEnd = eol > 0 && text.charCodeAt(eol - 1) === CR ? eol - 1 : eol;
  const startText = text.slice(0, lineEnd);
  const start = parseStartLine(startText);
  let error = lineEnd > limits.maxLineBytes ? tooLong() : start.error;
  if (startText.includes('\r')) error ??= new SipParseError('bare CR in the start line');
  const slots: string[] = [];
  const structural = readFields(text, eol + 1, limits, slots);
  error ??= structural;
  return { start: start.line, slots, error };
}

function readFields(text: string, from: number, limits: ParseLimits, slots: string[]): SipParseError | null {
  let pos = from;
  let key = '';
  let name = '';
  let value = '';
  let open = false;
  // The next CR in the text, kept ahead of `pos` so finding a bare CR costs one pass in all.
  let nextCr = text.indexOf('\r', pos);
  const flush = (): void => {
    if (open) slots.push(key, name, value);
  };
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const lineEnd = eol > pos && text.charCodeAt(eol - 1) === CR ? eol - 1 : eol;
    if (lineEnd - pos > limits.maxLineBytes) return end(flush, tooLong());
    if (nextCr >= 0 && nextCr < pos) nextCr = text.indexOf('\r', pos);
    // A CR not ending a line could split the header for another parser down the line: refuse it.
    if (nextCr >= 0 && nextCr < lineEnd) return end(flush, new SipParseError('bare CR in a header line'));
    const c = text.charCodeAt(pos);
    if (lineEnd === pos) {
      pos = eol + 1; // only possible in a head that had no empty line before the end of the datagram
      continue;
    }
    if (c === SP || c === HT) {
      if (!open) return end(flush, new SipParseError('continuation line without a header field'));
      const more = text.slice(pos, lineEnd).trim();
      if (more.length > 0) value = value.length > 0 ? `${value} ${more}` : more;
    } else {
      flush();
      if (slots.length >= limits.maxHeaders * 3) {
        open = false;
        return new SipParseError('too many header fields', 400, 'Too Many Header Fields');
      }
      const colon = text.indexOf(':', pos);
      if (colon < 0 || colon > lineEnd) {
        open = false;
        return new SipParseError('header line without a colon');
      }
      let nameEnd = colon;
      while (nameEnd > pos && (text.charCodeAt(nameEnd - 1) === SP || text.charCodeAt(nameEnd - 1) === HT)) nameEnd--;
      // A known spelling is a token: only other names need the character check.
      const known = knownName(text, pos, nameEnd);
      if (known === null && !allInClass(text, TOKEN, pos, nameEnd)) {
        open = false;
        return new SipParseError('invalid header field name');
      }
      name = known === null ? wireName(text.slice(pos, nameEnd)) : known.name;
      key = known === null ? headerKey(name) : known.key;
      value = trimmedSlice(text, colon + 1, lineEnd);
      open = true;
    }
    pos = eol + 1;
  }
  flush();
  return null;
}

/** text.slice(start, end).trim() with one slice instead of two in the usual case (ASCII edges). */
function trimmedSlice(text: string, start: number, end: number): string {
  let s = start;
  let e = end;
  while (s < e && (text.charCodeAt(s) === SP || text.charCodeAt(s) === HT)) s++;
  while (e > s && (text.charCodeAt(e - 1) === SP || text.charCodeAt(e - 1) === HT)) e--;
  if (s === e) return '';
  const first = text.charCodeAt(s);
  const last = text.charCodeAt(e - 1);
  // Only characters up to SP or beyond ASCII can be whitespace that trim() would also remove.
  if (first <= SP || first >= 0x80 || last <= SP || last >= 0x80) return text.slice(s, e).trim();
  return text.slice(s, e);
}

function end(flush: () => void, error: SipParseError): SipParseError {
  flush();
  return error;
}

function tooLong(): SipParseError {
  return new SipParseError('header line too long', 400, 'Line Too Long');
}

/**
 * Request-Line = Method SP Request-URI SP SIP-Version (exactly one SP each, RFC 4475 §3.1.2.9/10);
 * Status-Line = SIP-Version SP Status-Code SP Reason-Phrase, the code 3 digits 100-699 (§3.1.2.19).
 * A request line that cannot be read still yields a best-effort method so an ACK is never answered.
 */
export function parseStartLine(line: string): { line: StartLine; error: SipParseError | null } {
  if (startsWithSipSlash(line)) return parseStatusLine(line);
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  const method = sp1 < 0 ? line : line.slice(0, sp1);
  if (sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0 || sp2 === sp1 + 1 || sp2 === line.length - 1) {
    return badRequestLine(method, sp1 < 0 ? '' : line.slice(sp1 + 1, sp2 < 0 ? line.length : sp2));
  }
  const uri = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  const request: StartLine = { kind: 'request', method, uri };
  if (!allInClass(method, TOKEN)) return { line: request, error: new SipParseError('invalid method') };
  if (version !== 'SIP/2.0' && version.toUpperCase() !== 'SIP/2.0') {
    return SIP_VERSION.test(version)
      ? { line: request, error: new SipParseError(`SIP version ${version}`, 505, 'Version Not Supported') }
      : { line: request, error: new SipParseError('invalid SIP version') };
  }
  return { line: request, error: null };
}

function badRequestLine(method: string, uri: string): { line: StartLine; error: SipParseError } {
  return {
    line: { kind: 'request', method: allInClass(method, TOKEN) ? method : 'UNKNOWN', uri },
    error: new SipParseError('malformed request line', 400, 'Malformed Request Line'),
  };
}

function parseStatusLine(line: string): { line: StartLine; error: SipParseError | null } {
  const sp = line.indexOf(' ');
  const version = sp < 0 ? line : line.slice(0, sp);
  const codeEnd = sp < 0 ? -1 : line.indexOf(' ', sp + 1);
  const code = sp < 0 ? '' : line.slice(sp + 1, codeEnd < 0 ? line.length : codeEnd);
  const status = isStatusCode(code) ? Number(code) : 0;
  const response: StartLine = { kind: 'response', status, reason: codeEnd < 0 ? '' : line.slice(codeEnd + 1) };
  if (version !== 'SIP/2.0' && version.toUpperCase() !== 'SIP/2.0') {
    return { line: response, error: new SipParseError('response version') };
  }
  if (status === 0) return { line: response, error: new SipParseError('invalid status code') };
  return { line: response, error: null };
}

/** `SIP/` in any case at the start: a status line. */
function startsWithSipSlash(line: string): boolean {
  return (
    line.length >= 4 &&
    (line.charCodeAt(0) | 0x20) === 0x73 /* s */ &&
    (line.charCodeAt(1) | 0x20) === 0x69 /* i */ &&
    (line.charCodeAt(2) | 0x20) === 0x70 /* p */ &&
    line.charCodeAt(3) === 0x2f /* / */
  );
}

/** Three digits, 100 to 699 (RFC 4475 §3.1.2.19). */
function isStatusCode(code: string): boolean {
  if (code.length !== 3) return false;
  const a = code.charCodeAt(0);
  const b = code.charCodeAt(1);
  const c = code.charCodeAt(2);
  return a >= 0x31 && a <= 0x36 && b >= 0x30 && b <= 0x39 && c >= 0x30 && c <= 0x39;
}

/**
 * The request a broken head describes, as far as it can be read, so the transport can still
 * answer it (RFC 3261 §21.4.1); undefined when the head is a response's (those are dropped).
 */
export function readPartialRequest(head: Buffer, limits: ParseLimits = NO_LIMITS): SipRequest | undefined {
  let start = 0;
  while (start < head.length && (head[start] === CR || head[start] === 0x0a)) start++;
  const read = readHead(head.toString('utf8', start), limits);
  return partialOf(read);
}

export function partialOf(read: Head): SipRequest | undefined {
  if (read.start.kind !== 'request') return undefined;
  return new SipRequest({
    method: read.start.method,
    uri: read.start.uri,
    headers: SipHeaders.adoptSlots(read.slots.slice()),
  });
}

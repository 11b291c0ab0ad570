import { inClass, isLws, TOKEN } from './char-classes';
import { formatHeaderParams, parseHeaderParams, skipLws } from './header-params';
import { SipParseError } from './sip-parse-error';
import { parseHostPort } from './sip-uri';

/** One Via header value (RFC 3261 §20.42), `SIP/2.0/UDP host:port;branch=...;rport`. */
export interface Via {
  readonly protocol: string; // upper-case transport: 'UDP' | 'TCP' | 'TLS' | 'SCTP' | 'WS' | ...
  readonly host: string; // lower-case; IPv6 with brackets
  readonly port: number | null;
  readonly params: ReadonlyMap<string, string | null>;
}

/**
 * via-parm = sent-protocol LWS sent-by *( SEMI via-params ), sent-protocol = "SIP" SLASH "2.0"
 * SLASH transport, with LWS allowed around the slashes (RFC 4475 §3.1.1.1). Parameter names are
 * case-insensitive (stored lower-case); `received` may hold an IPv6 address without brackets.
 */
export function parseVia(text: string): Via {
  let i = skipLws(text, 0);
  const nameStart = i;
  const nameEnd = tokenEnd(text, i);
  i = expectSlash(text, nameEnd);
  const versionStart = i;
  const versionEnd = tokenEnd(text, i);
  i = expectSlash(text, versionEnd);
  const transportStart = i;
  const afterTransport = tokenEnd(text, i);
  if (
    !isSipName(text, nameStart, nameEnd) ||
    versionEnd - versionStart !== 3 ||
    !text.startsWith('2.0', versionStart)
  ) {
    throw new SipParseError('Via protocol is not SIP/2.0');
  }
  if (afterTransport === transportStart) throw new SipParseError('Via without transport');
  const protocol = text.slice(transportStart, afterTransport).toUpperCase();
  i = skipLws(text, afterTransport);
  if (i === afterTransport) throw new SipParseError('Via without LWS before sent-by');
  const hostStart = i;
  if (text.charCodeAt(i) === 0x5b /* [ */) i = text.indexOf(']', i) + 1;
  if (i <= 0) throw new SipParseError('unterminated IPv6 reference in Via');
  while (i < text.length && !isLws(text.charCodeAt(i)) && text.charCodeAt(i) !== 0x3b /* ; */) i++;
  let hostEnd = i;
  i = skipLws(text, i);
  if (text.charCodeAt(i) === 0x3a /* : */ && hostEnd === hostStart) throw new SipParseError('Via without host');
  // LWS before the port colon is tolerated: `host : 5060`.
  if (text.charCodeAt(i) === 0x3a) {
    const portStart = skipLws(text, i + 1);
    let portEnd = portStart;
    while (portEnd < text.length && text.charCodeAt(portEnd) >= 0x30 && text.charCodeAt(portEnd) <= 0x39) portEnd++;
    const sentBy = text.slice(hostStart, hostEnd) + ':' + text.slice(portStart, portEnd);
    const { host, port } = parseSentBy(sentBy, 0, sentBy.length);
    return { protocol, host, port, params: parseHeaderParams(text, portEnd, 'Via') };
  }
  hostEnd = Math.max(hostEnd, hostStart);
  const { host, port } = parseSentBy(text, hostStart, hostEnd);
  return { protocol, host, port, params: parseHeaderParams(text, hostEnd, 'Via') };
}

function parseSentBy(text: string, start: number, end: number): { host: string; port: number | null } {
  if (end <= start) throw new SipParseError('Via without sent-by');
  try {
    return parseHostPort(text, start, end);
  } catch (e) {
    throw new SipParseError(`invalid Via sent-by: ${text.slice(start, end).slice(0, 100)}`, 400, 'Bad Request', {
      cause: e,
    });
  }
}

/** The index just past the token starting at `start`. */
function tokenEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length && inClass(text.charCodeAt(i), TOKEN)) i++;
  return i;
}

/** text[start, end) is `SIP` in any case. */
function isSipName(text: string, start: number, end: number): boolean {
  return (
    end - start === 3 &&
    (text.charCodeAt(start) | 0x20) === 0x73 &&
    (text.charCodeAt(start + 1) | 0x20) === 0x69 &&
    (text.charCodeAt(start + 2) | 0x20) === 0x70
  );
}

function expectSlash(text: string, start: number): number {
  const i = skipLws(text, start);
  if (text.charCodeAt(i) !== 0x2f /* / */) throw new SipParseError('malformed Via sent-protocol');
  return skipLws(text, i + 1);
}

export function formatVia(via: Via): string {
  const port = via.port === null ? '' : `:${via.port}`;
  return `SIP/2.0/${via.protocol} ${via.host}${port}${formatHeaderParams(via.params)}`;
}

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
  const [name, afterName] = readToken(text, i);
  i = expectSlash(text, afterName);
  const [version, afterVersion] = readToken(text, i);
  i = expectSlash(text, afterVersion);
  const [transport, afterTransport] = readToken(text, i);
  if (name.toUpperCase() !== 'SIP' || version !== '2.0') throw new SipParseError('Via protocol is not SIP/2.0');
  if (transport.length === 0) throw new SipParseError('Via without transport');
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
    const { host, port } = parseSentBy(sentBy);
    return { protocol: transport.toUpperCase(), host, port, params: parseHeaderParams(text, portEnd, 'Via') };
  }
  hostEnd = Math.max(hostEnd, hostStart);
  const { host, port } = parseSentBy(text.slice(hostStart, hostEnd));
  return { protocol: transport.toUpperCase(), host, port, params: parseHeaderParams(text, hostEnd, 'Via') };
}

function parseSentBy(sentBy: string): { host: string; port: number | null } {
  if (sentBy.length === 0) throw new SipParseError('Via without sent-by');
  try {
    return parseHostPort(sentBy, 0, sentBy.length);
  } catch (e) {
    throw new SipParseError(`invalid Via sent-by: ${sentBy.slice(0, 100)}`, 400, 'Bad Request', { cause: e });
  }
}

function readToken(text: string, start: number): [string, number] {
  let i = start;
  while (i < text.length && inClass(text.charCodeAt(i), TOKEN)) i++;
  return [text.slice(start, i), i];
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

import { HOST, inClass, isLws, TOKEN } from './char-classes';
import { skipLws } from './header-params';
import { scanHeaderParams } from './header-params-scanner';
import { isIpv6 } from './ip-address';
import { parsePort } from './sip-uri';
import { indexIn, scanHostPort } from './uri-scanner';

/**
 * Whether parseVia would accept text[start, end): `SIP / 2.0 / transport LWS sent-by *(;params)`, LWS
 * allowed around the slashes and before the port colon. By index, building nothing: every Via of every
 * message is checked, and only the top one is usually read.
 */
export function scanVia(text: string, start: number, end: number): boolean {
  const nameStart = skipLws(text, start, end);
  const nameEnd = tokenEnd(text, nameStart, end);
  const versionStart = afterSlash(text, nameEnd, end);
  if (versionStart < 0) return false;
  const versionEnd = tokenEnd(text, versionStart, end);
  const transportStart = afterSlash(text, versionEnd, end);
  if (transportStart < 0) return false;
  const transportEnd = tokenEnd(text, transportStart, end);
  if (!isSip20(text, nameStart, nameEnd, versionStart, versionEnd) || transportEnd === transportStart) return false;
  const hostStart = skipLws(text, transportEnd, end);
  if (hostStart === transportEnd) return false;
  if (hostStart < end && text.charCodeAt(hostStart) === 0x5b /* [ */) return scanIpv6SentBy(text, hostStart, end);
  // host [":" port] in one pass; the sent-by ends at LWS, `;` or the end.
  let i = hostStart;
  while (i < end && inClass(text.charCodeAt(i), HOST)) i++;
  if (i === hostStart) return false;
  let portEnd = -1;
  if (i < end && text.charCodeAt(i) === 0x3a /* : */) {
    const portStart = i + 1;
    i = digitsEnd(text, portStart, end);
    if (parsePort(text, portStart, i) < 0) return false;
    portEnd = i;
  }
  if (i < end && !isLws(text.charCodeAt(i)) && text.charCodeAt(i) !== 0x3b /* ; */) return false;
  const afterLws = skipLws(text, i, end);
  if (afterLws < end && text.charCodeAt(afterLws) === 0x3a) {
    // `host : port`, read by the parser as host + ':' + digits: a host that had its own port is refused.
    if (portEnd >= 0) return false;
    const portStart = skipLws(text, afterLws + 1, end);
    const lwsPortEnd = digitsEnd(text, portStart, end);
    return parsePort(text, portStart, lwsPortEnd) >= 0 && scanHeaderParams(text, lwsPortEnd, end);
  }
  return scanHeaderParams(text, i, end);
}

/** The rare sent-by that is an IPv6 reference, checked as parseVia reads it (several passes). */
function scanIpv6SentBy(text: string, hostStart: number, end: number): boolean {
  let i = indexIn(text, 0x5d /* ] */, hostStart, end) + 1;
  if (i <= 0) return false;
  while (i < end && !isLws(text.charCodeAt(i)) && text.charCodeAt(i) !== 0x3b /* ; */) i++;
  const hostEnd = i;
  i = skipLws(text, i, end);
  if (i < end && text.charCodeAt(i) === 0x3a /* : */) {
    const portStart = skipLws(text, i + 1, end);
    const portEnd = digitsEnd(text, portStart, end);
    return (
      isHostBeforeColon(text, hostStart, hostEnd) &&
      parsePort(text, portStart, portEnd) >= 0 &&
      scanHeaderParams(text, portEnd, end)
    );
  }
  return scanHostPort(text, hostStart, hostEnd) && scanHeaderParams(text, hostEnd, end);
}

function digitsEnd(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
  return i;
}

/** A bracketed IPv6 reference and nothing more, as the parser needs before ` : port`. */
function isHostBeforeColon(text: string, start: number, end: number): boolean {
  const close = indexIn(text, 0x5d, start, end);
  return close === end - 1 && isIpv6(text, start + 1, close);
}

function tokenEnd(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && inClass(text.charCodeAt(i), TOKEN)) i++;
  return i;
}

/** Past `LWS / LWS` at `start`, or -1 when there is no slash. */
function afterSlash(text: string, start: number, end: number): number {
  const i = skipLws(text, start, end);
  if (i >= end || text.charCodeAt(i) !== 0x2f /* / */) return -1;
  return skipLws(text, i + 1, end);
}

/** The sent-protocol's name is `SIP` in any case and its version exactly `2.0`. */
function isSip20(text: string, nameStart: number, nameEnd: number, versionStart: number, versionEnd: number): boolean {
  return (
    nameEnd - nameStart === 3 &&
    (text.charCodeAt(nameStart) | 0x20) === 0x73 &&
    (text.charCodeAt(nameStart + 1) | 0x20) === 0x69 &&
    (text.charCodeAt(nameStart + 2) | 0x20) === 0x70 &&
    versionEnd - versionStart === 3 &&
    text.startsWith('2.0', versionStart)
  );
}

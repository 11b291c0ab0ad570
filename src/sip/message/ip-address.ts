import { isHexDigit } from './char-classes';

/**
 * RFC 4291 §2.2 textual IPv6 in s[start, end), optionally ending in dotted IPv4; a zone is not allowed
 * in SIP. By index, so the parser and the scanners check a reference in place.
 */
export function isIpv6(s: string, start = 0, end = s.length): boolean {
  if (end - start < 2 || end - start > 45) return false;
  const double = indexOfDoubleColon(s, start, end);
  if (double >= 0 && indexOfDoubleColon(s, double + 1, end) >= 0) return false;
  let count = 0;
  let groupStart = start;
  for (let i = start; i <= end; i++) {
    if (i < end && s.charCodeAt(i) !== 0x3a /* : */) continue;
    // An empty group is part of '::' (checked above) or a leading/trailing ':' of '::'.
    if (i > groupStart) {
      const dot = i === end ? s.indexOf('.', groupStart) : -1;
      if (dot >= 0 && dot < end) {
        if (!isIpv4(s, groupStart, end)) return false;
        count += 2;
      } else {
        if (i - groupStart > 4) return false;
        for (let k = groupStart; k < i; k++) if (!isHexDigit(s.charCodeAt(k))) return false;
        count++;
      }
    }
    groupStart = i + 1;
  }
  const leading = s.charCodeAt(start) === 0x3a;
  const trailing = s.charCodeAt(end - 1) === 0x3a;
  if (double < 0) return count === 8 && !leading && !trailing;
  if ((leading && double !== start) || (trailing && double !== end - 2)) return false;
  return count < 8;
}

/** Four dot-separated decimal octets, 1 to 3 digits each, 0-255, in s[start, end). */
export function isIpv4(s: string, start = 0, end = s.length): boolean {
  let parts = 0;
  let partStart = start;
  for (let i = start; i <= end; i++) {
    if (i < end && s.charCodeAt(i) !== 0x2e /* . */) continue;
    if (++parts > 4 || !isOctet(s, partStart, i)) return false;
    partStart = i + 1;
  }
  return parts === 4;
}

function isOctet(s: string, start: number, end: number): boolean {
  if (end <= start || end - start > 3) return false;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return false;
    v = v * 10 + d;
  }
  return v <= 255;
}

function indexOfDoubleColon(s: string, from: number, end: number): number {
  for (let i = from; i + 1 < end; i++) if (s.charCodeAt(i) === 0x3a && s.charCodeAt(i + 1) === 0x3a) return i;
  return -1;
}

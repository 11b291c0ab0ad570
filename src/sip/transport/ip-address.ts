import { isIP } from 'node:net';

const MAPPED_PREFIX = '::ffff:';

/** `[2001:db8::1]` → `2001:db8::1`; anything else unchanged. */
export function stripBrackets(host: string): string {
  return host.length > 1 && host.charCodeAt(0) === 0x5b && host.charCodeAt(host.length - 1) === 0x5d
    ? host.slice(1, -1)
    : host;
}

/** A host as it goes in a Via sent-by or URI: IPv6 references in brackets (RFC 3261 §25.1). */
export function hostReference(address: string): string {
  return address.includes(':') && address.charCodeAt(0) !== 0x5b ? `[${address}]` : address;
}

/** A dual-stack socket reports IPv4 peers as `::ffff:a.b.c.d`; the peer really is `a.b.c.d`. */
export function unmapIpv4(address: string): string {
  if (address.length > MAPPED_PREFIX.length && address.slice(0, MAPPED_PREFIX.length).toLowerCase() === MAPPED_PREFIX) {
    const v4 = address.slice(MAPPED_PREFIX.length);
    if (isIP(v4) === 4) return v4;
  }
  return address;
}

/** 4, 6, or 0 when `host` (brackets allowed) is not an IP literal but a domain name. */
export function ipFamily(host: string): 0 | 4 | 6 {
  return isIP(stripBrackets(host)) as 0 | 4 | 6;
}

/** True when both are the same IP address, whatever the IPv6 spelling (`::1` = `0:0::1`, brackets, mapped IPv4). */
export function sameIp(a: string, b: string): boolean {
  const x = unmapIpv4(stripBrackets(a));
  const y = unmapIpv4(stripBrackets(b));
  if (x === y) return isIP(x) !== 0;
  if (isIP(x) !== 6 || isIP(y) !== 6) return false;
  return expandIpv6(x) === expandIpv6(y);
}

/** The key a connection to an address and port is found under. */
export function endpointKey(address: string, port: number): string {
  return `${unmapIpv4(stripBrackets(address)).toLowerCase()}|${port}`;
}

/** Eight four-digit lower-case groups; an embedded IPv4 tail is turned into two groups. */
function expandIpv6(address: string): string {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (isIP(tail) === 4) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(Math.max(0, zeros)).fill('0'), ...right];
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

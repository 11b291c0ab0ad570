import { isIPv4, isIPv6 } from 'node:net';

/** The 4 or 16 bytes of an IPv4 or IPv6 address in text form, or null when it is neither. */
export function ipToBytes(text: string): Buffer | null {
  if (isIPv4(text)) return Buffer.from(text.split('.').map((part) => Number(part)));
  if (!isIPv6(text)) return null;
  const zoneless = text.split('%')[0] ?? '';
  let head = zoneless;
  let tailV4: number[] = [];
  const lastColon = zoneless.lastIndexOf(':');
  const lastPart = zoneless.slice(lastColon + 1);
  if (lastPart.includes('.')) {
    tailV4 = lastPart.split('.').map((part) => Number(part));
    head = `${zoneless.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left.length > 0 ? left.split(':') : [];
  const rightGroups = right !== undefined && right.length > 0 ? right.split(':') : [];
  const zeros = right === undefined ? 0 : 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...Array<string>(zeros).fill('0'), ...rightGroups];
  const out = Buffer.alloc(16);
  groups.forEach((group, i) => out.writeUInt16BE(parseInt(group, 16), i * 2));
  if (tailV4.length === 4) Buffer.from(tailV4).copy(out, 12);
  return out;
}

/** The text form of 4 or 16 address bytes (IPv6 compressed as RFC 5952 says). */
export function bytesToIp(bytes: Buffer): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // The WHATWG URL parser serialises IPv6 hosts in the RFC 5952 canonical form.
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

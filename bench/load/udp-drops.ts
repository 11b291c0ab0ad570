import { readFile } from 'node:fs/promises';

/**
 * The machine's count of UDP datagrams dropped because a socket's receive buffer was full (Linux's
 * `Udp: RcvbufErrors` in /proc/net/snmp); NaN where it cannot be read. Over loopback a drop is a
 * retransmission 500 ms later (RFC 3261 T1), so a step with drops has a p99 of half a second or more.
 */
export async function udpReceiveBufferDrops(): Promise<number> {
  try {
    return parseRcvbufErrors(await readFile('/proc/net/snmp', 'utf8'));
  } catch {
    return NaN;
  }
}

export function parseRcvbufErrors(snmp: string): number {
  const [names, values] = snmp.split('\n').filter((line) => line.startsWith('Udp: '));
  if (!names || !values) return NaN;
  const at = names.split(/\s+/).indexOf('RcvbufErrors');
  return at < 0 ? NaN : Number(values.split(/\s+/)[at]);
}

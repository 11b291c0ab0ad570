import { readdir, readFile, readlink } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { isFree, type PortProtocol } from './free-port';

const POLL_MS = 25;
/** `st` column in /proc/net/tcp*: 0A is LISTEN; in /proc/net/udp*: 07 is a bound socket. */
const BOUND_STATE: Record<PortProtocol, string> = { tcp: '0A', udp: '07' };

export interface ListeningProbe {
  pid: number;
  protocol: PortProtocol;
  host: string;
  port: number;
}

/**
 * Whether process `pid` has a socket bound (UDP) or listening (TCP) on `port`.
 * On Linux this reads /proc (no packet is sent, nothing is bound); elsewhere it falls back to
 * trying to bind the port, which reports "in use" once the process holds it.
 */
export async function isListening(probe: ListeningProbe): Promise<boolean> {
  const inodes = await socketInodes(probe.pid);
  if (inodes === undefined) return !(await isFree(probe.protocol, probe.host, probe.port));
  for (const table of [probe.protocol, `${probe.protocol}6`]) {
    if (await tableHasPort(`/proc/net/${table}`, probe.port, BOUND_STATE[probe.protocol], inodes)) return true;
  }
  return false;
}

/**
 * Polls `isListening` every 25 ms until it holds, `stillRunning()` turns false or `timeoutMs` passes.
 * Returns whether the socket was seen; the number of polls is bounded by the timeout.
 */
export async function waitUntilListening(
  probe: ListeningProbe,
  timeoutMs: number,
  stillRunning: () => boolean,
): Promise<boolean> {
  const polls = Math.max(1, Math.ceil(timeoutMs / POLL_MS));
  for (let i = 0; i < polls; i++) {
    if (!stillRunning()) return false;
    if (await isListening(probe)) return true;
    await delay(POLL_MS);
  }
  return false;
}

/** Inodes of the sockets `pid` holds, or undefined when /proc is not there to tell. */
async function socketInodes(pid: number): Promise<Set<string> | undefined> {
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch (err: unknown) {
    if (isErrno(err, 'ENOENT') && !(await procAvailable())) return undefined;
    return new Set();
  }
  const inodes = new Set<string>();
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1] !== undefined) inodes.add(match[1]);
  }
  return inodes;
}

async function tableHasPort(path: string, port: number, state: string, inodes: Set<string>): Promise<boolean> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of text.split('\n').slice(1)) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    if (local?.endsWith(portHex) && cols[3] === state && inodes.has(cols[9] ?? '')) return true;
  }
  return false;
}

async function procAvailable(): Promise<boolean> {
  return readdir('/proc/self/fd').then(
    () => true,
    () => false,
  );
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

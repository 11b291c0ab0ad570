import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { SippHarnessError } from './sipp-error';

export type PortProtocol = 'udp' | 'tcp';

const LOOPBACKS = new Set(['127.0.0.1', '::1']);

/** True for the loopback addresses the harness may use (127.0.0.0/8 and ::1). */
export function isLoopback(host: string): boolean {
  return LOOPBACKS.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * A port that was free a moment ago on `host` for `protocol`: binds port 0, reads the port the
 * kernel chose and closes. Another process may take it before the caller binds; callers that
 * cannot tolerate that race must bind port 0 themselves.
 */
export async function freePort(protocol: PortProtocol, host = '127.0.0.1'): Promise<number> {
  if (!isLoopback(host)) throw new SippHarnessError('SIPP.NOT_LOOPBACK', `freePort only binds loopback, not ${host}`);
  return protocol === 'udp' ? bindUdp(host, 0) : bindTcp(host, 0);
}

/**
 * A port free for both UDP and TCP on `host`, for a server that listens on both with one number.
 * Tries at most `attempts` kernel-chosen TCP ports.
 */
export async function freeDualPort(host = '127.0.0.1', attempts = 20): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const port = await freePort('tcp', host);
    if (await isFree('udp', host, port)) return port;
  }
  throw new SippHarnessError('SIPP.NO_FREE_PORT', `no port free for UDP and TCP on ${host} after ${attempts} attempts`);
}

/** Whether `port` can be bound right now on `host` for `protocol` (binds and closes at once). */
export async function isFree(protocol: PortProtocol, host: string, port: number): Promise<boolean> {
  if (!isLoopback(host)) throw new SippHarnessError('SIPP.NOT_LOOPBACK', `isFree only binds loopback, not ${host}`);
  try {
    await (protocol === 'udp' ? bindUdp(host, port) : bindTcp(host, port));
    return true;
  } catch (err: unknown) {
    if (isErrno(err, 'EADDRINUSE') || isErrno(err, 'EACCES')) return false;
    throw err;
  }
}

function bindUdp(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind({ address: host, port, exclusive: true }, () => {
      const chosen = socket.address().port;
      socket.close(() => resolve(chosen));
    });
  });
}

function bindTcp(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(chosen));
    });
  });
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

/**
 * The ports the harness picks for SIPp come from below Linux's default ephemeral range (32768-60999):
 * a port free when checked there cannot be handed to anyone's bind to port 0 (a server's, a client's)
 * before SIPp binds it, as one taken from `freePort` could (CI saw SIPp exit with "Unable to bind video
 * RTP socket"). A counter keeps this process's SIPps apart; other processes' explicit binds are what
 * `isFree` is for.
 */
export const SIPP_PORTS = { first: 20_000, last: 32_000 } as const;
/** Each pick takes four: SIPp's RTP at p and p+2, and what it may use for RTCP at p+1 and p+3. */
const PICK_STEP = 4;
let nextPick = SIPP_PORTS.first + ((process.pid * PICK_STEP) % (SIPP_PORTS.last - SIPP_PORTS.first));

async function pickPort(usable: (port: number) => Promise<boolean>): Promise<number> {
  for (let attempt = 0; attempt < (SIPP_PORTS.last - SIPP_PORTS.first) / PICK_STEP; attempt++) {
    const port = nextPick;
    nextPick += PICK_STEP;
    if (nextPick + 3 > SIPP_PORTS.last) nextPick = SIPP_PORTS.first;
    if (await usable(port)) return port;
  }
  throw new SippHarnessError('SIPP.NO_FREE_PORT', `no free port in ${SIPP_PORTS.first}-${SIPP_PORTS.last} for SIPp`);
}

/** A port for SIPp's main socket (`-p`), free for `protocol`. */
export function freeSippPort(protocol: PortProtocol, host: string): Promise<number> {
  if (!isLoopback(host))
    throw new SippHarnessError('SIPP.NOT_LOOPBACK', `freeSippPort only binds loopback, not ${host}`);
  return pickPort((port) => isFree(protocol, host, port));
}

/** A UDP port p with p+2 also free (SIPp's RTP echo binds both), for `-mp`. */
export function freeMediaPort(host: string): Promise<number> {
  return pickPort(async (port) => (await isFree('udp', host, port)) && (await isFree('udp', host, port + 2)));
}

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
 * Media ports come from below Linux's default ephemeral range (32768-60999): a port free when checked
 * there cannot be handed to anyone's bind to port 0 (a server's, another SIPp's main socket) before
 * SIPp binds it, as one taken from `freePort` could (CI saw SIPp exit with "Unable to bind video RTP
 * socket"). A counter keeps this process's SIPps apart; other processes' explicit binds are what
 * `isFree` is for.
 */
export const MEDIA_PORTS = { first: 20_000, last: 32_000 } as const;
/** Each SIPp takes four: audio and video RTP at p and p+2, and what it may use for RTCP at p+1 and p+3. */
const MEDIA_PORT_STEP = 4;
let nextMediaPort = MEDIA_PORTS.first + ((process.pid * MEDIA_PORT_STEP) % (MEDIA_PORTS.last - MEDIA_PORTS.first));

/** A UDP port p with p+2 also free (SIPp's RTP echo binds both), for `-mp`. */
export async function freeMediaPort(host: string): Promise<number> {
  const span = MEDIA_PORTS.last - MEDIA_PORTS.first;
  for (let attempt = 0; attempt < span / MEDIA_PORT_STEP; attempt++) {
    const port = nextMediaPort;
    nextMediaPort += MEDIA_PORT_STEP;
    if (nextMediaPort + 2 > MEDIA_PORTS.last) nextMediaPort = MEDIA_PORTS.first;
    if ((await isFree('udp', host, port)) && (await isFree('udp', host, port + 2))) return port;
  }
  throw new Error(`no free media port pair on ${host} in ${MEDIA_PORTS.first}-${MEDIA_PORTS.last}`);
}

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

/** A UDP port p with p+2 also free (SIPp's RTP echo binds both), for `-mp`. */
export async function freeMediaPort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort('udp', host);
    if (port + 2 <= 65535 && (await isFree('udp', host, port + 2))) return port;
  }
  throw new Error(`no free media port pair on ${host}`);
}

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { silentLogger } from '../../../../src/observability/logger';
import type { SipMessage, SipRequest } from '../../../../src/sip/message/sip-message';
import type { ListenSpec, TransportLimits, TransportListener } from '../../../../src/sip/transport/transport';
import { SipTransportLayer, type TransportLayerOptions } from '../../../../src/sip/transport/transport-layer';

export const WAIT_MS = 2000;

export const testLimits: TransportLimits = {
  maxMessageBytes: 4096,
  maxHeaders: 64,
  maxLineBytes: 1024,
  maxTcpConnections: 100,
  maxConnectionsPerSource: 0,
  tcpIdleTimeoutMs: 30_000,
  tlsHandshakeTimeoutMs: 5000,
  maxTlsHandshakes: 100,
};

/** Rejects after `ms` with a message naming what was awaited. */
export function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const POLL_MS = 5;

/** Waits until `condition` holds, checking every few milliseconds, for at most `ms`. */
export async function until(condition: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  for (let waited = 0; !condition(); waited += POLL_MS) {
    if (waited >= ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A queue of what arrived, with a way to await the next item. */
class Queue<T> {
  private readonly items: T[] = [];
  private readonly waiters: ((item: T) => void)[] = [];

  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  next(what: string, ms = WAIT_MS): Promise<T> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift() as T);
    let waiter: ((item: T) => void) | undefined;
    const arrival = new Promise<T>((resolve) => {
      waiter = resolve;
      this.waiters.push(resolve);
    });
    return within(arrival, what, ms).finally(() => {
      const at = waiter === undefined ? -1 : this.waiters.indexOf(waiter);
      if (at >= 0) this.waiters.splice(at, 1);
    });
  }
}

/** The transport listener of a test: every message the layer hands up, in order. */
export class Inbox implements TransportListener {
  private readonly queue = new Queue<SipMessage>();

  onMessage(message: SipMessage): void {
    this.queue.push(message);
  }

  next(ms?: number): Promise<SipMessage> {
    return this.queue.next('a message at the transport listener', ms);
  }

  async nextRequest(ms?: number): Promise<SipRequest> {
    const message = await this.next(ms);
    if (!message.isRequest()) throw new Error(`expected a request, got a ${message.status} response`);
    return message;
  }
}

export async function startLayer(
  listen: ListenSpec[],
  overrides: Partial<TransportLayerOptions> = {},
): Promise<{ layer: SipTransportLayer; inbox: Inbox }> {
  const inbox = new Inbox();
  const layer = await SipTransportLayer.start({
    listen,
    limits: testLimits,
    listener: inbox,
    logger: silentLogger(),
    ...overrides,
  });
  return { layer, inbox };
}

export function portOf(layer: SipTransportLayer, protocol: 'udp' | 'tcp', host: string): number {
  const bound = layer.addresses().find((a) => a.protocol === protocol && a.host === host);
  if (!bound) throw new Error(`layer not bound on ${protocol} ${host}`);
  return bound.port;
}

/** A plain UDP socket on loopback playing the remote party. */
export class UdpPeer {
  private readonly queue = new Queue<{ text: string; port: number; address: string }>();

  private constructor(readonly socket: UdpSocket) {
    socket.on('message', (data, rinfo) =>
      this.queue.push({ text: data.toString('utf8'), port: rinfo.port, address: rinfo.address }),
    );
  }

  static async open(host = '127.0.0.1'): Promise<UdpPeer> {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => resolve());
    });
    return new UdpPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: string | Buffer, port: number, host = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(data, port, host, (e) => (e ? reject(e) : resolve())));
  }

  next(ms?: number): Promise<{ text: string; port: number; address: string }> {
    return this.queue.next(`a datagram at UDP port ${this.port}`, ms);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A plain TCP client: collects what the server sends and tells when the server closed. */
export class TcpPeer {
  received = '';
  readonly closed: Promise<void>;
  private readonly changes = new Queue<void>();

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (data) => {
      this.received += data.toString('utf8');
      this.changes.push();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
  }

  /** Connects to host:port, from `localAddress` when given (any 127.x.y.z is a distinct source on loopback). */
  static async connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<TcpPeer> {
    const socket = connect({ port, host, ...(localAddress ? { localAddress } : {}) });
    await within(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      }),
      `a TCP connection to ${host}:${port}`,
    );
    return new TcpPeer(socket);
  }

  /**
   * Resolves once a new connection to host:port is refused: reset or closed by the server before it sends
   * anything (the reset may even beat the client's own connect event). Rejects if it stays open.
   */
  static async refused(port: number, host = '127.0.0.1', localAddress?: string): Promise<void> {
    let peer: TcpPeer;
    try {
      peer = await TcpPeer.connect(port, host, localAddress);
    } catch (error) {
      if ((error as { code?: string }).code === 'ECONNRESET') return;
      throw error;
    }
    await peer.waitClosed(`the server to refuse a connection from ${localAddress ?? 'the default address'}`);
    if (peer.received !== '') throw new Error(`a refused connection got data: ${JSON.stringify(peer.received)}`);
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (e) => (e ? reject(e) : resolve())));
  }

  /** Waits until what was received satisfies `done` (bounded by the timeout). */
  async waitFor(done: (received: string) => boolean, what: string, ms = WAIT_MS): Promise<string> {
    const deadline = Date.now() + ms;
    while (!done(this.received)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.received)}`);
      await this.changes.next(what, left);
    }
    return this.received;
  }

  waitClosed(what = 'the server to close the connection', ms = WAIT_MS): Promise<void> {
    return within(this.closed, what, ms);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** True when this host has an IPv6 loopback to bind to. */
export async function ipv6LoopbackAvailable(): Promise<boolean> {
  const socket = createSocket('udp6');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '::1', () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    socket.close();
  }
}

export interface RequestOptions {
  method?: string;
  callId?: string;
  via?: string;
  body?: string;
  /** false leaves Content-Length out. */
  contentLength?: boolean;
  extra?: string;
}

/** A well-formed request as raw text; `via` is the whole Via value. */
export function rawRequest(opts: RequestOptions = {}): string {
  const method = opts.method ?? 'OPTIONS';
  const body = opts.body ?? '';
  return (
    `${method} sip:as@127.0.0.1 SIP/2.0\r\n` +
    `Via: ${opts.via ?? 'SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-test-1'}\r\n` +
    'Max-Forwards: 70\r\n' +
    'To: <sip:as@127.0.0.1>\r\n' +
    'From: <sip:tester@127.0.0.1>;tag=t1\r\n' +
    `Call-ID: ${opts.callId ?? 'call-1'}\r\n` +
    `CSeq: 1 ${method}\r\n` +
    (opts.extra ?? '') +
    (opts.contentLength === false ? '' : `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n`) +
    '\r\n' +
    body
  );
}

/** The status code of the first response in `text`, or undefined. */
export function statusOf(text: string): number | undefined {
  const m = /^SIP\/2\.0 (\d{3}) /.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The value of the first header `name` in raw text (long form only). */
export function headerOf(text: string, name: string): string | undefined {
  const re = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im');
  return re.exec(text)?.[1]?.trim();
}

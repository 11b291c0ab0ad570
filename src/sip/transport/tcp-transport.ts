import { createServer as netCreateServer, type Server, type Socket } from 'node:net';
import type { Clock } from '../../clock';
import type { Logger } from '../../observability/logger';
import { InboundConnections, type ConnectionRefusal } from './inbound-connections';
import { endpointKey, unmapIpv4 } from './ip-address';
import { tcpSockets, type StreamAcceptor, type StreamPeer, type StreamSockets } from './stream-sockets';
import { TcpConnection, type StreamReceiver } from './tcp-connection';
import type { BoundAddress, TransportLimits } from './transport';
import { SipTransportError } from './transport-error';
import { ThrottledLog } from '../../observability/throttled-log';

export interface TcpTransportOptions {
  readonly limits: TransportLimits;
  readonly maxWriteBufferBytes: number;
  readonly connectTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly receiver: StreamReceiver;
  /** How sockets are made: plain TCP (the default) or TLS. */
  readonly sockets?: StreamSockets;
}

interface Listener {
  readonly server: Server;
  readonly bound: BoundAddress;
}

/** Refusals and failed handshakes are logged at most once per this interval (the metrics count them all). */
const LOG_INTERVAL_MS = 10_000;

/**
 * TCP (or TLS over TCP) listeners and connections. Connections are found by id (to answer on the connection a request
 * came on, RFC 3261 §18.2.2) and by remote address:port (to reuse one for requests, RFC 3261 §18.1.1).
 * Inbound connections beyond `maxTcpConnections`, beyond `maxConnectionsPerSource` from one address, or beyond
 * `maxTlsHandshakes` handshakes under way are closed (reset) as they are accepted, before any TLS work.
 */
export class TcpTransport {
  /** TLS handshakes that failed, timed out, or were left by the client. */
  handshakeFailures = 0;
  private readonly listeners: Listener[] = [];
  private readonly byId = new Map<string, TcpConnection>();
  private readonly byKey = new Map<string, TcpConnection>();
  private readonly connecting = new Map<string, Promise<TcpConnection>>();
  private readonly inbound: InboundConnections;
  private readonly acceptor: StreamAcceptor;
  private readonly refusalLog: ThrottledLog;
  private readonly handshakeLog: ThrottledLog;
  private seq = 0;
  private closed = false;
  private onAllClosed: (() => void) | undefined;

  private readonly sockets: StreamSockets;

  constructor(private readonly opts: TcpTransportOptions) {
    this.sockets = opts.sockets ?? tcpSockets;
    const { limits, logger, clock } = opts;
    this.inbound = new InboundConnections({
      maxTotal: limits.maxTcpConnections,
      maxPerSource: limits.maxConnectionsPerSource,
      maxHandshakes: limits.maxTlsHandshakes,
    });
    this.acceptor = this.sockets.acceptor({
      onSocket: (socket) => this.onReady(socket),
      onHandshakeFailed: (error, remote) => {
        this.handshakeFailures++;
        this.handshakeLog.record({ protocol: this.protocol, remote, error: error.message });
      },
    });
    const throttled = { logger, clock, intervalMs: LOG_INTERVAL_MS };
    this.refusalLog = new ThrottledLog({ ...throttled, level: 'warn', message: 'inbound connection refused' });
    this.handshakeLog = new ThrottledLog({ ...throttled, level: 'info', message: 'tls handshake failed' });
  }

  /** Inbound connections closed at accept since start. */
  get refused(): number {
    return Object.values(this.inbound.refused).reduce((sum, n) => sum + n, 0);
  }

  /** Of those, how many for each reason. */
  get refusedBy(): Readonly<Record<ConnectionRefusal, number>> {
    return { ...this.inbound.refused };
  }

  /** Inbound TLS handshakes under way (0 for TCP). */
  get handshaking(): number {
    return this.acceptor.handshaking;
  }

  /** Inbound connections open from one source address, handshakes under way included. */
  connectionsFrom(address: string): number {
    return this.inbound.from(unmapIpv4(address));
  }

  get protocol(): StreamSockets['protocol'] {
    return this.sockets.protocol;
  }

  get connectionCount(): number {
    return this.byId.size;
  }

  bound(): readonly BoundAddress[] {
    return this.listeners.map((l) => l.bound);
  }

  /** Listens; rejects with SIP.TRANSPORT_BIND naming the address, port and OS error. */
  async listen(spec: { host: string; port: number }): Promise<BoundAddress> {
    const server = netCreateServer({ noDelay: true }, this.onAccept);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: spec.host, port: spec.port, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      server.close();
      throw SipTransportError.fromOsError(
        'SIP.TRANSPORT_BIND',
        'bind',
        { protocol: this.protocol, address: spec.host, port: spec.port },
        error,
      );
    }
    server.on('error', (error: Error) =>
      this.opts.logger.warn('tcp server error', { protocol: this.protocol, host: spec.host, error: error.message }),
    );
    const addr = server.address();
    const bound: BoundAddress = {
      protocol: this.protocol,
      host: typeof addr === 'object' && addr !== null ? addr.address : spec.host,
      port: typeof addr === 'object' && addr !== null ? addr.port : spec.port,
    };
    this.listeners.push({ server, bound });
    return bound;
  }

  get(connectionId: string): TcpConnection | undefined {
    return this.byId.get(connectionId);
  }

  /**
   * The open connection to address:port when there is one and no connect to it is under way (what is
   * sent meanwhile waits for that connect, and must go first).
   */
  openConnectionTo(peer: StreamPeer): TcpConnection | undefined {
    const key = endpointKey(peer.address, peer.port);
    const existing = this.byKey.get(key);
    return existing?.open && !this.connecting.has(key) ? existing : undefined;
  }

  /** An open connection to address:port, reused when there is one (inbound or outbound), else a new one. */
  async connectionTo(peer: StreamPeer): Promise<TcpConnection> {
    const key = endpointKey(peer.address, peer.port);
    const existing = this.byKey.get(key);
    if (existing?.open) return existing;
    const pending = this.connecting.get(key);
    if (pending) return pending;
    const attempt = this.connect(peer).finally(() => this.connecting.delete(key));
    this.connecting.set(key, attempt);
    return attempt;
  }

  /** Stops listening and closes every connection; resolves once all are closed. */
  async close(): Promise<void> {
    this.closed = true;
    const servers = this.listeners.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve())));
    const connections = new Promise<void>((resolve) => {
      if (this.byId.size === 0) resolve();
      else this.onAllClosed = resolve;
    });
    for (const connection of this.byId.values()) connection.destroy('shutdown');
    this.inbound.close();
    await Promise.all([...servers, connections]);
  }

  private async connect(peer: StreamPeer): Promise<TcpConnection> {
    const { address, port } = peer;
    const protocol = this.protocol;
    if (this.closed)
      throw new SipTransportError('SIP.TRANSPORT_CLOSED', 'the transport is closed', { protocol, address, port });
    const { socket, readyEvent } = this.sockets.connect(peer);
    const { clock } = this.opts;
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once(readyEvent, resolve);
        socket.once('error', reject);
        timer = clock.setTimeout(
          () => reject(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })),
          this.opts.connectTimeoutMs,
        );
      });
    } catch (error) {
      socket.destroy();
      throw SipTransportError.fromOsError('SIP.TRANSPORT_CONNECT', 'connect to', { protocol, address, port }, error);
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
      socket.removeAllListeners(readyEvent);
      socket.removeAllListeners('error');
    }
    if (this.closed) {
      socket.destroy();
      throw new SipTransportError('SIP.TRANSPORT_CLOSED', 'the transport is closed', { protocol, address, port });
    }
    return this.adopt(socket, false);
  }

  private readonly onAccept = (raw: Socket): void => {
    const source = unmapIpv4(raw.remoteAddress ?? '');
    const refusal = this.inbound.refusal(source, this.acceptor.handshaking);
    if (refusal) {
      raw.on('error', () => undefined);
      // A reset, not a FIN: no TIME_WAIT left on our side by a flood of refused connections.
      raw.resetAndDestroy();
      this.refusalLog.record({ protocol: this.protocol, reason: refusal, remote: source, open: this.inbound.size });
      return;
    }
    this.inbound.add(raw, source);
    this.acceptor.accept(raw);
  };

  /** An inbound socket that can carry SIP now (for TLS: its handshake is done). */
  private onReady(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.adopt(socket, true);
  }

  private adopt(socket: Socket, inbound: boolean): TcpConnection {
    const connection = new TcpConnection(socket, {
      id: `${this.protocol}-${++this.seq}`,
      protocol: this.protocol,
      inbound,
      limits: this.opts.limits,
      idleTimeoutMs: this.opts.limits.tcpIdleTimeoutMs,
      maxWriteBufferBytes: this.opts.maxWriteBufferBytes,
      clock: this.opts.clock,
      logger: this.opts.logger,
      receiver: this.opts.receiver,
      onClosed: this.onConnectionClosed,
    });
    this.byId.set(connection.id, connection);
    this.byKey.set(connection.key, connection);
    return connection;
  }

  private readonly onConnectionClosed = (connection: TcpConnection): void => {
    this.byId.delete(connection.id);
    if (this.byKey.get(connection.key) === connection) this.byKey.delete(connection.key);
    if (this.byId.size === 0) this.onAllClosed?.();
  };
}

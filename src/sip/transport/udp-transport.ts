import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { Logger } from '../../observability/logger';
import type { MessageSource } from '../message/sip-message';
import { ipFamily, unmapIpv4 } from './ip-address';
import type { BoundAddress, SendFailure } from './transport';
import { reportLater, SipTransportError } from './transport-error';

/**
 * What we ask the kernel to buffer for a UDP socket (it grants at most net.core.rmem_max): datagrams
 * arriving while the event loop stalls (a full GC under overload) wait there instead of being dropped,
 * which the default (~208 KB, a few hundred INVITEs) did in the overload runs.
 */
export const UDP_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** Receives every datagram of a UDP socket: one datagram is one message (RFC 3261 §18.3 does not apply). */
export interface UdpReceiver {
  onDatagram(data: Buffer, source: MessageSource, socket: UdpTransport): void;
}

/** One bound UDP socket, `udp4` or `udp6` after the family of its bind address. */
export class UdpTransport {
  readonly family: 4 | 6;
  readonly bound: BoundAddress;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly receiver: UdpReceiver,
    private readonly logger: Logger,
  ) {
    const addr = socket.address();
    this.family = addr.family === 'IPv6' ? 6 : 4;
    this.bound = { protocol: 'udp', host: addr.address, port: addr.port };
    socket.on('message', this.onMessage);
    socket.on('error', this.onError);
  }

  /** Binds; rejects with SIP.TRANSPORT_BIND naming the address, port and OS error. */
  static async bind(
    spec: { host: string; port: number },
    receiver: UdpReceiver,
    logger: Logger,
  ): Promise<UdpTransport> {
    const socket = createSocket({
      type: ipFamily(spec.host) === 6 ? 'udp6' : 'udp4',
      lookup: literalLookup,
      recvBufferSize: UDP_RECEIVE_BUFFER_BYTES,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ address: spec.host, port: spec.port, exclusive: true }, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      socket.close();
      throw SipTransportError.fromOsError(
        'SIP.TRANSPORT_BIND',
        'bind',
        { protocol: 'udp', address: spec.host, port: spec.port },
        error,
      );
    }
    return new UdpTransport(socket, receiver, logger);
  }

  /**
   * Sends one datagram; an IPv4 destination on a dual-stack IPv6 socket goes as `::ffff:a.b.c.d`.
   * libuv tries the send at once, so the datagram is usually in the kernel when this returns; what the
   * kernel refuses (EMSGSIZE, ENETUNREACH...) comes to `onFailure` a tick later.
   */
  send(data: Buffer, port: number, address: string, onFailure: SendFailure): void {
    if (this.closed) {
      reportLater(
        onFailure,
        new SipTransportError('SIP.TRANSPORT_CLOSED', 'the UDP socket is closed', { protocol: 'udp', address, port }),
      );
      return;
    }
    const to = this.family === 6 && ipFamily(address) === 4 ? `::ffff:${address}` : address;
    try {
      this.socket.send(data, port, to, (error) => {
        if (error) onFailure(sendError(address, port, error));
      });
    } catch (error) {
      // dgram throws at once on what it can tell is wrong before sending (a port out of range, say).
      reportLater(onFailure, sendError(address, port, error));
    }
  }

  /** True when this socket can reach `address` (an IPv6 socket bound to `::` also reaches IPv4). */
  canReach(address: string): boolean {
    const family = ipFamily(address);
    return family === this.family || (this.family === 6 && family === 4 && this.bound.host === '::');
  }

  /** The receive buffer the kernel granted (Linux reports twice what it counts against the limit). */
  receiveBufferBytes(): number {
    return this.socket.getRecvBufferSize();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private readonly onMessage = (data: Buffer, rinfo: RemoteInfo): void => {
    const source: MessageSource = {
      protocol: 'udp',
      address: unmapIpv4(rinfo.address),
      port: rinfo.port,
      localAddress: this.bound.host,
      localPort: this.bound.port,
    };
    this.receiver.onDatagram(data, source, this);
  };

  /** After binding, socket errors (e.g. ICMP-induced) are logged; they never crash the process. */
  private readonly onError = (error: Error): void => {
    this.logger.warn('udp socket error', { local: this.bound.host, port: this.bound.port, error: error.message });
  };
}

function sendError(address: string, port: number, cause: unknown): SipTransportError {
  return SipTransportError.fromOsError('SIP.TRANSPORT_SEND', 'send to', { protocol: 'udp', address, port }, cause);
}

/**
 * Every send names its destination, and dgram resolves it first, with the resolver's answer coming a
 * tick later even for an IP literal. The transport layer only sends to IP literals: those are answered
 * at once; a name (never expected here) still goes to the system resolver.
 */
function literalLookup(
  hostname: string,
  options: LookupOneOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dnsLookup(hostname, options, callback);
}

import { systemClock, type Clock } from '../../clock';
import { asError } from '../../errors';
import type { Logger } from '../../observability/logger';
// A tag for the To of our own error answers (RFC 3261 §8.2.6.2), as the transaction layer does for CANCEL.
import { newTag } from '../dialog/identifiers';
import { createResponse } from '../message/response-factory';
import type { MessageSource, SipMessage, SipRequest, SipResponse, TransportProtocol } from '../message/sip-message';
import { SipParseError } from '../message/sip-parse-error';
import { parseMessage } from '../message/sip-parser';
import { serializeMessage } from '../message/sip-serializer';
import { hostReference } from './ip-address';
import type { PreparedResponse } from './prepared-response';
import { DEFAULT_SIP_PORT, responseRoute, type ResponseRoute } from './response-route';
import { stampReceived } from './stamp-received';
import type { StreamReceiver, TcpConnection } from './tcp-connection';
import { TcpTransport } from './tcp-transport';
import type { ConnectionRefusal } from './inbound-connections';
import { tlsSockets } from './stream-sockets';
import type { TlsCredentials } from '../../tls/tls-credentials';
import type {
  BoundAddress,
  ListenSpec,
  SendFailure,
  SendTarget,
  SipTransport,
  TransportLimits,
  TransportListener,
} from './transport';
import { reportLater, SipTransportError } from './transport-error';
import { UdpTransport, type UdpReceiver } from './udp-transport';

export interface TransportLayerOptions {
  readonly listen: readonly ListenSpec[];
  /** Host for our Via sent-by when it is not the bound address (NAT, VIP, wildcard bind). */
  readonly advertisedHost?: string;
  readonly limits: TransportLimits;
  readonly listener: TransportListener;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Outbound TCP connects that take longer fail with SIP.TRANSPORT_CONNECT (default 10 s). */
  readonly tcpConnectTimeoutMs?: number;
  /** Bytes queued for a TCP peer that does not read before it is dropped (default 16 × maxMessageBytes). */
  readonly maxTcpWriteBufferBytes?: number;
  /** Certificates for the 'tls' listen specs and outbound TLS; without them TLS is unavailable. */
  readonly tls?: { readonly credentials: TlsCredentials; readonly requireClientCert: boolean };
}

/** Counters since start, for metrics and tests. */
export interface TransportStats {
  /** Messages handed to the listener. */
  readonly received: number;
  /** CRLF keep-alives and STUN packets taken off the wire. */
  readonly keepAlives: number;
  /** Messages that failed to parse (or whose framing was lost). */
  readonly parseErrors: number;
  /** Of those, requests answered with the error's status. */
  readonly errorsAnswered: number;
  /** Responses dropped because their top Via is not ours (RFC 3261 §18.1.2). */
  readonly foreignResponses: number;
  readonly tcpConnections: number;
  readonly tcpRefused: number;
  readonly tlsConnections: number;
  readonly tlsRefused: number;
  /** Inbound connections closed at accept, per stream protocol and reason (`tcpRefused`, `tlsRefused` split). */
  readonly refusedConnections: readonly { protocol: 'tcp' | 'tls'; reason: ConnectionRefusal; count: number }[];
  /** Inbound TLS handshakes under way now. */
  readonly tlsHandshakes: number;
  /** Inbound TLS handshakes that failed, timed out or were abandoned by the client, since start. */
  readonly tlsHandshakeFailures: number;
}

type ReplyPath = UdpTransport | TcpConnection;

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const WRITE_BUFFER_MESSAGES = 16;
const CR = 0x0d;
const LF = 0x0a;
/** RFC 7983 §7: a first byte 0-3 is STUN (RFC 5626 §4.4.2 keep-alives over UDP). */
const MAX_STUN_FIRST_BYTE = 3;

/**
 * The transport layer of RFC 3261 §18 over UDP and TCP, IPv4 and IPv6. Parses what arrives,
 * stamps `received`/`rport` on requests, answers what cannot be parsed where it can, and routes
 * responses per §18.2.2 and RFC 3581.
 */
export class SipTransportLayer implements SipTransport {
  private readonly udp: UdpTransport[] = [];
  private readonly tcp: TcpTransport;
  private readonly tls: TcpTransport | undefined;
  private readonly sentBy = new Map<TransportProtocol, { host: string; port: number }>();
  /** `host|port` values of a top Via that mark a response as ours; `*|port` for wildcard binds. */
  private readonly ownSentBy = new Set<string>();
  private readonly limits: TransportLimits;
  private readonly listener: TransportListener;
  private readonly logger: Logger;
  private closing: Promise<void> | undefined;
  private received = 0;
  private keepAlives = 0;
  private parseErrors = 0;
  private errorsAnswered = 0;
  private foreignResponses = 0;

  private readonly udpReceiver: UdpReceiver = {
    onDatagram: (data, source, socket) => this.receiveDatagram(data, source, socket),
  };

  private readonly streamReceiver: StreamReceiver = {
    onStreamMessage: (frame, connection) => this.receive(frame, connection.source, connection),
    onStreamError: (error, connection) => this.reject(error, connection.source, connection, error.partial),
  };

  private constructor(private readonly opts: TransportLayerOptions) {
    this.limits = opts.limits;
    this.listener = opts.listener;
    this.logger = opts.logger;
    const stream = {
      limits: opts.limits,
      maxWriteBufferBytes: opts.maxTcpWriteBufferBytes ?? WRITE_BUFFER_MESSAGES * opts.limits.maxMessageBytes,
      connectTimeoutMs: opts.tcpConnectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      clock: opts.clock ?? systemClock,
      logger: opts.logger,
      receiver: this.streamReceiver,
    };
    this.tcp = new TcpTransport(stream);
    this.tls = opts.tls
      ? new TcpTransport({
          ...stream,
          sockets: tlsSockets({ ...opts.tls, handshakeTimeoutMs: opts.limits.tlsHandshakeTimeoutMs }),
        })
      : undefined;
  }

  /** Binds every listen spec; on any failure closes what was bound and rejects with SIP.TRANSPORT_BIND. */
  static async start(opts: TransportLayerOptions): Promise<SipTransportLayer> {
    const layer = new SipTransportLayer(opts);
    try {
      for (const spec of opts.listen) {
        if (spec.protocol === 'udp') layer.udp.push(await UdpTransport.bind(spec, layer.udpReceiver, opts.logger));
        else await layer.stream(spec).listen(spec);
      }
    } catch (error) {
      await layer.close();
      throw error;
    }
    layer.learnOwnAddresses();
    return layer;
  }

  /** Every bound socket, with the ports the OS chose for port 0. */
  addresses(): BoundAddress[] {
    return [...this.udp.map((u) => u.bound), ...this.tcp.bound(), ...(this.tls?.bound() ?? [])];
  }

  stats(): TransportStats {
    return {
      received: this.received,
      keepAlives: this.keepAlives,
      parseErrors: this.parseErrors,
      errorsAnswered: this.errorsAnswered,
      foreignResponses: this.foreignResponses,
      tcpConnections: this.tcp.connectionCount,
      tcpRefused: this.tcp.refused,
      tlsConnections: this.tls?.connectionCount ?? 0,
      tlsRefused: this.tls?.refused ?? 0,
      refusedConnections: [this.tcp, ...(this.tls ? [this.tls] : [])].flatMap((stream) =>
        Object.entries(stream.refusedBy).map(([reason, count]) => ({
          protocol: stream.protocol,
          reason: reason as ConnectionRefusal,
          count,
        })),
      ),
      tlsHandshakes: this.tls?.handshaking ?? 0,
      tlsHandshakeFailures: this.tls?.handshakeFailures ?? 0,
    };
  }

  viaSentBy(protocol: TransportProtocol): { host: string; port: number } {
    const sentBy = this.sentBy.get(protocol);
    if (!sentBy) throw new SipTransportError('SIP.TRANSPORT_UNAVAILABLE', `not listening on ${protocol}`, { protocol });
    return sentBy;
  }

  sendRequest(request: SipRequest, target: SendTarget, onFailure: SendFailure): void {
    if (this.refusedAfterClose(target, onFailure)) return;
    let data: Buffer;
    try {
      data = serializeMessage(request);
    } catch (error) {
      reportLater(onFailure, error);
      return;
    }
    this.sendTo(target, data, undefined, onFailure);
  }

  sendResponse(response: SipResponse, requestSource: MessageSource | undefined, onFailure: SendFailure): void {
    let route: ResponseRoute;
    let data: Buffer;
    try {
      route = responseRoute(response.topVia, requestSource);
      data = serializeMessage(response);
    } catch (error) {
      reportLater(onFailure, error);
      return;
    }
    if (this.refusedAfterClose(routeTarget(route), onFailure)) return;
    this.sendRouted(route, data, requestSource, onFailure);
  }

  sendPrepared(prepared: PreparedResponse, onFailure: SendFailure): void {
    if (this.refusedAfterClose(routeTarget(prepared.route), onFailure)) return;
    this.sendRouted(prepared.route, prepared.data, prepared.requestSource, onFailure);
  }

  sendSerialized(data: Buffer, target: SendTarget, onFailure: SendFailure): void {
    if (this.refusedAfterClose(target, onFailure)) return;
    this.sendTo(target, data, undefined, onFailure);
  }

  private sendRouted(
    route: ResponseRoute,
    data: Buffer,
    requestSource: MessageSource | undefined,
    onFailure: SendFailure,
  ): void {
    if (route.kind === 'connection' && this.connection(route.connectionId)?.write(data)) return;
    this.sendTo(routeTarget(route), data, requestSource, onFailure);
  }

  /** Closes every socket and connection; resolves once all are closed. Safe to call twice. */
  close(): Promise<void> {
    const streams = [this.tcp.close(), ...(this.tls ? [this.tls.close()] : [])];
    this.closing ??= Promise.all([...this.udp.map((u) => u.close()), ...streams]).then(() => undefined);
    return this.closing;
  }

  private sendTo(
    target: SendTarget,
    data: Buffer,
    requestSource: MessageSource | undefined,
    onFailure: SendFailure,
  ): void {
    let stream: TcpTransport;
    try {
      if (target.protocol === 'udp') {
        this.udpFor(target.address, requestSource).send(data, target.port, target.address, onFailure);
        return;
      }
      stream = this.stream(target);
    } catch (error) {
      reportLater(onFailure, error);
      return;
    }
    const open = stream.openConnectionTo(target);
    if (open) {
      if (!open.write(data)) reportLater(onFailure, closedWhileSending(target));
      return;
    }
    stream.connectionTo(target).then(
      (connection) => {
        if (!connection.write(data)) onFailure(closedWhileSending(target));
      },
      (error: unknown) => onFailure(asError(error)),
    );
  }

  /** The stream transport of a protocol; TLS only when certificates were given. */
  private stream(where: { protocol: TransportProtocol; port?: number }): TcpTransport {
    if (where.protocol !== 'tls') return this.tcp;
    if (this.tls) return this.tls;
    throw new SipTransportError('SIP.TRANSPORT_UNAVAILABLE', 'TLS needs a certificate and key (sip.tls)', {
      ...where,
    });
  }

  private connection(connectionId: string): TcpConnection | undefined {
    return this.tcp.get(connectionId) ?? this.tls?.get(connectionId);
  }

  /** The UDP socket the request came in on when it can reach `address`, else the first that can. */
  private udpFor(address: string, requestSource?: MessageSource): UdpTransport {
    if (requestSource?.protocol === 'udp') {
      for (const u of this.udp) {
        if (
          u.bound.port === requestSource.localPort &&
          u.bound.host === requestSource.localAddress &&
          u.canReach(address)
        )
          return u;
      }
    }
    for (const u of this.udp) if (u.canReach(address)) return u;
    throw new SipTransportError('SIP.TRANSPORT_UNAVAILABLE', `no UDP socket can reach ${address}`, {
      protocol: 'udp',
      address,
    });
  }

  /** A send after `close()` is reported SIP.TRANSPORT_CLOSED; true when this one was. */
  private refusedAfterClose(target: SendTarget, onFailure: SendFailure): boolean {
    if (!this.closing) return false;
    reportLater(
      onFailure,
      new SipTransportError('SIP.TRANSPORT_CLOSED', 'the transport layer is closed', { ...target }),
    );
    return true;
  }

  private receiveDatagram(data: Buffer, source: MessageSource, socket: UdpTransport): void {
    if (isKeepAlive(data)) {
      this.keepAlives++;
      return;
    }
    this.receive(data, source, socket);
  }

  private receive(data: Buffer, source: MessageSource, replyPath: ReplyPath): void {
    let message: SipMessage;
    try {
      message = parseMessage(data, this.limits);
    } catch (error) {
      this.reject(error, source, replyPath, error instanceof SipParseError ? error.partial : undefined);
      return;
    }
    message.source = source;
    if (message.isRequest()) {
      try {
        stampReceived(message, source);
      } catch (error) {
        this.reject(error, source, replyPath, message);
        return;
      }
    } else if (!this.isOwnResponse(message)) return;
    this.received++;
    try {
      this.listener.onMessage(message);
    } catch (error) {
      this.logger.error('transport listener failed', {
        error: errorText(error),
        callId: message.headers.get('call-id'),
      });
    }
  }

  /**
   * A message that cannot be taken: counted, logged, and answered with the error's status when it is
   * a request with a Via (never an ACK, RFC 3261 §17.1.1.3); responses are dropped. For UDP the answer
   * goes back to the packet's source, for TCP on the same connection.
   */
  private reject(error: unknown, source: MessageSource, replyPath?: ReplyPath, request?: SipRequest): void {
    this.parseErrors++;
    const status = error instanceof SipParseError ? error.status : 400;
    const reason = error instanceof SipParseError ? error.reason : 'Bad Request';
    const answerable =
      replyPath !== undefined && request !== undefined && request.method !== 'ACK' && request.headers.has('via');
    if (this.logger.isDebugEnabled()) {
      this.logger.debug('unparsable sip message', {
        protocol: source.protocol,
        remote: source.address,
        port: source.port,
        status,
        error: errorText(error),
        answered: answerable,
      });
    }
    if (!answerable) return;
    let data: Buffer;
    try {
      data = serializeMessage(createResponse(request, status, reason, { toTag: newTag() }));
    } catch (failure) {
      this.logger.debug('cannot answer an unparsable request', { error: errorText(failure) });
      return;
    }
    this.errorsAnswered++;
    if (replyPath instanceof UdpTransport) replyPath.send(data, source.port, source.address, this.onReplyFailure);
    else replyPath.write(data);
  }

  private readonly onReplyFailure = (error: Error): void => {
    this.logger.debug('cannot send an error response', { error: errorText(error) });
  };

  /** RFC 3261 §18.1.2: a response whose top Via sent-by is not one we insert is discarded. */
  private isOwnResponse(response: SipResponse): boolean {
    let via;
    try {
      via = response.topVia;
    } catch (error) {
      if (response.source) this.reject(error, response.source);
      return false;
    }
    const port = via.port ?? DEFAULT_SIP_PORT;
    if (this.ownSentBy.has(`${via.host}|${port}`) || this.ownSentBy.has(`*|${port}`)) return true;
    this.foreignResponses++;
    this.logger.debug('response for another sent-by dropped', { host: via.host, port });
    return false;
  }

  private learnOwnAddresses(): void {
    const advertised = this.opts.advertisedHost ? hostReference(this.opts.advertisedHost).toLowerCase() : undefined;
    for (const bound of this.addresses()) {
      const host = hostReference(bound.host).toLowerCase();
      if (!this.sentBy.has(bound.protocol))
        this.sentBy.set(bound.protocol, { host: advertised ?? host, port: bound.port });
      this.ownSentBy.add(`${host}|${bound.port}`);
      if (advertised) this.ownSentBy.add(`${advertised}|${bound.port}`);
      if (bound.host === '0.0.0.0' || bound.host === '::') {
        this.ownSentBy.add(`*|${bound.port}`);
        if (!advertised) this.logger.warn('listening on a wildcard address without sip.advertisedHost', { ...bound });
      }
    }
  }
}

/** A datagram that is not a SIP message: empty, all CR/LF (RFC 5626 §3.5.1), or STUN (RFC 5626 §4.4.2). */
function isKeepAlive(data: Buffer): boolean {
  const first = data[0];
  if (first === undefined || first <= MAX_STUN_FIRST_BYTE) return true;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c !== CR && c !== LF) return false;
  }
  return true;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function closedWhileSending(target: SendTarget): SipTransportError {
  return new SipTransportError('SIP.TRANSPORT_SEND', `the ${target.protocol} connection closed while sending`, {
    ...target,
  });
}

/** The address a response goes to: its own, or the fallback of a connection that may be gone. */
function routeTarget(route: ResponseRoute): SendTarget {
  return route.kind === 'address' ? route.target : route.fallback;
}

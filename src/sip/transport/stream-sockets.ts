import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as tlsCreateServer, type TLSSocket } from 'node:tls';
import type { TlsCredentials } from '../../tls/tls-credentials';

/** The two stream transports: TCP, and TLS over TCP (RFC 3261 §26.2). */
export type StreamProtocol = 'tcp' | 'tls';

/** Where an outbound stream goes; `serverName` is the host name the peer's certificate must carry (TLS). */
export interface StreamPeer {
  readonly address: string;
  readonly port: number;
  readonly serverName?: string;
}

/** Turns inbound TCP connections the transport admitted into sockets that can carry SIP. */
export interface StreamAcceptor {
  /** Takes an admitted connection; for TLS the handshake starts here. */
  accept(raw: Socket): void;
  /** Inbound handshakes under way (always 0 for TCP). */
  readonly handshaking: number;
}

export interface AcceptorHandlers {
  /** A socket that can carry SIP (TLS: the handshake is done, and the client verified when that is required). */
  onSocket(socket: Socket): void;
  /** A TLS handshake failed, timed out, or the client left first; its connection is already being closed. */
  onHandshakeFailed(error: Error, remoteAddress: string | undefined): void;
}

/** How a stream transport makes its sockets: inbound ones from accepted connections, and outbound connects. */
export interface StreamSockets {
  readonly protocol: StreamProtocol;
  acceptor(handlers: AcceptorHandlers): StreamAcceptor;
  /** A new outbound socket and the event that says it can carry SIP (for TLS: the peer is verified). */
  connect(peer: StreamPeer): { socket: Socket; readyEvent: 'connect' | 'secureConnect' };
}

export const tcpSockets: StreamSockets = {
  protocol: 'tcp',
  acceptor: (handlers) => ({ accept: (raw) => handlers.onSocket(raw), handshaking: 0 }),
  connect: (peer) => ({
    socket: netConnect({ host: peer.address, port: peer.port, noDelay: true }),
    readyEvent: 'connect',
  }),
};

export interface TlsSocketsOptions {
  readonly credentials: TlsCredentials;
  /** Inbound peers must present a certificate signed by the CA (`credentials.ca`, else Node's list). */
  readonly requireClientCert: boolean;
  /** An inbound TLS handshake that takes longer is abandoned and its connection closed. */
  readonly handshakeTimeoutMs: number;
}

/**
 * TLS sockets (RFC 3261 §26.2, RFC 5630): we present our certificate both ways (so a peer asking for
 * mutual TLS gets it) and always verify the server we connect to, against the CA file when one is given.
 */
export function tlsSockets(options: TlsSocketsOptions): StreamSockets {
  const { cert, key, ca } = options.credentials;
  const trust = ca ? { ca } : {};
  return {
    protocol: 'tls',
    acceptor: (handlers) => {
      let handshaking = 0;
      // Never listens: the transport's own listener admits each connection first, so a refused one costs no TLS state.
      const server = tlsCreateServer({
        cert,
        key,
        ...trust,
        requestCert: options.requireClientCert,
        rejectUnauthorized: options.requireClientCert,
        handshakeTimeout: options.handshakeTimeoutMs,
      });
      // Node emits exactly one of these two per connection handed over (`tlsClientError` covers an early close too).
      server.on('secureConnection', (socket: TLSSocket) => {
        handshaking--;
        handlers.onSocket(socket);
      });
      server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
        handshaking--;
        // Node reports a handshake timeout but leaves the connection open: without this a silent client stays forever.
        socket.destroy();
        handlers.onHandshakeFailed(error, socket.remoteAddress);
      });
      return {
        accept: (raw) => {
          handshaking++;
          server.emit('connection', raw);
        },
        get handshaking() {
          return handshaking;
        },
      };
    },
    connect: (peer) => ({
      socket: tlsConnect({
        host: peer.address,
        port: peer.port,
        cert,
        key,
        ...trust,
        rejectUnauthorized: true,
        // SNI carries host names only (RFC 6066 §3); an IP literal is checked against the IP SANs.
        ...(peer.serverName && isIP(peer.serverName) === 0 ? { servername: peer.serverName } : {}),
      }),
      readyEvent: 'secureConnect',
    }),
  };
}

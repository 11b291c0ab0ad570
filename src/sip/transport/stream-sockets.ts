import { connect as netConnect, createServer as netCreateServer, isIP, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as tlsCreateServer } from 'node:tls';
import type { Logger } from '../../observability/logger';
import type { TlsCredentials } from '../../tls/tls-credentials';

/** The two stream transports: TCP, and TLS over TCP (RFC 3261 §26.2). */
export type StreamProtocol = 'tcp' | 'tls';

/** Where an outbound stream goes; `serverName` is the host name the peer's certificate must carry (TLS). */
export interface StreamPeer {
  readonly address: string;
  readonly port: number;
  readonly serverName?: string;
}

/** How a stream transport makes its sockets: listeners that hand up ready sockets, and outbound connects. */
export interface StreamSockets {
  readonly protocol: StreamProtocol;
  /** `onSocket` gets each inbound socket once it can carry SIP (for TLS: after the handshake). */
  createServer(onSocket: (socket: Socket) => void): Server;
  /** A new outbound socket and the event that says it can carry SIP (for TLS: the peer is verified). */
  connect(peer: StreamPeer): { socket: Socket; readyEvent: 'connect' | 'secureConnect' };
}

export const tcpSockets: StreamSockets = {
  protocol: 'tcp',
  createServer: (onSocket) => netCreateServer({ noDelay: true }, onSocket),
  connect: (peer) => ({
    socket: netConnect({ host: peer.address, port: peer.port, noDelay: true }),
    readyEvent: 'connect',
  }),
};

export interface TlsSocketsOptions {
  readonly credentials: TlsCredentials;
  /** Inbound peers must present a certificate signed by the CA (`credentials.ca`, else Node's list). */
  readonly requireClientCert: boolean;
  /** A TLS handshake that takes longer is abandoned. */
  readonly handshakeTimeoutMs: number;
  readonly logger: Logger;
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
    createServer: (onSocket) => {
      const server = tlsCreateServer(
        {
          cert,
          key,
          ...trust,
          requestCert: options.requireClientCert,
          rejectUnauthorized: options.requireClientCert,
          handshakeTimeout: options.handshakeTimeoutMs,
        },
        onSocket,
      );
      server.on('tlsClientError', (error: Error, socket) =>
        options.logger.debug('tls handshake failed', { remote: socket.remoteAddress, error: error.message }),
      );
      return server;
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

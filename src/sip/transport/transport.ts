import type { ParseLimits } from '../message/parse-limits';
import type { PreparedResponse } from './prepared-response';
import type { MessageSource, SipMessage, SipRequest, SipResponse, TransportProtocol } from '../message/sip-message';

/** Where to send a request: the next hop resolved from Route or Request-URI (RFC 3263 is not used: IP literals only). */
export interface SendTarget {
  readonly protocol: TransportProtocol;
  readonly address: string; // IP literal, IPv6 without brackets
  readonly port: number;
  /** For TLS to a host name: the name the server certificate must carry (else the address is checked). */
  readonly serverName?: string;
}

export interface ListenSpec {
  readonly protocol: TransportProtocol;
  readonly host: string;
  readonly port: number;
}

/** The parser's bounds plus those of the stream transport (config `sip.limits`). */
export interface TransportLimits extends ParseLimits {
  /** Inbound TCP connections open at once (per stream transport); more are refused (closed at accept). */
  readonly maxTcpConnections: number;
  /** Inbound connections open at once from one source address (0: no cap); more are refused at accept. */
  readonly maxConnectionsPerSource: number;
  /** A TCP connection with no traffic either way for this long is closed. */
  readonly tcpIdleTimeoutMs: number;
  /** An inbound TLS handshake not done within this time is abandoned and its connection closed. */
  readonly tlsHandshakeTimeoutMs: number;
  /** Inbound TLS handshakes under way at once; connections beyond are refused at accept. */
  readonly maxTlsHandshakes: number;
}

/** A socket the transport layer listens on, with the port the OS gave when 0 was asked for. */
export interface BoundAddress {
  readonly protocol: TransportProtocol;
  readonly host: string; // IP as bound, IPv6 without brackets
  readonly port: number;
}

/**
 * Told that a message could not be sent, with why (a SipTransportError, or the serializer's error).
 * Never called from within the send itself, so a sender's state is settled before it hears of a failure.
 */
export type SendFailure = (error: Error) => void;

/**
 * What the layers above the transport need from it (SIP.js-style narrow seam). A send returns at once:
 * over UDP the datagram is usually in the kernel by then, over a stream it is queued, or waits for the
 * connection. Success is not reported, only failure: the promises and async frames a send used to
 * make, several per message, were a good part of what the server allocated per call.
 */
export interface SipTransport {
  /** sent-by for our Via on this protocol: the advertised host and the bound port. */
  viaSentBy(protocol: TransportProtocol): { host: string; port: number };
  sendRequest(request: SipRequest, target: SendTarget, onFailure: SendFailure): void;
  /**
   * Sends a response per RFC 3261 §18.2.2 and RFC 3581: over the connection the request arrived on
   * when reliable, else to `received`/`rport` of the top Via (or its sent-by).
   */
  sendResponse(response: SipResponse, requestSource: MessageSource | undefined, onFailure: SendFailure): void;
  /** Sends a response prepared before, as it was prepared: a transaction's retransmissions go this way. */
  sendPrepared(prepared: PreparedResponse, onFailure: SendFailure): void;
  /** Sends a request serialized before, byte for byte: the ACK of a 2xx again, for a retransmitted 2xx. */
  sendSerialized(data: Buffer, target: SendTarget, onFailure: SendFailure): void;
}

/** Receives what the transport layer parsed. Malformed requests are answered by the transport itself. */
export interface TransportListener {
  onMessage(message: SipMessage): void;
}

import type { SipRequest, SipResponse } from '../message/sip-message';

/** Handlers a client transaction reports to (RFC 3261 §17.1: the TU). */
export interface ClientTransactionHandlers {
  /** Every response the transaction passes up: 1xx, the final response, and for INVITE each 2xx (RFC 6026). */
  onResponse(response: SipResponse): void;
  /** Timer B or F fired, or the transport failed: the TU acts as if it got a 408 (or 503). */
  onTimeout(): void;
  onTransportError(error: Error): void;
}

export interface ServerTransaction {
  readonly request: SipRequest;
  /**
   * The TU reads only `template` of the request from now on (the headers its responses copy): the
   * transaction, which never sends the request, keeps that too. Ignored once the request is let go.
   */
  keepOnly(template: SipRequest): void;
  /** Sends a response through the transaction; retransmissions are the transaction's job. */
  respond(response: SipResponse): void;
  /** True once a final response was sent. */
  readonly finalSent: boolean;
  /** Called once when the transaction terminates. */
  onTerminated?: () => void;
}

export interface ClientTransaction {
  readonly request: SipRequest;
  readonly branch: string;
  /**
   * The TU reads only `template` of the request from now on (the headers a CANCEL or an ACK needs): a
   * transaction that will not send the request again (an INVITE in Proceeding) keeps that too.
   */
  keepOnly(template: SipRequest): void;
  /** Stops retransmissions and timers at once (used when the TU has given up). */
  dispose(): void;
}

/** What the transaction layer hands to the UA core above it. */
export interface TransactionUser {
  /** A new request (not a retransmission); ACK for a 2xx never arrives here. CANCEL neither. */
  onRequest(request: SipRequest, transaction: ServerTransaction): void;
  /** An ACK that matched no INVITE server transaction: the ACK for a 2xx, end to end (RFC 3261 §17.2.3). */
  onAck(ack: SipRequest): void;
  /**
   * A CANCEL that matched an INVITE server transaction. The transaction layer already answered the
   * CANCEL with 200; the TU should answer the INVITE with 487 if it has not sent a final response.
   */
  onCancel(cancel: SipRequest, invite: ServerTransaction): void;
  /** A server transaction terminated (its last timer, a transport failure, the layer closing). */
  onServerTransactionEnded?(transaction: ServerTransaction): void;
  /** A response that matched no client transaction (e.g. a 2xx retransmission after the transaction ended). */
  onStrayResponse(response: SipResponse): void;
  /**
   * Timer H fired (RFC 3261 §17.2.1): no ACK came for the 300-699 response to this INVITE. The
   * transaction is gone; a UAS that has a dialog pending on it may tear it down.
   */
  onAckTimeout?(invite: ServerTransaction): void;
}

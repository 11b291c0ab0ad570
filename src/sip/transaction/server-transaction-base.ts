import { asError } from '../../errors';
import { detachedString } from '../message/flat-string';
import type { MessageSource, SipRequest, SipResponse } from '../message/sip-message';
import { PreparedResponse } from '../transport/prepared-response';
import type { TransactionContext } from './transaction-context';
import { TransactionError } from './transaction-error';
import { TransactionTimers } from './transaction-timer';
import type { ServerTransaction } from './transaction-user';

export interface ServerTransactionInit {
  readonly ctx: TransactionContext;
  readonly key: string;
  readonly request: SipRequest;
  /** Matched without the magic cookie (RFC 3261 §17.2.3, RFC 2543 peers): To tags are compared too. */
  readonly rfc2543: boolean;
}

/**
 * What the two server machines share: the last response, sending, the timer list, termination (§17.2).
 *
 * Over UDP a transaction outlives its final response by 64*T1 only to answer retransmissions, and a
 * server at a few hundred calls/s holds tens of thousands of them. So once it only lingers it lets go
 * of the request and keeps the last response as bytes (a PreparedResponse), or nothing at all where
 * it only absorbs: the TU holds the messages for as long as it needs them.
 */
export abstract class ServerTransactionBase<S extends string> implements ServerTransaction {
  readonly key: string;
  readonly rfc2543: boolean;
  readonly method: string;
  /** Where the request came from: where the responses go (RFC 3261 §18.2.2). */
  readonly source: MessageSource | undefined;
  state: S | 'terminated';
  onTerminated?: () => void;
  protected readonly ctx: TransactionContext;
  /** Reliable transports neither retransmit nor linger (Timers G, I, J). */
  protected readonly reliable: boolean;
  /** Timers by slot; each machine names its slots. */
  protected readonly schedule: TransactionTimers;
  /** Whether the To tag of our responses is read after they go: a CANCEL's 200 and an RFC 2543 ACK need it. */
  protected abstract readonly keepsLocalTag: boolean;
  private requestRef: SipRequest | null;
  /** The request's To tag, for RFC 2543 matching only (read while the request is here). */
  private readonly requestTag: string | null;
  /** The last response sent, while the transaction is active: what a retransmitted request gets. */
  private lastResponse: SipResponse | null = null;
  /** The same once the transaction lingers, as bytes (or nothing, where it only absorbs). */
  private lastPrepared: PreparedResponse | null = null;
  private lastStatus = 0;
  /** The To tag of the last response, read when the response goes (a CANCEL or RFC 2543 ACK needs it). */
  private lingeringTag: string | null = null;

  protected constructor(init: ServerTransactionInit, initial: S) {
    this.ctx = init.ctx;
    this.key = init.key;
    this.requestRef = init.request;
    this.method = init.request.method;
    this.source = init.request.source;
    this.rfc2543 = init.rfc2543;
    this.requestTag = init.rfc2543 ? init.request.toTag : null;
    this.reliable = this.source !== undefined && this.source.protocol !== 'udp';
    this.state = initial;
    this.schedule = new TransactionTimers(init.ctx.clock);
  }

  /** The request, until the transaction lingers (see the class comment); the TU keeps its own. */
  get request(): SipRequest {
    if (this.requestRef === null) throw TransactionError.requestReleased(this.method);
    return this.requestRef;
  }

  keepOnly(template: SipRequest): void {
    if (this.requestRef !== null) this.requestRef = template;
  }

  /** The To tag the request had, as RFC 2543 matching compares it. */
  get requestToTag(): string | null {
    return this.rfc2543 ? this.requestTag : (this.requestRef?.toTag ?? null);
  }

  /** True once any response was sent. */
  protected get responded(): boolean {
    return this.lastStatus !== 0;
  }

  get finalSent(): boolean {
    return this.lastStatus >= 200;
  }

  /** The To tag of the last response sent, if it had one. */
  get localTag(): string | null {
    return this.lastResponse === null ? this.lingeringTag : this.lastResponse.toTag;
  }

  abstract respond(response: SipResponse): void;

  /** The same request again (§17.2.3 matched): answer it from the state, never pass it up. */
  abstract receiveRetransmission(): void;

  /** For RFC 2543 matching: a retransmission carries the To tag the original request had. */
  matchesRetransmission(request: SipRequest): boolean {
    return !this.rfc2543 || request.toTag === this.requestTag;
  }

  /** Its last state's wait (Timer D, I, J, K, L or M) is over. */
  lingerOver(): void {
    this.terminate();
  }

  /** Ends the transaction now, e.g. when the layer closes. */
  dispose(): void {
    this.terminate();
  }

  /**
   * Sends a response and keeps it for retransmission. The transport has read the response's Via by
   * the time `sendResponse` returns; the views of both messages go until a retransmission needs them.
   */
  protected send(response: SipResponse): void {
    this.lastStatus = response.status;
    this.lastResponse = response;
    response.headers.trim(); // kept until the final response: for as long as the call rings
    this.lastPrepared = null;
    this.transmit(response);
    response.releaseViews();
    this.requestRef?.releaseViews();
  }

  /**
   * Sends the final response of a transaction that from now on lingers to answer retransmissions with
   * it: serialized once, kept as those bytes, and the request let go.
   */
  protected sendAndLinger(response: SipResponse): void {
    this.lastStatus = response.status;
    let prepared: PreparedResponse;
    try {
      prepared = PreparedResponse.of(response, this.source);
    } catch (error) {
      this.sendFailed(response.status, asError(error));
      return;
    }
    this.linger(response);
    this.lastPrepared = prepared;
    this.transmitPrepared(prepared);
    response.releaseViews();
  }

  /** Sends a response the transaction does not keep: the TU's own 2xx retransmissions (RFC 6026 §7.1). */
  protected pass(response: SipResponse): void {
    this.transmit(response);
    response.releaseViews();
  }

  /** Sends the last response again, the same bytes. */
  protected resend(): void {
    if (this.lastPrepared !== null) this.transmitPrepared(this.lastPrepared);
    else if (this.lastResponse !== null) this.transmit(this.lastResponse);
  }

  /**
   * From here on the transaction only lingers, absorbing what comes: the request and response go, but
   * for the To tag of `last` (the response sent last) where it is needed later.
   */
  protected linger(last: SipResponse | null = this.lastResponse): void {
    if (last !== null && this.keepsLocalTag) {
      const tag = last.toTag; // a slice of the response's To: copied, not to keep all of it
      this.lingeringTag = tag === null ? null : detachedString(tag);
    }
    this.lastResponse = null;
    this.lastPrepared = null;
    this.requestRef = null;
  }

  protected dropped(response: SipResponse): void {
    this.ctx.logger.debug('sip response dropped by server transaction', {
      status: response.status,
      method: this.method,
      state: this.state,
    });
  }

  protected terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.schedule.stopAll();
    this.requestRef = null;
    this.lastResponse = null;
    this.lastPrepared = null;
    this.ctx.release('server', this.key, this);
    this.onTerminated?.();
  }

  private transmit(response: SipResponse): void {
    this.ctx.transport.sendResponse(response, this.source, (error) => this.sendFailed(response.status, error));
  }

  private transmitPrepared(prepared: PreparedResponse): void {
    this.ctx.transport.sendPrepared(prepared, (error) => this.sendFailed(prepared.status, error));
  }

  /** RFC 3261 §17.2.4 falls back to other addresses (RFC 3263); we have none: give up. */
  private sendFailed(status: number, error: Error): void {
    this.ctx.logger.warn('sip response send failed, server transaction terminated', {
      status,
      method: this.method,
      error: error.message,
    });
    this.terminate();
  }
}

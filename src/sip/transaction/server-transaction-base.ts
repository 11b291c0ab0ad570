import type { SipRequest, SipResponse } from '../message/sip-message';
import type { TransactionContext } from './transaction-context';
import { asError } from './transaction-context';
import { TransactionTimers } from './transaction-timer';
import type { ServerTransaction } from './transaction-user';

export interface ServerTransactionInit {
  readonly ctx: TransactionContext;
  readonly key: string;
  readonly request: SipRequest;
  /** Matched without the magic cookie (RFC 3261 §17.2.3, RFC 2543 peers): To tags are compared too. */
  readonly rfc2543: boolean;
}

/** What the two server machines share: the last response, sending, the timer list, termination (§17.2). */
export abstract class ServerTransactionBase<S extends string> implements ServerTransaction {
  readonly request: SipRequest;
  readonly key: string;
  readonly rfc2543: boolean;
  state: S | 'terminated';
  onTerminated?: () => void;
  /** The most recent response sent: what a retransmitted request gets again. */
  protected lastResponse: SipResponse | null = null;
  protected readonly ctx: TransactionContext;
  /** Reliable transports neither retransmit nor linger (Timers G, I, J). */
  protected readonly reliable: boolean;
  /** Timers by slot; each machine names its slots. */
  protected readonly schedule: TransactionTimers;

  protected constructor(init: ServerTransactionInit, initial: S) {
    this.ctx = init.ctx;
    this.key = init.key;
    this.request = init.request;
    this.rfc2543 = init.rfc2543;
    this.reliable = init.request.source !== undefined && init.request.source.protocol !== 'udp';
    this.state = initial;
    this.schedule = new TransactionTimers(init.ctx.clock);
  }

  get finalSent(): boolean {
    return this.lastResponse !== null && this.lastResponse.status >= 200;
  }

  /** The To tag of the last response sent, if it had one. */
  get localTag(): string | null {
    return this.lastResponse === null ? null : this.lastResponse.toTag;
  }

  abstract respond(response: SipResponse): void;

  /** The same request again (§17.2.3 matched): answer it from the state, never pass it up. */
  abstract receiveRetransmission(): void;

  /** For RFC 2543 matching: a retransmission carries the To tag the original request had. */
  matchesRetransmission(request: SipRequest): boolean {
    return !this.rfc2543 || request.toTag === this.request.toTag;
  }

  /** Ends the transaction now, e.g. when the layer closes. */
  dispose(): void {
    this.terminate();
  }

  /**
   * Sends a response and keeps it for retransmission. The transport has read the response's Via by
   * the time `transmit` yields; the views of both messages go until a retransmission needs them again.
   */
  protected send(response: SipResponse): void {
    this.lastResponse = response;
    void this.transmit(response);
    response.releaseViews();
    this.request.releaseViews();
  }

  /** Sends the last response again, the same object (and so the same bytes). */
  protected resend(): void {
    if (this.lastResponse !== null) void this.transmit(this.lastResponse);
  }

  protected dropped(response: SipResponse): void {
    this.ctx.logger.debug('sip response dropped by server transaction', {
      status: response.status,
      method: this.request.method,
      state: this.state,
    });
  }

  protected terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.schedule.stopAll();
    this.ctx.release('server', this.key, this);
    this.onTerminated?.();
  }

  private async transmit(response: SipResponse): Promise<void> {
    try {
      await this.ctx.transport.sendResponse(response, this.request.source);
    } catch (error) {
      // RFC 3261 §17.2.4 falls back to other addresses (RFC 3263); we have none: give up.
      this.ctx.logger.warn('sip response send failed, server transaction terminated', {
        status: response.status,
        method: this.request.method,
        error: asError(error).message,
      });
      this.terminate();
    }
  }
}

import type { SipRequest, SipResponse } from '../message/sip-message';
import type { SendTarget } from '../transport/transport';
import type { TransactionContext } from './transaction-context';
import { handOver } from './hand-over';
import { TransactionError } from './transaction-error';
import { TransactionTimers } from './transaction-timer';
import type { ClientTransaction, ClientTransactionHandlers } from './transaction-user';

export interface ClientTransactionInit {
  readonly ctx: TransactionContext;
  readonly key: string;
  /** The request with our top Via already in place. */
  readonly request: SipRequest;
  readonly branch: string;
  readonly target: SendTarget;
  readonly handlers: ClientTransactionHandlers;
}

/** What the two client machines share: sending, the timer list, termination (RFC 3261 §17.1). */
export abstract class ClientTransactionBase<S extends string> implements ClientTransaction {
  readonly method: string;
  readonly branch: string;
  readonly key: string;
  state: S | 'terminated';
  protected readonly ctx: TransactionContext;
  protected readonly target: SendTarget;
  /** The TU's handlers, until nothing more can reach them (see `answeredForGood`). */
  protected handlers: ClientTransactionHandlers;
  /** Reliable transports neither retransmit nor linger (Timers A, E, D, K). */
  protected readonly reliable: boolean;
  /** Set once a final response went to the TU: later transport failures (of our ACK) are only logged. */
  protected answered = false;
  /** Timers by slot; each machine names its slots. */
  protected readonly schedule: TransactionTimers;
  private requestRef: SipRequest | null;

  protected constructor(init: ClientTransactionInit, initial: S) {
    this.ctx = init.ctx;
    this.key = init.key;
    this.requestRef = init.request;
    this.method = init.request.method;
    this.branch = init.branch;
    this.target = init.target;
    this.handlers = init.handlers;
    this.reliable = init.target.protocol !== 'udp';
    this.state = initial;
    this.schedule = new TransactionTimers(init.ctx.clock);
  }

  /** The request, until its final answer went up for good (see `answeredForGood`); the TU keeps its own. */
  get request(): SipRequest {
    if (this.requestRef === null) throw TransactionError.requestReleased(this.method);
    return this.requestRef;
  }

  /** Sends the request for the first time and starts the timers of the initial state. */
  abstract start(): void;

  /** A response whose top Via branch and CSeq method matched this transaction (§17.1.3). */
  abstract receiveResponse(response: SipResponse): void;

  /**
   * The final response went up and nothing more will (a non-INVITE's, an INVITE's 300-699): the
   * request and the handlers go, and what they hold (a promise and its response, a whole INVITE's
   * state), so that a transaction lingering for retransmissions over UDP (Timers K, D) keeps none of it.
   */
  protected answeredForGood(): void {
    this.handlers = NO_HANDLERS;
    this.releaseRequest();
  }

  abstract keepOnly(template: SipRequest): void;

  /** Keeps `template` instead of the request, which nothing will send again. */
  protected keepTemplate(template: SipRequest): void {
    if (this.requestRef !== null) this.requestRef = template;
  }

  /** Nothing will send the request again (an INVITE Accepted, RFC 6026): the TU keeps what it needs of it. */
  protected releaseRequest(): void {
    this.requestRef = null;
  }

  /** Its last state's wait (Timer D, I, J, K, L or M) is over. */
  lingerOver(): void {
    this.terminate();
  }

  dispose(): void {
    this.terminate();
  }

  protected terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.schedule.stopAll();
    this.ctx.release('client', this.key, this);
  }

  /**
   * Passes a response up. The TU reads views of both messages (to build a dialog, say); the request
   * stays as long as the transaction, the response as long as the TU wants it, without their views.
   */
  protected passUp(response: SipResponse): void {
    handOver(response, () => this.handlers.onResponse(response));
    this.requestRef?.releaseViews();
  }

  /** Hands a request (ours, or the ACK we generate) to the transport; a failure ends the transaction. */
  protected send(request: SipRequest): void {
    this.ctx.transport.sendRequest(request, this.target, (error) => this.sendFailed(request.method, error));
  }

  private sendFailed(method: string, error: Error): void {
    if (this.state === 'terminated') return;
    this.terminate();
    if (this.answered) {
      this.ctx.logger.warn('sip request send failed after final response', {
        method,
        branch: this.branch,
        error: error.message,
      });
      return;
    }
    // RFC 3261 §17.1.4: the TU treats this like a 503 (§8.1.3.1).
    this.handlers.onTransportError(error);
  }
}

const ignore = (): void => undefined;
const NO_HANDLERS: ClientTransactionHandlers = { onResponse: ignore, onTimeout: ignore, onTransportError: ignore };

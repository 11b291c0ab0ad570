import type { SipRequest, SipResponse } from '../message/sip-message';
import { ClientTransactionBase, type ClientTransactionInit } from './client-transaction-base';
import { createNon2xxAck } from './non-2xx-ack';

export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'accepted';

/** Timer D on unreliable transports: RFC 3261 §17.1.1.2, "at least 32 seconds"; 0 on reliable ones. */
const TIMER_D_UNRELIABLE_MS = 32_000;

/**
 * The INVITE client transaction, RFC 3261 §17.1.1 (Figure 5) as amended by RFC 6026 (Figure 3):
 * a 2xx moves it to Accepted, where every further 2xx (retransmission or another fork's) goes to
 * the TU, which ACKs them itself; 300-699 are ACKed here and the retransmissions absorbed.
 */
export class InviteClientTransaction extends ClientTransactionBase<InviteClientState> {
  private readonly timerA = this.newTimer();
  private readonly timerB = this.newTimer();
  private readonly timerD = this.newTimer();
  private readonly timerM = this.newTimer();
  private intervalA: number;
  /** The ACK for the final non-2xx response, built once and resent as is. */
  private ack: SipRequest | null = null;

  constructor(init: ClientTransactionInit) {
    super(init, 'calling');
    this.intervalA = init.ctx.timers.t1Ms;
  }

  start(): void {
    this.send(this.request);
    if (!this.reliable) this.timerA.start(this.intervalA, () => this.onTimerA());
    this.timerB.start(64 * this.ctx.timers.t1Ms, () => this.onTimerB());
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        this.timerA.stop();
        if (status < 200) {
          this.state = 'proceeding';
          this.handlers.onResponse(response);
        } else if (status < 300) {
          this.accept(response);
        } else {
          this.complete(response);
        }
        return;
      case 'completed':
        // §17.1.1.2: a retransmitted final response is answered with the same ACK, not passed up.
        if (status >= 300 && this.ack) this.send(this.ack);
        return;
      case 'accepted':
        // RFC 6026 §8.4: every 2xx is passed to the TU; anything else is dropped.
        if (status >= 200 && status < 300) this.handlers.onResponse(response);
        return;
      case 'terminated':
        return;
    }
  }

  private onTimerA(): void {
    if (this.state !== 'calling') return;
    this.send(this.request);
    this.intervalA *= 2; // §17.1.1.2: doubling, no cap (Timer B ends it)
    this.timerA.start(this.intervalA, () => this.onTimerA());
  }

  /** §17.1.1.2: only a transaction still Calling times out; a ringing INVITE is the TU's to CANCEL. */
  private onTimerB(): void {
    if (this.state !== 'calling') return;
    this.terminate();
    this.handlers.onTimeout();
  }

  private accept(response: SipResponse): void {
    this.state = 'accepted';
    this.answered = true;
    this.timerB.stop();
    this.timerM.start(64 * this.ctx.timers.t1Ms, () => this.terminate());
    this.handlers.onResponse(response);
  }

  private complete(response: SipResponse): void {
    this.state = 'completed';
    this.answered = true;
    this.timerB.stop();
    this.ack = createNon2xxAck(this.request, response);
    this.send(this.ack);
    this.handlers.onResponse(response);
    if (this.reliable) this.terminate();
    else this.timerD.start(TIMER_D_UNRELIABLE_MS, () => this.terminate());
  }
}

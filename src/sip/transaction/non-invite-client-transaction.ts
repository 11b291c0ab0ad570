import type { SipRequest, SipResponse } from '../message/sip-message';
import { ClientTransactionBase, type ClientTransactionInit } from './client-transaction-base';

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed';

/** Timer slots (RFC 3261 §17.1.2.2); K, which only ends it, is the layer's (endAfter). */
const TIMER_E = 0;
const TIMER_F = 1;

/**
 * The non-INVITE client transaction, RFC 3261 §17.1.2 (Figure 6). Timer E retransmits on unreliable
 * transports, doubling up to T2, and every T2 once a provisional arrived; Timer F (64*T1) keeps
 * running in Proceeding and times the request out; Timer K absorbs late retransmitted responses.
 */
export class NonInviteClientTransaction extends ClientTransactionBase<NonInviteClientState> {
  private intervalE: number;

  constructor(init: ClientTransactionInit) {
    super(init, 'trying');
    this.intervalE = init.ctx.timers.t1Ms;
  }

  start(): void {
    this.send(this.request);
    if (!this.reliable) this.schedule.start(TIMER_E, this.intervalE, () => this.onTimerE());
    this.schedule.start(TIMER_F, 64 * this.ctx.timers.t1Ms, () => this.onTimerF());
  }

  /** Proceeding still retransmits the request (Timer E, §17.1.2.2): it is kept whole. */
  keepOnly(_template: SipRequest): void {}

  receiveResponse(response: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return; // Completed absorbs them
    if (response.status < 200) {
      this.state = 'proceeding';
      this.passUp(response);
      return;
    }
    this.state = 'completed';
    this.answered = true;
    this.schedule.stop(TIMER_E);
    this.schedule.stop(TIMER_F);
    this.passUp(response);
    this.answeredForGood();
    if (this.reliable) this.terminate();
    else this.ctx.endAfter(this.ctx.timers.t4Ms, this); // Timer K
  }

  private onTimerE(): void {
    const { t2Ms } = this.ctx.timers;
    this.send(this.request);
    // §17.1.2.2: in Trying the interval doubles up to T2; in Proceeding it is T2.
    this.intervalE = this.state === 'proceeding' ? t2Ms : Math.min(2 * this.intervalE, t2Ms);
    this.schedule.start(TIMER_E, this.intervalE, () => this.onTimerE());
  }

  private onTimerF(): void {
    this.terminate();
    this.handlers.onTimeout();
  }
}

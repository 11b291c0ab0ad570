import type { SipRequest, SipResponse } from '../message/sip-message';
import { ClientTransactionBase, type ClientTransactionInit } from './client-transaction-base';
import { createNon2xxAck } from './non-2xx-ack';

export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'accepted';

/** Timer D on unreliable transports: RFC 3261 §17.1.1.2, "at least 32 seconds"; 0 on reliable ones. */
const TIMER_D_UNRELIABLE_MS = 32_000;

/** Timer slots (RFC 3261 §17.1.1.2, RFC 6026 §8.4); D and M, which only end it, are the layer's (endAfter). */
const TIMER_A = 0;
const TIMER_B = 1;
/** RFC 3261 §9.1: how long a cancelled INVITE waits for its final response (64*T1). */
const TIMER_CANCELLED = 2;

/**
 * The INVITE client transaction, RFC 3261 §17.1.1 (Figure 5) as amended by RFC 6026 (Figure 3):
 * a 2xx moves it to Accepted, where every further 2xx (retransmission or another fork's) goes to
 * the TU, which ACKs them itself; 300-699 are ACKed here and the retransmissions absorbed.
 */
export class InviteClientTransaction extends ClientTransactionBase<InviteClientState> {
  private intervalA: number;
  /** The ACK for the final non-2xx response, built once and resent as is. */
  private ack: SipRequest | null = null;

  constructor(init: ClientTransactionInit) {
    super(init, 'calling');
    this.intervalA = init.ctx.timers.t1Ms;
  }

  start(): void {
    this.send(this.request);
    if (!this.reliable) this.schedule.start(TIMER_A, this.intervalA, () => this.onTimerA());
    this.schedule.start(TIMER_B, 64 * this.ctx.timers.t1Ms, () => this.onTimerB());
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        this.schedule.stop(TIMER_A);
        if (status < 200) {
          // Timer B only times out Calling: a ringing INVITE is the TU's to CANCEL, so no timer waits.
          this.schedule.stop(TIMER_B);
          this.state = 'proceeding';
          this.passUp(response);
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
        if (status >= 200 && status < 300) this.passUp(response);
        return;
      case 'terminated':
        return;
    }
  }

  /** Proceeding sends the INVITE no more (§17.1.1.2): a template does for the ACK of a failure. */
  keepOnly(template: SipRequest): void {
    if (this.state === 'proceeding') this.keepTemplate(template);
  }

  /**
   * A CANCEL for this INVITE went out. RFC 3261 §9.1: with no final response within 64*T1 the
   * transaction is given up and the TU told as on Timer B, so a callee that rings and then vanishes
   * (or whose 487 is lost for good) does not leave the INVITE and its early dialog behind for ever.
   */
  cancelled(): void {
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    this.schedule.start(TIMER_CANCELLED, 64 * this.ctx.timers.t1Ms, () => this.onCancelledTimeout());
  }

  private onCancelledTimeout(): void {
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    this.terminate();
    this.handlers.onTimeout();
  }

  private onTimerA(): void {
    if (this.state !== 'calling') return;
    this.send(this.request);
    this.intervalA *= 2; // §17.1.1.2: doubling, no cap (Timer B ends it)
    this.schedule.start(TIMER_A, this.intervalA, () => this.onTimerA());
  }

  /** §17.1.1.2: only a transaction still Calling times out (Timer B is stopped in Proceeding). */
  private onTimerB(): void {
    if (this.state !== 'calling') return;
    this.terminate();
    this.handlers.onTimeout();
  }

  private accept(response: SipResponse): void {
    this.state = 'accepted';
    this.answered = true;
    this.schedule.stop(TIMER_B);
    this.ctx.endAfter(64 * this.ctx.timers.t1Ms, this); // Timer M
    this.passUp(response);
    this.releaseRequest(); // Accepted passes 2xx up and sends nothing itself
  }

  private complete(response: SipResponse): void {
    this.state = 'completed';
    this.answered = true;
    this.schedule.stop(TIMER_B);
    this.ack = createNon2xxAck(this.request, response);
    this.send(this.ack);
    this.passUp(response);
    this.answeredForGood(); // Completed answers retransmissions with the ACK itself
    if (this.reliable) this.terminate();
    else this.ctx.endAfter(TIMER_D_UNRELIABLE_MS, this); // Timer D
  }
}

import { createResponse } from '../message/response-factory';
import type { SipRequest, SipResponse } from '../message/sip-message';
import { ServerTransactionBase, type ServerTransactionInit } from './server-transaction-base';

export type InviteServerState = 'proceeding' | 'completed' | 'confirmed' | 'accepted';

/**
 * RFC 3261 §17.2.1: the server transaction answers 100 Trying itself unless the TU sends a
 * provisional response within 200 ms. We wait the 200 ms, so a UA that sends its own 100 (or a
 * quick 180/183) puts a single provisional on the wire.
 */
export const AUTO_TRYING_DELAY_MS = 200;

/**
 * Timer slots (RFC 3261 §17.2.1, RFC 6026 §7.1); TRYING sends the automatic 100. I and L, which only
 * end it, are the layer's (endAfter).
 */
const TIMER_TRYING = 0;
const TIMER_G = 1;
const TIMER_H = 2;

export interface InviteServerTransactionInit extends ServerTransactionInit {
  /** Timer H fired: no ACK came for our 300-699 response. */
  readonly onAckTimeout: (transaction: InviteServerTransaction) => void;
}

/**
 * The INVITE server transaction, RFC 3261 §17.2.1 (Figure 7) as amended by RFC 6026 (Figure 5): a
 * 2xx moves it to Accepted (Timer L), where retransmitted INVITEs are absorbed and further 2xx from
 * the TU (its own retransmissions, RFC 3261 §13.3.1.4) are sent; 300-699 are retransmitted here
 * (Timer G) until the ACK arrives or Timer H gives up.
 */
export class InviteServerTransaction extends ServerTransactionBase<InviteServerState> {
  protected readonly keepsLocalTag = true;
  private intervalG: number;
  private readonly onAckTimeout: (transaction: InviteServerTransaction) => void;

  constructor(init: InviteServerTransactionInit) {
    super(init, 'proceeding');
    this.intervalG = init.ctx.timers.t1Ms;
    this.onAckTimeout = init.onAckTimeout;
    this.schedule.start(TIMER_TRYING, AUTO_TRYING_DELAY_MS, () => this.onTryingDue());
  }

  respond(response: SipResponse): void {
    const status = response.status;
    if (this.state === 'accepted' && status >= 200 && status < 300) {
      this.pass(response); // RFC 6026 §7.1: the TU's 2xx retransmissions pass through
      return;
    }
    if (this.state !== 'proceeding') {
      this.dropped(response);
      return;
    }
    this.schedule.stop(TIMER_TRYING);
    if (status < 200) {
      this.send(response);
    } else if (status < 300) {
      this.state = 'accepted';
      this.send(response);
      // Accepted absorbs retransmitted INVITEs and resends nothing itself: it keeps no message.
      this.linger();
      this.ctx.endAfter(64 * this.ctx.timers.t1Ms, this); // Timer L
    } else {
      this.state = 'completed';
      if (this.reliable) this.send(response);
      else this.sendAndLinger(response); // Timer G resends the same bytes
      if (this.state !== 'completed') return;
      if (!this.reliable) this.schedule.start(TIMER_G, this.intervalG, () => this.onTimerG());
      this.schedule.start(TIMER_H, 64 * this.ctx.timers.t1Ms, () => this.onTimerH());
    }
  }

  receiveRetransmission(): void {
    // §17.2.1: Proceeding resends the last provisional, Completed the final; Confirmed absorbs;
    // RFC 6026 §7.1: Accepted absorbs too (the TU retransmits its 2xx until the ACK).
    if (this.state === 'proceeding' || this.state === 'completed') this.resend();
  }

  /**
   * An ACK matched this transaction. Returns false when it is not ours to absorb: in Accepted the
   * ACK is for the 2xx and goes to the TU (RFC 6026 §7.1).
   */
  receiveAck(ack: SipRequest): boolean {
    if (this.state === 'accepted') return false;
    if (this.rfc2543 && this.state === 'completed' && ack.toTag !== this.localTag) return false;
    if (this.state !== 'completed') return true; // Confirmed: a retransmitted ACK, absorbed
    this.state = 'confirmed';
    this.linger(); // Confirmed only absorbs ACKs
    this.schedule.stop(TIMER_G);
    this.schedule.stop(TIMER_H);
    if (this.reliable) this.terminate();
    else this.ctx.endAfter(this.ctx.timers.t4Ms, this); // Timer I
    return true;
  }

  private onTryingDue(): void {
    if (this.state === 'proceeding' && !this.responded) this.send(createResponse(this.request, 100));
  }

  private onTimerG(): void {
    this.resend();
    this.intervalG = Math.min(2 * this.intervalG, this.ctx.timers.t2Ms);
    this.schedule.start(TIMER_G, this.intervalG, () => this.onTimerG());
  }

  private onTimerH(): void {
    this.terminate();
    this.onAckTimeout(this);
  }
}

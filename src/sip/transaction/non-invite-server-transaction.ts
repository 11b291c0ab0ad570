import type { SipResponse } from '../message/sip-message';
import { ServerTransactionBase, type ServerTransactionInit } from './server-transaction-base';

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed';

/**
 * The non-INVITE server transaction, RFC 3261 §17.2.2 (Figure 8): retransmitted requests are
 * absorbed in Trying and answered with the last response in Proceeding and Completed; Timer J
 * (64*T1 on unreliable transports, 0 on reliable ones) keeps it in Completed for them, with the bytes
 * of its final response and nothing else.
 */
export class NonInviteServerTransaction extends ServerTransactionBase<NonInviteServerState> {
  protected readonly keepsLocalTag = false;

  constructor(init: ServerTransactionInit) {
    super(init, 'trying');
  }

  respond(response: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') {
      this.dropped(response); // §17.2.2: Completed discards further responses from the TU
      return;
    }
    if (response.status < 200) {
      this.send(response);
      this.state = 'proceeding';
      return;
    }
    this.state = 'completed';
    if (this.reliable) {
      this.send(response);
      this.terminate();
      return;
    }
    this.sendAndLinger(response);
    if (this.state === 'completed') this.ctx.endAfter(64 * this.ctx.timers.t1Ms, this); // Timer J
  }

  receiveRetransmission(): void {
    if (this.state === 'proceeding' || this.state === 'completed') this.resend();
  }
}

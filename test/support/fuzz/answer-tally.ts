import type { FuzzTransport } from './wire-endpoint';
import type { WireMessage } from './wire-message';

/** A 500 the server sent, which is a finding unless RFC 3261 §12.2.2 asks for it (CSeq out of order). */
export interface ServerError {
  readonly transport: FuzzTransport;
  readonly callId: string;
  readonly cseq: string;
  readonly reason: string;
}

/** The one 500 that is protocol, not failure: an in-dialog request with a CSeq lower than the last. */
export function isProtocol500(reason: string): boolean {
  return /CSeq out of order/i.test(reason);
}

/**
 * The server's distinct answers, per transport, by status class and by status: an answer counts once
 * per Call-ID, CSeq and status, so retransmissions do not inflate the figures. `endBatch()` forgets
 * what was seen, so memory stays flat over a long run.
 */
export class AnswerTally {
  readonly byClass: Record<FuzzTransport, Record<string, number>> = { udp: {}, tcp: {} };
  readonly byStatus: Record<number, number> = {};
  /** The answers to copy-bearing requests (INFO and MESSAGE to the live calls), by status. */
  readonly copyByStatus: Record<number, number> = {};
  readonly serverErrors: ServerError[] = [];
  private seen = new Set<string>();

  add(transport: FuzzTransport, response: WireMessage, copyBearing = false): void {
    const key = `${transport}\u0000${response.callId}\u0000${response.cseq}\u0000${response.status}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const cls = `${Math.floor(response.status / 100)}xx`;
    this.byClass[transport][cls] = (this.byClass[transport][cls] ?? 0) + 1;
    this.byStatus[response.status] = (this.byStatus[response.status] ?? 0) + 1;
    if (copyBearing) this.copyByStatus[response.status] = (this.copyByStatus[response.status] ?? 0) + 1;
    if (response.status === 500 && !isProtocol500(response.reason)) {
      this.serverErrors.push({ transport, callId: response.callId, cseq: response.cseq, reason: response.reason });
    }
  }

  /** Distinct final answers over both transports. */
  get finals(): number {
    let sum = 0;
    for (const classes of Object.values(this.byClass)) {
      for (const [cls, n] of Object.entries(classes)) if (cls !== '1xx') sum += n;
    }
    return sum;
  }

  endBatch(): void {
    this.seen = new Set();
  }
}

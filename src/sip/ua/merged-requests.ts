import type { SipRequest } from '../message/sip-message';
import type { ServerTransaction } from '../transaction/transaction-user';

/**
 * Requests outside a dialog in progress, to tell a merged request (RFC 3261 §8.2.2.2): the same
 * Call-ID, From tag, CSeq and method as one in progress, arrived by another path (another branch).
 */
export class MergedRequests {
  private readonly inProgress = new Map<string, string>();

  /** True for a merged request (answered 482); otherwise the request is remembered until its transaction ends. */
  isMerged(request: SipRequest, transaction: ServerTransaction): boolean {
    if (request.method === 'ACK' || request.method === 'CANCEL') return false;
    const key = `${request.callId}\u0000${request.fromTag ?? ''}\u0000${request.cseq.seq}\u0000${request.method}`;
    const branch = request.branch ?? '';
    const seen = this.inProgress.get(key);
    if (seen !== undefined && seen !== branch) return true;
    this.inProgress.set(key, branch);
    whenTerminated(transaction, () => {
      if (this.inProgress.get(key) === branch) this.inProgress.delete(key);
    });
    return false;
  }
}

/** Adds `fn` to what runs when the transaction terminates, after what was there. */
export function whenTerminated(transaction: ServerTransaction, fn: () => void): void {
  const previous = transaction.onTerminated;
  transaction.onTerminated = () => {
    previous?.();
    fn();
  };
}

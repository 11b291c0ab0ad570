import { detachedString } from '../message/flat-string';
import type { SipRequest } from '../message/sip-message';
import type { ServerTransaction } from '../transaction/transaction-user';

interface InProgress {
  readonly branch: string;
  readonly transaction: ServerTransaction;
}

/**
 * Requests outside a dialog in progress, to tell a merged request (RFC 3261 §8.2.2.2): the same
 * Call-ID, From tag, CSeq and method as one in progress, arrived by another path (another branch).
 * Each entry lives as long as its transaction (the UA core calls `ended`): for a ringing INVITE, the
 * whole ringing time, so entries are two table slots and a flat key, not closures on the transaction.
 */
export class MergedRequests {
  private readonly inProgress = new Map<string, InProgress>();
  private readonly keyOf = new Map<ServerTransaction, string>();

  /** True for a merged request (answered 482); otherwise the request is remembered until `ended`. */
  isMerged(request: SipRequest, transaction: ServerTransaction): boolean {
    if (request.method === 'ACK' || request.method === 'CANCEL') return false;
    const key = detachedString(
      `${request.callId}\u0000${request.fromTag ?? ''}\u0000${request.cseq.seq}\u0000${request.method}`,
    );
    const branch = request.branch ?? '';
    const seen = this.inProgress.get(key);
    if (seen !== undefined && seen.branch !== branch) return true;
    // The same branch again (a transaction of its own only for a peer that reuses branches): the first owns it.
    if (seen === undefined) this.inProgress.set(key, { branch: detachedString(branch), transaction });
    this.keyOf.set(transaction, key);
    return false;
  }

  /** The transaction terminated: a request like its own is no longer merged. */
  ended(transaction: ServerTransaction): void {
    const key = this.keyOf.get(transaction);
    if (key === undefined) return;
    this.keyOf.delete(transaction);
    if (this.inProgress.get(key)?.transaction === transaction) this.inProgress.delete(key);
  }

  get size(): number {
    return this.inProgress.size;
  }
}

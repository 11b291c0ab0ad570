import { AppError } from '../../errors';

/**
 * A use of the transaction layer it refuses (a programming error in the TU): `SIP.TRANSACTION_ACK`
 * (an ACK has no client transaction), `SIP.TRANSACTION_BRANCH` (a reused branch without the magic
 * cookie, or one already in use for that method), `SIP.TRANSACTION_RELEASED` (the request of a
 * transaction that let go of it, see `requestReleased`).
 */
export class TransactionError extends AppError {
  /** A transaction's request read after the transaction let go of it (the TU keeps its own). */
  static requestReleased(method: string): TransactionError {
    return new TransactionError('SIP.TRANSACTION_RELEASED', `the ${method} transaction no longer holds its request`);
  }
}

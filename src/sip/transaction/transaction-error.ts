import { AppError } from '../../errors';

/**
 * A request the transaction layer refuses to send as asked (a programming error in the TU):
 * `SIP.TRANSACTION_ACK` (an ACK has no client transaction), `SIP.TRANSACTION_BRANCH`
 * (a reused branch without the magic cookie, or one already in use for that method).
 */
export class TransactionError extends AppError {}

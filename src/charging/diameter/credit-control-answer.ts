import type { ChargeResult } from '../../cmr/ports/charging-gateway.port';
import { findValue } from './avp-codec';
import { resultCodeOf } from './diameter-base-messages';
import { AVP, RESULT } from './diameter-dictionary';
import { DiameterError } from './diameter-error';
import type { DiameterMessage } from './diameter-message';

/** What to do with one Credit-Control-Answer: a result for the caller, or ask the next peer. */
export type AnswerVerdict =
  | { readonly kind: 'final'; readonly result: ChargeResult; readonly resultCode: number | null }
  | { readonly kind: 'try-next'; readonly detail: string; readonly resultCode: number | null };

const REFUND_INFORMATION_MARK = '#ri=';

/**
 * The reference of a charge: the Session-Id of its CCR, followed by `#ri=<base64url>` when the CCA
 * carried a Refund-Information (TS 32.299) that a refund must send back.
 */
export function chargeReference(sessionId: string, refundInformation: Buffer | null): string {
  return refundInformation
    ? `${sessionId}${REFUND_INFORMATION_MARK}${refundInformation.toString('base64url')}`
    : sessionId;
}

/** The Refund-Information bytes inside a reference made by `chargeReference`, or null. */
export function refundInformationOf(reference: string): Buffer | null {
  const at = reference.indexOf(REFUND_INFORMATION_MARK);
  return at < 0 ? null : Buffer.from(reference.slice(at + REFUND_INFORMATION_MARK.length), 'base64url');
}

/**
 * Maps a CCA to an outcome (RFC 4006 §9.1, RFC 6733 §7.1):
 * - 2001 SUCCESS: charged (refunded, for a refund); the reference is the Session-Id (+ Refund-Information).
 * - 4011 CREDIT_CONTROL_NOT_APPLICABLE: charged, free of charge (the OCS grants it without debiting).
 * - 4012 CREDIT_LIMIT_REACHED: refused `no-credit`. 5030 USER_UNKNOWN: refused `unknown-user`.
 * - 4010 END_USER_SERVICE_DENIED and 5031 RATING_FAILED: refused `denied`.
 * - 5003 AUTHORIZATION_REJECTED: refused `barred` (the subscriber may not use the service at all).
 * - 3xxx protocol errors (UNABLE_TO_DELIVER, TOO_BUSY...) and other 4xxx transient failures: try the
 *   next peer (RFC 4006 §5.5 failover).
 * - Other 5xxx permanent failures and other 2xxx: unavailable at once (another peer would say the same).
 * - An answer without a result, for another session, or with malformed AVPs: try the next peer.
 */
export function interpretCreditControlAnswer(answer: DiameterMessage, sessionId: string): AnswerVerdict {
  let resultCode: number | null;
  let answeredSession: string | undefined;
  let refundInformation: Buffer | undefined;
  try {
    resultCode = resultCodeOf(answer);
    answeredSession = findValue(answer.avps, AVP.SESSION_ID);
    refundInformation = findValue(answer.avps, AVP.REFUND_INFORMATION);
  } catch (err) {
    const detail = err instanceof DiameterError ? err.message : 'unreadable answer';
    return { kind: 'try-next', detail: `malformed CCA: ${detail}`, resultCode: null };
  }
  if (resultCode === null) return { kind: 'try-next', detail: 'CCA without Result-Code', resultCode };
  const final = (result: ChargeResult): AnswerVerdict => ({ kind: 'final', result, resultCode });
  const refused = (reason: 'no-credit' | 'barred' | 'unknown-user' | 'denied', name: string) =>
    final({ status: 'refused', reason, detail: `${name} (${resultCode})` });
  if (answeredSession !== undefined && answeredSession !== sessionId && !answer.error) {
    return { kind: 'try-next', detail: 'CCA for another Session-Id', resultCode };
  }
  switch (resultCode) {
    case RESULT.SUCCESS:
      return final({ status: 'charged', reference: chargeReference(sessionId, refundInformation ?? null) });
    case RESULT.CREDIT_CONTROL_NOT_APPLICABLE:
      return final({ status: 'charged', reference: sessionId });
    case RESULT.CREDIT_LIMIT_REACHED:
      return refused('no-credit', 'DIAMETER_CREDIT_LIMIT_REACHED');
    case RESULT.USER_UNKNOWN:
      return refused('unknown-user', 'DIAMETER_USER_UNKNOWN');
    case RESULT.END_USER_SERVICE_DENIED:
      return refused('denied', 'DIAMETER_END_USER_SERVICE_DENIED');
    case RESULT.RATING_FAILED:
      return refused('denied', 'DIAMETER_RATING_FAILED');
    case RESULT.AUTHORIZATION_REJECTED:
      return refused('barred', 'DIAMETER_AUTHORIZATION_REJECTED');
  }
  if ((resultCode >= 3000 && resultCode < 5000) || answer.error) {
    return { kind: 'try-next', detail: `Result-Code ${resultCode}`, resultCode };
  }
  return final({ status: 'unavailable', detail: `Result-Code ${resultCode}` });
}

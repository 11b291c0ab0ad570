import type { CopyOutcome } from '../../cmr/model';

/** Refusals the SIP edge decides before the use case runs. */
export type EdgeRefusal = 'not-a-party' | 'client-not-allowed' | 'no-such-call' | 'bad-request';

export interface SipAnswer {
  readonly status: number;
  readonly reason: string;
  readonly retryAfter?: number;
}

/**
 * The one table from copy outcomes to the final response of a copy MESSAGE (an INFO is answered 200 on
 * receipt, RFC 6086, and its outcome follows in the confirmation MESSAGE). Documented in the README.
 */
export const COPY_ANSWERS: Readonly<Record<CopyOutcome | EdgeRefusal, SipAnswer>> = {
  copied: { status: 200, reason: 'OK (Copied)' },
  'already-owned': { status: 409, reason: 'Conflict (Already Owned)' },
  'privacy-restricted': { status: 403, reason: 'Forbidden (Privacy)' },
  'not-copyable': { status: 403, reason: 'Forbidden (Not Copyable)' },
  'not-valid': { status: 403, reason: 'Forbidden (Expired)' },
  'library-full': { status: 403, reason: 'Forbidden (Library Full)' },
  'not-subscribed': { status: 403, reason: 'Forbidden (Not Subscribed)' },
  'nothing-presenting': { status: 404, reason: 'Not Found (Nothing Presenting)' },
  'resource-mismatch': { status: 409, reason: 'Conflict (Not Presenting)' },
  'no-credit': { status: 402, reason: 'Payment Required' },
  'charging-refused': { status: 403, reason: 'Forbidden (Charging Refused)' },
  'charging-unavailable': { status: 503, reason: 'Service Unavailable (Charging)', retryAfter: 30 },
  'store-unavailable': { status: 500, reason: 'Server Internal Error', retryAfter: 30 },
  'not-a-party': { status: 403, reason: 'Forbidden (Not The Caller)' },
  'client-not-allowed': { status: 403, reason: 'Forbidden (Client Not Allowed)' },
  'no-such-call': { status: 481, reason: 'Call/Transaction Does Not Exist' },
  'bad-request': { status: 400, reason: 'Bad Request' },
};

/** What the handset shows the caller, one short line per outcome. */
export function outcomeText(outcome: CopyOutcome | EdgeRefusal, title: string | null): string {
  const what = title ? `"${title}"` : 'the ringing media';
  switch (outcome) {
    case 'copied':
      return `Copied: ${what} is now in your library.`;
    case 'already-owned':
      return `${what} is already in your library. Nothing was charged.`;
    case 'privacy-restricted':
      return `The owner of ${what} does not allow copies.`;
    case 'not-copyable':
    case 'not-valid':
      return `${what} cannot be copied.`;
    case 'library-full':
      return 'Your library is full. Nothing was charged.';
    case 'not-subscribed':
      return 'Copying ringing media needs the CMR service on your line.';
    case 'nothing-presenting':
      return 'Nothing was playing to copy.';
    case 'resource-mismatch':
      return `${what} is not what was playing.`;
    case 'no-credit':
      return `Not enough credit to copy ${what}. Nothing was copied.`;
    case 'charging-refused':
      return `The copy of ${what} was not allowed by your account.`;
    case 'charging-unavailable':
    case 'store-unavailable':
      return 'The copy service is busy. Nothing was charged; please try again.';
    case 'not-a-party':
    case 'client-not-allowed':
      return 'This request is not allowed.';
    case 'no-such-call':
      return 'That call is over.';
    case 'bad-request':
      return 'The copy request could not be read.';
  }
}

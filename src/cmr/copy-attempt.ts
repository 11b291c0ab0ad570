import type { CopyRecord, CopyTrigger, IsoInstant } from './model';
import type { ChargeRequest } from './ports/charging-gateway.port';
import type { CopyWrite } from './ports/cmr-store.port';

/**
 * The copy journal: every charged copy moves through durable states, so a crash at any point is
 * finished or undone on restart without a second debit.
 *
 *   requested ──debit charged──▶ charged ──record + library + outbox──▶ copied
 *       │  └──debit refused──▶ failed            └──copy impossible──▶ refunded (after the refund)
 *       └──debit unavailable: stays requested (the answer may be lost; recovery asks again with the same key)
 */
export const COPY_ATTEMPT_STATES = ['requested', 'charged', 'copied', 'failed', 'refunded'] as const;
export type CopyAttemptState = (typeof COPY_ATTEMPT_STATES)[number];

/** The states recovery looks after. */
export const UNFINISHED_ATTEMPT_STATES: readonly CopyAttemptState[] = ['requested', 'charged'];
/** The states a new ask of the same copy starts over from, with a fresh charging key. */
export const RESTARTABLE_ATTEMPT_STATES: readonly CopyAttemptState[] = ['failed', 'refunded'];

/**
 * What recovery does with an unfinished attempt: `complete` it (nobody was told it failed, e.g. the
 * server died before answering) or `undo` it (the caller was told it failed: a debit found is refunded).
 */
export type CopyAttemptResolution = 'complete' | 'undo';

/** The steps at which a test may stop the process (`testing.crashAt`), in the order they happen. */
export const COPY_CRASH_STEPS = ['after-requested', 'after-debit', 'after-charged', 'after-copied'] as const;
export type CopyCrashStep = (typeof COPY_CRASH_STEPS)[number];
/** Called at each step boundary; the production one does nothing, the test one kills the process. */
export type CrashPoint = (step: CopyCrashStep) => void;

export interface CopyAttempt {
  /** The copy's idempotency key (`copyIdempotencyKey`): one attempt per call, requester and resource. */
  readonly key: string;
  readonly state: CopyAttemptState;
  readonly resolution: CopyAttemptResolution;
  /**
   * Everything needed to debit or refund again. `charge.idempotencyKey` is the key sent to the charging
   * system: the copy key, or a fresh one when a failed or refunded attempt is asked for again.
   */
  readonly charge: ChargeRequest;
  readonly trigger: CopyTrigger;
  /** The charging system's reference once charged. */
  readonly chargeReference: string | null;
  /** Recovery passes that could not settle it (charging or store unavailable). */
  readonly recoveryTries: number;
  /** Why it failed or is still open, for support staff. */
  readonly detail: string | null;
  readonly createdAt: IsoInstant;
  readonly updatedAt: IsoInstant;
}

/** A change to one attempt; fields left out stay as they are. */
export interface CopyAttemptChange {
  readonly at: IsoInstant;
  readonly state?: CopyAttemptState;
  readonly resolution?: CopyAttemptResolution;
  readonly charge?: ChargeRequest;
  readonly chargeReference?: string | null;
  readonly detail?: string | null;
  readonly recoveryTries?: 'increment' | 'reset';
}

export interface CopyAttemptStart {
  /** False when an attempt with this key already existed: `attempt` is that one, unchanged. */
  readonly created: boolean;
  readonly attempt: CopyAttempt;
}

/** A new attempt, `requested`, its key the charge's idempotency key. */
export function requestedAttempt(charge: ChargeRequest, trigger: CopyTrigger, at: IsoInstant): CopyAttempt {
  return {
    key: charge.idempotencyKey,
    state: 'requested',
    resolution: 'complete',
    charge,
    trigger,
    chargeReference: null,
    recoveryTries: 0,
    detail: null,
    createdAt: at,
    updatedAt: at,
  };
}

/** Ids the completion needs (random in production, fixed in tests). */
export interface CopyIds {
  readonly recordId: string;
  readonly outboxId: string;
}

/**
 * The writes that complete a charged attempt: the copy record, the library entry, the portal record,
 * and (in the same transaction) the attempt marked `copied`.
 */
export function completionWrite(
  attempt: CopyAttempt,
  chargeReference: string,
  completedAt: IsoInstant,
  ids: CopyIds,
): CopyWrite {
  const { charge } = attempt;
  const record: CopyRecord = {
    id: ids.recordId,
    idempotencyKey: attempt.key,
    requester: charge.requester,
    owner: charge.owner,
    resourceId: charge.resourceId,
    callId: charge.callId,
    trigger: attempt.trigger,
    outcome: 'copied',
    chargeReference,
    price: charge.price,
    requestedAt: charge.requestedAt,
    completedAt,
  };
  return {
    record,
    libraryEntry: {
      owner: charge.requester,
      resourceId: charge.resourceId,
      acquisition: 'copy',
      acquiredAt: completedAt,
      copiedFrom: charge.owner,
      callId: charge.callId,
    },
    outbox: {
      id: ids.outboxId,
      topic: 'copy-record',
      payload: { ...record, title: charge.title, icid: charge.icid },
      createdAt: completedAt,
      attempts: 0,
      nextAttemptAt: completedAt,
      deliveredAt: null,
    },
    attemptKey: attempt.key,
  };
}

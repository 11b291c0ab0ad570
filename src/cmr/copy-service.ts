import { randomUUID } from 'node:crypto';
import type { Call } from '../calls/call';
import type { Logger } from '../observability/logger';
import {
  completionWrite,
  requestedAttempt,
  RESTARTABLE_ATTEMPT_STATES,
  UNFINISHED_ATTEMPT_STATES,
  type CopyAttempt,
  type CopyAttemptChange,
  type CopyAttemptState,
  type CrashPoint,
} from './copy-attempt';
import { evaluateCopyPrivacy } from './copy-privacy';
import {
  copyIdempotencyKey,
  type CopyOutcome,
  type CopyRecord,
  type CopyTrigger,
  type Identity,
  type Money,
  type Resource,
} from './model';
import type { ChargeRequest, ChargeResult, ChargingGateway } from './ports/charging-gateway.port';
import type { CmrStore } from './ports/cmr-store.port';
import { StoreError } from './ports/store-error';
import { isResourceValidAt } from './ringing-selection';

/** A copy asked for on a call; who asks and whose media it is come from the call, never from the request. */
export interface CopyAsk {
  readonly call: Call;
  readonly trigger: CopyTrigger;
  /** When the caller asked (epoch ms): the resource presenting then is the one copied. */
  readonly at: number;
  /** The resource the client says it means, if it names one: it must be the one that presented. */
  readonly resourceId?: string | null;
}

export interface CopyResult {
  readonly outcome: CopyOutcome;
  readonly resource: Resource | null;
  readonly price: Money | null;
  readonly chargeReference: string | null;
  /** True when this ask repeated one already decided (retransmission, second press, INFO and MESSAGE). */
  readonly duplicate: boolean;
  readonly record: CopyRecord | null;
}

/** The resource a copy would take, for the consent offer: what presents at `at` (with the grace period). */
export interface CopyOffer {
  readonly resource: Resource;
  /** The caller owns it already: nothing to offer, nothing to charge. */
  readonly alreadyOwned: boolean;
}

export interface CopyServiceOptions {
  readonly store: Pick<
    CmrStore,
    | 'getSubscriber'
    | 'getResource'
    | 'getLibraryEntry'
    | 'countLibrary'
    | 'recordCopy'
    | 'getCopyByIdempotencyKey'
    | 'startCopyAttempt'
    | 'advanceCopyAttempt'
  >;
  readonly charging: ChargingGateway;
  readonly clock: { now(): number };
  readonly logger: Logger;
  /** A copy asked this long after the media stopped still takes it. */
  readonly graceMs: number;
  /** Called after a copy is recorded with a portal record, so delivery can start at once. */
  readonly onRecorded?: () => void;
  /** Called with every decision (duplicates included), for metrics. */
  readonly onDecided?: (trigger: CopyTrigger, outcome: CopyOutcome) => void;
  /** Called at each step boundary of a charged copy; the test hook `testing.crashAt` stops the process there. */
  readonly crashPoint?: CrashPoint;
}

type JournalNote = Omit<CopyAttemptChange, 'at'>;

type Decision = { readonly outcome: CopyOutcome; readonly resource: Resource | null };

/**
 * The online-copy use case (the seed's steps 4 to 7): resolve the presenting resource, check the requester,
 * the owner's privacy, the resource and the library; charge once; then write the library entry, the copy
 * record and the portal record together. Every attempt leaves a copy record. Expected failures are values.
 *
 * A charged copy is journalled (copy-attempt.ts): `requested` is written before the debit, `charged` with
 * the reference after it, `copied` with the copy; CopyRecovery finishes or undoes what a crash left.
 */
export class CopyService {
  /** One decision in flight per idempotency key: a second press waits for the first and gets its answer. */
  private readonly inFlight = new Map<string, Promise<CopyResult>>();
  /** Attempts being recovered; an ask for one waits for its recovery. */
  private readonly recovering = new Map<string, Promise<unknown>>();

  constructor(private readonly options: CopyServiceOptions) {}

  /**
   * What a copy asked now would take, without deciding or charging anything (the first key press of the
   * consent dialogue); a tone the caller already owns is said so instead of being offered for money.
   */
  async offer(call: Call, at: number): Promise<CopyOffer | null> {
    const presentation = call.presentingAt(at, this.options.graceMs);
    if (!presentation) return null;
    const requester = call.parties.caller;
    const owned = requester ? await this.options.store.getLibraryEntry(requester, presentation.resource.id) : null;
    return { resource: presentation.resource, alreadyOwned: owned !== null };
  }

  async requestCopy(ask: CopyAsk): Promise<CopyResult> {
    const result = await this.decideCopy(ask);
    this.options.onDecided?.(ask.trigger, result.outcome);
    return result;
  }

  private async decideCopy(ask: CopyAsk): Promise<CopyResult> {
    const { caller: requester, called: owner } = ask.call.parties;
    const presentation = ask.call.presentingAt(ask.at, this.options.graceMs);
    if (!requester || !owner) return this.refused(ask, 'not-subscribed', null);
    if (!presentation) return this.refused(ask, 'nothing-presenting', null);
    const resource = presentation.resource;
    if (ask.resourceId && ask.resourceId !== resource.id) return this.refused(ask, 'resource-mismatch', resource);
    const key = copyIdempotencyKey(ask.call.id, requester, resource.id);
    const running = this.inFlight.get(key);
    if (running) return { ...(await running), duplicate: true };
    const recovery = this.recovering.get(key);
    const decision = (recovery ? recovery.then(noop, noop) : Promise.resolve())
      .then(() => this.decide(ask, requester, owner, resource, key))
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, decision);
    return decision;
  }

  /**
   * Runs `task` (the recovery of attempt `key`) unless an ask for the same copy is being decided here;
   * an ask arriving meanwhile waits for it. Resolves to the task's value, or `skipped`.
   */
  async exclusive<T>(key: string, task: () => Promise<T>): Promise<T | 'skipped'> {
    if (this.inFlight.has(key) || this.recovering.has(key)) return 'skipped';
    const running = task().finally(() => this.recovering.delete(key));
    this.recovering.set(key, running);
    return running;
  }

  private async decide(
    ask: CopyAsk,
    requester: Identity,
    owner: Identity,
    presented: Resource,
    key: string,
  ): Promise<CopyResult> {
    const { store } = this.options;
    try {
      const earlier = await store.getCopyByIdempotencyKey(key);
      if (earlier) return fromRecord(earlier, presented, true);
      const checked = await this.check(requester, owner, presented);
      if (checked.outcome !== 'copied' || !checked.resource) {
        return this.refused(ask, checked.outcome, checked.resource ?? presented);
      }
      return await this.chargeAndRecord(ask, requester, owner, checked.resource, key);
    } catch (err) {
      if (err instanceof StoreError && err.code === 'STORE.UNAVAILABLE') {
        this.options.logger.error('copy failed: store unavailable', { callId: ask.call.id, error: err.message });
        return result('store-unavailable', presented, null, null, false, null);
      }
      throw err;
    }
  }

  /** Steps of validation, in the order that costs the least and tells the caller the most. */
  private async check(requester: Identity, owner: Identity, presented: Resource): Promise<Decision> {
    const { store, clock } = this.options;
    const [requesterSub, ownerSub, resource] = await Promise.all([
      store.getSubscriber(requester),
      store.getSubscriber(owner),
      store.getResource(presented.id),
    ]);
    if (!requesterSub || requesterSub.status !== 'active' || !requesterSub.cmrEnabled) {
      return { outcome: 'not-subscribed', resource };
    }
    if (!ownerSub || !resource) return { outcome: 'not-copyable', resource: resource ?? presented };
    const privacy = evaluateCopyPrivacy({ ownerPrivacy: ownerSub.privacy, requester, resourceId: resource.id });
    if (!privacy.allowed) return { outcome: 'privacy-restricted', resource };
    if (!resource.copyable) return { outcome: 'not-copyable', resource };
    if (!isResourceValidAt(resource, new Date(clock.now()))) return { outcome: 'not-valid', resource };
    if (await store.getLibraryEntry(requester, resource.id)) return { outcome: 'already-owned', resource };
    if ((await store.countLibrary(requester)) >= requesterSub.libraryCapacity) {
      return { outcome: 'library-full', resource };
    }
    return { outcome: 'copied', resource };
  }

  private async chargeAndRecord(
    ask: CopyAsk,
    requester: Identity,
    owner: Identity,
    resource: Resource,
    key: string,
  ): Promise<CopyResult> {
    const { charging, store, logger } = this.options;
    const { attempt, resumed } = await this.journal(ask, requester, owner, resource, key);
    if (attempt.state !== 'requested' && attempt.state !== 'charged') {
      // Settled by someone else between our first read and now: their record is the answer.
      const earlier = await store.getCopyByIdempotencyKey(key);
      return earlier ? fromRecord(earlier, resource, true) : this.refused(ask, 'charging-unavailable', resource);
    }
    this.crash('after-requested');
    let reference = attempt.state === 'charged' ? attempt.chargeReference : null;
    if (reference === null) {
      const charged = await charging.debit(resumed ? { ...attempt.charge, retransmission: true } : attempt.charge);
      this.crash('after-debit');
      if (charged.status === 'refused') {
        await this.note(key, ['requested'], { state: 'failed', detail: `${charged.reason}: ${charged.detail}` });
        return this.refused(ask, charged.reason === 'no-credit' ? 'no-credit' : 'charging-refused', resource);
      }
      if (charged.status === 'unavailable') {
        logger.warn('copy not charged: charging unavailable', { callId: ask.call.id, detail: charged.detail });
        // Never sent, and no earlier try: nothing can have been debited. Otherwise the answer may be lost
        // after a debit: recovery asks again with the same key and refunds what it finds.
        const nothingDebited = charged.neverSent === true && !resumed;
        await this.note(
          key,
          ['requested'],
          nothingDebited ? { state: 'failed', detail: charged.detail } : { resolution: 'undo', detail: charged.detail },
        );
        return this.refused(ask, 'charging-unavailable', resource);
      }
      reference = charged.reference;
    }
    return this.record(ask, attempt, resource, reference);
  }

  /** Writes `requested` before any money moves; an ask of a copy already journalled resumes or restarts it. */
  private async journal(
    ask: CopyAsk,
    requester: Identity,
    owner: Identity,
    resource: Resource,
    key: string,
  ): Promise<{ attempt: CopyAttempt; resumed: boolean }> {
    const { store, clock } = this.options;
    const now = new Date(clock.now()).toISOString();
    const charge: ChargeRequest = {
      idempotencyKey: key,
      requester,
      owner,
      resourceId: resource.id,
      title: resource.title,
      price: resource.price,
      callId: ask.call.id,
      icid: ask.call.icid,
      requestedAt: new Date(ask.at).toISOString(),
    };
    const fresh = requestedAttempt(charge, ask.trigger, now);
    const started = await store.startCopyAttempt(fresh);
    if (started.created) return { attempt: fresh, resumed: false };
    if (RESTARTABLE_ATTEMPT_STATES.includes(started.attempt.state)) {
      // Asked again after a refusal or a refund: a new charge, under a key of its own (the old key's answer stands).
      const restarted = await store.advanceCopyAttempt(key, RESTARTABLE_ATTEMPT_STATES, {
        at: now,
        state: 'requested',
        resolution: 'complete',
        charge: { ...charge, idempotencyKey: `${key}#${randomUUID()}` },
        chargeReference: null,
        detail: null,
        recoveryTries: 'reset',
      });
      if (restarted) return { attempt: restarted, resumed: false };
    }
    // Asked again while unfinished (e.g. after charging-unavailable): the same charge again, and this time it completes.
    const resumed = await store.advanceCopyAttempt(key, UNFINISHED_ATTEMPT_STATES, { at: now, resolution: 'complete' });
    return { attempt: resumed ?? started.attempt, resumed: true };
  }

  /** Marks the attempt charged, then writes the copy (which marks it copied); refunds if that fails. */
  private async record(ask: CopyAsk, attempt: CopyAttempt, resource: Resource, reference: string): Promise<CopyResult> {
    const { store, clock, logger } = this.options;
    const completedAt = new Date(clock.now()).toISOString();
    const write = completionWrite(attempt, reference, completedAt, { recordId: randomUUID(), outboxId: randomUUID() });
    try {
      if (attempt.state === 'requested') {
        await store.advanceCopyAttempt(attempt.key, ['requested'], {
          at: completedAt,
          state: 'charged',
          chargeReference: reference,
        });
        this.crash('after-charged');
      }
      const written = await store.recordCopy(write);
      this.crash('after-copied');
      if (written.status === 'duplicate') return fromRecord(written.record, resource, true);
    } catch (err) {
      return this.undo(ask, attempt, resource, reference, err);
    }
    this.options.onRecorded?.();
    logger.info('copy recorded', { callId: ask.call.id, resourceId: resource.id, charge: reference });
    return result('copied', resource, resource.price, reference, false, write.record);
  }

  /** Charged but not copied: give the money back before telling the caller; recovery retries a refund that failed. */
  private async undo(
    ask: CopyAsk,
    attempt: CopyAttempt,
    resource: Resource,
    reference: string,
    err: unknown,
  ): Promise<CopyResult> {
    const outcome: CopyOutcome =
      err instanceof StoreError && err.code === 'STORE.LIBRARY_FULL'
        ? 'library-full'
        : err instanceof StoreError && err.code === 'STORE.CONFLICT'
          ? 'already-owned'
          : 'store-unavailable';
    const refund: ChargeResult = await this.options.charging.refund(attempt.charge, reference);
    this.options.logger.error('copy charged but not recorded: refunded', {
      callId: ask.call.id,
      refund: refund.status,
      error: String(err),
    });
    const detail = `${outcome}: ${String(err)}`;
    const change: JournalNote =
      refund.status === 'charged'
        ? { state: 'refunded', chargeReference: reference, detail }
        : { state: 'charged', chargeReference: reference, resolution: 'undo', detail };
    await this.note(attempt.key, UNFINISHED_ATTEMPT_STATES, change);
    return result(outcome, resource, null, null, false, null);
  }

  /** A journal write whose failure must not change the caller's answer (recovery finds the attempt as it was). */
  private async note(key: string, from: readonly CopyAttemptState[], change: JournalNote): Promise<void> {
    try {
      await this.options.store.advanceCopyAttempt(key, from, {
        ...change,
        at: new Date(this.options.clock.now()).toISOString(),
      });
    } catch (err) {
      this.options.logger.warn('copy journal not updated', { state: change.state ?? null, error: String(err) });
    }
  }

  private crash(step: Parameters<CrashPoint>[0]): void {
    this.options.crashPoint?.(step);
  }

  /** A refused attempt is recorded too (under its own key, so it never blocks a later successful copy). */
  private async refused(ask: CopyAsk, outcome: CopyOutcome, resource: Resource | null): Promise<CopyResult> {
    const { requester, owner } = { requester: ask.call.parties.caller, owner: ask.call.parties.called };
    this.options.logger.info('copy refused', { callId: ask.call.id, outcome, resourceId: resource?.id ?? null });
    if (!requester || !owner || !resource) return result(outcome, resource, null, null, false, null);
    const now = new Date(this.options.clock.now()).toISOString();
    const record: CopyRecord = {
      id: randomUUID(),
      idempotencyKey: `${copyIdempotencyKey(ask.call.id, requester, resource.id)}#${randomUUID()}`,
      requester,
      owner,
      resourceId: resource.id,
      callId: ask.call.id,
      trigger: ask.trigger,
      outcome,
      chargeReference: null,
      price: null,
      requestedAt: new Date(ask.at).toISOString(),
      completedAt: now,
    };
    try {
      await this.options.store.recordCopy({ record, libraryEntry: null, outbox: null });
    } catch (err) {
      // The refusal stands; only its history line is missing.
      this.options.logger.warn('refused copy not recorded', { callId: ask.call.id, error: String(err) });
    }
    return result(outcome, resource, null, null, false, record);
  }
}

function noop(): void {}

function result(
  outcome: CopyOutcome,
  resource: Resource | null,
  price: Money | null,
  chargeReference: string | null,
  duplicate: boolean,
  record: CopyRecord | null,
): CopyResult {
  return { outcome, resource, price, chargeReference, duplicate, record };
}

function fromRecord(record: CopyRecord, resource: Resource, duplicate: boolean): CopyResult {
  return result(record.outcome, resource, record.price, record.chargeReference, duplicate, record);
}

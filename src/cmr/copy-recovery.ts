import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock';
import type { Logger } from '../observability/logger';
import { completionWrite, UNFINISHED_ATTEMPT_STATES, type CopyAttempt, type CopyAttemptChange } from './copy-attempt';
import type { ChargingGateway } from './ports/charging-gateway.port';
import type { CmrStore } from './ports/cmr-store.port';
import { isStoreError } from './ports/store-error';

export const DEFAULT_RECOVERY_BATCH = 50;

export interface CopyRecoveryOptions {
  readonly store: Pick<CmrStore, 'listUnfinishedCopyAttempts' | 'advanceCopyAttempt' | 'recordCopy'>;
  readonly charging: ChargingGateway;
  readonly clock: Clock;
  readonly logger: Logger;
  /** An attempt unchanged for this long belongs to nobody any more (`copy.recoveryMinAgeMs`). */
  readonly minAgeMs: number;
  /** Pause between passes (`copy.recoveryIntervalMs`). */
  readonly intervalMs: number;
  /** Passes that could not settle an attempt before it is given up for manual reconciliation (`copy.recoveryMaxTries`). */
  readonly maxTries: number;
  /** Attempts looked at per pass; default DEFAULT_RECOVERY_BATCH. */
  readonly batchSize?: number;
  /** Runs the recovery of one attempt unless a live ask for it is being decided (CopyService.exclusive). */
  readonly exclusive?: <T>(key: string, task: () => Promise<T>) => Promise<T | 'skipped'>;
  /** Called after a recovered copy is recorded, so the portal feed delivers it at once. */
  readonly onRecorded?: () => void;
}

/** How one attempt ended a pass. */
export type RecoveryOutcome = 'copied' | 'refunded' | 'failed' | 'pending' | 'skipped';

export type RecoveryPass = Readonly<Record<RecoveryOutcome, number>>;

/**
 * Finishes or undoes the charged copies a crash (or a lost charging answer) left unfinished, without a
 * second debit: a `requested` attempt is debited again with the same idempotency key, marked as a
 * retransmission (the charging system answers a debit it already made with its first answer); a
 * `charged` one is completed (library entry, copy record, portal record) or, if that is no longer
 * possible or the caller was told it failed, refunded. Runs a pass at `start()` and every `intervalMs`;
 * each pass looks at a bounded batch. Charging or the store unavailable: tried again next pass, up to
 * `maxTries`, then given up and logged at error for reconciliation.
 */
export class CopyRecovery {
  private timer: TimerHandle | null = null;
  private running: Promise<RecoveryPass> | null = null;
  private started = false;
  private stopRequested = false;
  private readonly log: Logger;

  constructor(private readonly options: CopyRecoveryOptions) {
    this.log = options.logger;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopRequested = false;
    this.schedule(0);
  }

  /** Stops after the attempt in hand is settled; leaves no timer. */
  async stop(): Promise<void> {
    this.started = false;
    this.stopRequested = true;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass over the attempts unchanged for `minAgeMs`; never rejects (a failing store ends it early). */
  async runOnce(): Promise<RecoveryPass> {
    if (this.running) return this.running;
    this.running = this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private schedule(ms: number): void {
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      if (!this.started) return;
      void this.runOnce().then(() => {
        if (this.started) this.schedule(this.options.intervalMs);
      });
    }, ms);
  }

  private async pass(): Promise<RecoveryPass> {
    const counts: Record<RecoveryOutcome, number> = { copied: 0, refunded: 0, failed: 0, pending: 0, skipped: 0 };
    const { store, clock } = this.options;
    let attempts: readonly CopyAttempt[];
    try {
      const before = new Date(clock.now() - this.options.minAgeMs).toISOString();
      attempts = await store.listUnfinishedCopyAttempts(before, this.options.batchSize ?? DEFAULT_RECOVERY_BATCH);
    } catch (err) {
      this.log.warn('copy recovery cannot read the journal', { error: String(err) });
      return counts;
    }
    for (const attempt of attempts) {
      if (this.stopRequested) break;
      const task = () => this.settle(attempt);
      let outcome: RecoveryOutcome;
      try {
        outcome = this.options.exclusive ? await this.options.exclusive(attempt.key, task) : await task();
      } catch (err) {
        this.log.warn('copy recovery stopped: the store failed', { callId: attempt.charge.callId, error: String(err) });
        counts.pending++;
        break;
      }
      counts[outcome]++;
    }
    if (attempts.length > 0) this.log.info('copy recovery pass', { ...counts });
    return counts;
  }

  /** Settles one attempt as far as it can now; rejects only when the store fails. */
  private async settle(attempt: CopyAttempt): Promise<RecoveryOutcome> {
    const facts = { callId: attempt.charge.callId, resourceId: attempt.charge.resourceId, state: attempt.state };
    let current = attempt;
    if (current.state === 'requested') {
      const answer = await this.options.charging.debit({ ...current.charge, retransmission: true });
      if (answer.status === 'refused') {
        this.log.info('recovered copy refused by charging', { ...facts, reason: answer.reason });
        return this.move(current, { state: 'failed', detail: `${answer.reason}: ${answer.detail}` }, 'failed');
      }
      if (answer.status === 'unavailable') return this.postpone(current, answer.detail);
      const charged = await this.advance(current, { state: 'charged', chargeReference: answer.reference });
      if (!charged) return 'skipped';
      current = charged;
    }
    const reference = current.chargeReference;
    if (reference === null) {
      this.log.error('copy attempt charged without a reference: reconcile by hand', facts);
      return this.move(current, { state: 'failed', detail: 'charged without a reference' }, 'failed');
    }
    if (current.resolution === 'undo')
      return this.refund(current, reference, current.detail ?? 'the caller was told it failed');
    try {
      const at = new Date(this.options.clock.now()).toISOString();
      const write = completionWrite(current, reference, at, { recordId: randomUUID(), outboxId: randomUUID() });
      const written = await this.options.store.recordCopy(write);
      if (written.status === 'recorded') this.options.onRecorded?.();
      this.log.info('recovered copy recorded', { ...facts, charge: reference });
      return 'copied';
    } catch (err) {
      if (isStoreError(err, 'STORE.UNAVAILABLE')) return this.postpone(current, err.message);
      // Already owned, library full, subscriber or resource gone: the copy cannot be made any more.
      return this.refund(current, reference, `not copyable any more: ${String(err)}`);
    }
  }

  private async refund(attempt: CopyAttempt, reference: string, why: string): Promise<RecoveryOutcome> {
    const facts = { callId: attempt.charge.callId, resourceId: attempt.charge.resourceId, why };
    const answer = await this.options.charging.refund(attempt.charge, reference);
    if (answer.status === 'charged') {
      this.log.info('recovered copy refunded', facts);
      return this.move(attempt, { state: 'refunded', detail: why }, 'refunded');
    }
    if (answer.status === 'unavailable') return this.postpone(attempt, answer.detail);
    this.log.error('refund refused: reconcile by hand', { ...facts, reason: answer.reason, detail: answer.detail });
    return this.move(attempt, { state: 'failed', detail: `refund refused: ${answer.detail}` }, 'failed');
  }

  /** Not settled this time: counted, and given up after `maxTries`. */
  private async postpone(attempt: CopyAttempt, detail: string): Promise<RecoveryOutcome> {
    const facts = { callId: attempt.charge.callId, state: attempt.state, tries: attempt.recoveryTries + 1 };
    if (attempt.recoveryTries + 1 >= this.options.maxTries) {
      this.log.error('copy attempt given up: reconcile with the charging system', { ...facts, detail });
      return this.move(attempt, { state: 'failed', detail: `given up: ${detail}` }, 'failed');
    }
    this.log.warn('copy recovery postponed', { ...facts, detail });
    return this.move(attempt, { recoveryTries: 'increment', detail }, 'pending');
  }

  private async move(
    attempt: CopyAttempt,
    change: Omit<CopyAttemptChange, 'at'>,
    outcome: RecoveryOutcome,
  ): Promise<RecoveryOutcome> {
    return (await this.advance(attempt, change)) ? outcome : 'skipped';
  }

  /** Changes the attempt if nobody else did since it was read. */
  private advance(attempt: CopyAttempt, change: Omit<CopyAttemptChange, 'at'>): Promise<CopyAttempt | null> {
    const from = UNFINISHED_ATTEMPT_STATES.filter((s) => s === attempt.state);
    return this.options.store.advanceCopyAttempt(attempt.key, from, {
      ...change,
      at: new Date(this.options.clock.now()).toISOString(),
    });
  }
}

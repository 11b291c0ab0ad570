import type { CopyAttempt, CopyAttemptChange, CopyAttemptStart, CopyAttemptState } from '../../src/cmr/copy-attempt';
import { UNFINISHED_ATTEMPT_STATES } from '../../src/cmr/copy-attempt';
import type { IsoInstant } from '../../src/cmr/model';
import { StoreError } from '../../src/cmr/ports/store-error';

/** The copy journal part of the store in memory, with the SQL stores' semantics (see copy-journal.contract.ts). */
export class MemoryCopyJournal {
  readonly attempts = new Map<string, CopyAttempt>();
  /** Set to make the next journal writes fail, as an unreachable database would. */
  failWrites = 0;

  async startCopyAttempt(attempt: CopyAttempt): Promise<CopyAttemptStart> {
    this.writing();
    const existing = this.attempts.get(attempt.key);
    if (existing) return { created: false, attempt: existing };
    this.attempts.set(attempt.key, attempt);
    return { created: true, attempt };
  }

  async advanceCopyAttempt(
    key: string,
    from: readonly CopyAttemptState[],
    change: CopyAttemptChange,
  ): Promise<CopyAttempt | null> {
    this.writing();
    const current = this.attempts.get(key);
    if (!current || !from.includes(current.state)) return null;
    const next: CopyAttempt = {
      ...current,
      updatedAt: change.at,
      ...(change.state === undefined ? {} : { state: change.state }),
      ...(change.resolution === undefined ? {} : { resolution: change.resolution }),
      ...(change.charge === undefined ? {} : { charge: change.charge }),
      ...(change.chargeReference === undefined ? {} : { chargeReference: change.chargeReference }),
      ...(change.detail === undefined ? {} : { detail: change.detail }),
      recoveryTries:
        change.recoveryTries === 'increment'
          ? current.recoveryTries + 1
          : change.recoveryTries === 'reset'
            ? 0
            : current.recoveryTries,
    };
    this.attempts.set(key, next);
    return next;
  }

  async getCopyAttempt(key: string): Promise<CopyAttempt | null> {
    return this.attempts.get(key) ?? null;
  }

  async listUnfinishedCopyAttempts(updatedBefore: IsoInstant, limit: number): Promise<readonly CopyAttempt[]> {
    return [...this.attempts.values()]
      .filter((a) => UNFINISHED_ATTEMPT_STATES.includes(a.state) && a.updatedAt < updatedBefore)
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.key.localeCompare(b.key))
      .slice(0, limit);
  }

  /** What a copy write with `attemptKey` does to its attempt, in the same transaction. */
  markCopied(key: string, chargeReference: string | null, at: IsoInstant): void {
    const current = this.attempts.get(key);
    if (!current || !UNFINISHED_ATTEMPT_STATES.includes(current.state)) return;
    this.attempts.set(key, { ...current, state: 'copied', chargeReference, detail: null, updatedAt: at });
  }

  /** The attempt with this key; throws if there is none. */
  get(key: string): CopyAttempt {
    const attempt = this.attempts.get(key);
    if (!attempt) throw new Error(`no attempt ${key}`);
    return attempt;
  }

  private writing(): void {
    if (this.failWrites <= 0) return;
    this.failWrites--;
    throw new StoreError('STORE.UNAVAILABLE', 'database unreachable');
  }
}

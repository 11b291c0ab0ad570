import type { CopyAttempt, CopyAttemptChange, CopyAttemptState } from '../../cmr/copy-attempt';
import type {
  CallerGroup,
  Identity,
  IsoInstant,
  LibraryEntry,
  PrivacySettings,
  Resource,
  ResourceId,
  RingingRules,
  Subscriber,
} from '../../cmr/model';
import type {
  CmrDataSet,
  CmrStore,
  CopyHistoryRole,
  CopyWrite,
  CopyWriteResult,
  PageRequest,
  PutResult,
  SelectionContext,
} from '../../cmr/ports/cmr-store.port';
import { StoreError, type StoreErrorCode } from '../../cmr/ports/store-error';
import type { Logger } from '../../observability/logger';
import { SelectionContextCache } from '../selection-context-cache';
import * as catalog from './catalog-queries';
import * as attempts from './copy-attempt-queries';
import * as library from './library-queries';
import * as outbox from './outbox-queries';
import * as rules from './rules-queries';
import type { SqlDatabase, SqlSession } from './sql-database';
import { num } from './sql-rows';

export interface SqlCmrStoreOptions {
  /** How long a called subscriber's selection context is reused (0: read on every call); default 2 s. */
  readonly selectionCacheMs?: number;
  readonly now?: () => number;
}

/** Reused for 2 s: an INVITE a millisecond after a write on another instance may still see the old rules. */
export const DEFAULT_SELECTION_CACHE_MS = 2000;

/**
 * The CmrStore over any SqlDatabase: the SQL is shared, the dialects differ only in their executor.
 * Every method is one read snapshot or one transaction; driver errors become StoreErrors here.
 * Selection contexts, read on every INVITE, are cached briefly and dropped by every provisioning write.
 */
export class SqlCmrStore implements CmrStore {
  private readonly selections: SelectionContextCache;

  constructor(
    private readonly db: SqlDatabase,
    private readonly log: Logger,
    options: SqlCmrStoreOptions = {},
  ) {
    this.selections = new SelectionContextCache(
      options.selectionCacheMs ?? DEFAULT_SELECTION_CACHE_MS,
      options.now ?? Date.now,
    );
  }

  /** Translates a failure: StoreErrors pass through, driver errors get a code (`onConstraint` for constraint violations). */
  private fail(
    err: unknown,
    onUnique: StoreErrorCode = 'STORE.CONFLICT',
    onForeignKey: StoreErrorCode = 'STORE.REFERENCE',
  ): StoreError {
    if (err instanceof StoreError) return err;
    const kind = this.db.classify(err);
    if (kind === 'unique') return new StoreError(onUnique, 'a uniqueness constraint was violated', [], { cause: err });
    if (kind === 'foreign-key')
      return new StoreError(onForeignKey, 'a reference constraint was violated', [], { cause: err });
    this.log.error('store operation failed', { dialect: this.db.dialect, error: (err as Error).message, kind });
    return new StoreError('STORE.UNAVAILABLE', 'the database failed', [], { cause: err });
  }

  private async read<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
    try {
      return await this.db.read(fn);
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** A write of provisioned data: the cached selection contexts may no longer hold. */
  private async write<T>(
    fn: (s: SqlSession) => Promise<T>,
    onForeignKey: StoreErrorCode = 'STORE.REFERENCE',
  ): Promise<T> {
    try {
      return await this.writeCopyState(fn, onForeignKey);
    } finally {
      // Cleared when the write is over, so a read that began during it cannot be kept.
      this.selections.clear();
    }
  }

  /** A write of copy attempts or the outbox, which no selection context reads. */
  private async writeCopyState<T>(
    fn: (s: SqlSession) => Promise<T>,
    onForeignKey: StoreErrorCode = 'STORE.REFERENCE',
  ): Promise<T> {
    try {
      return await this.db.transaction(fn);
    } catch (err) {
      throw this.fail(err, 'STORE.CONFLICT', onForeignKey);
    }
  }

  private get lock(): string {
    return this.db.forUpdate;
  }

  getSubscriber(identity: Identity) {
    return this.read((s) => catalog.readSubscriber(s, identity));
  }
  listSubscribers(page?: PageRequest) {
    return this.read((s) => catalog.listSubscribers(s, page));
  }
  async createSubscriber(subscriber: Subscriber): Promise<void> {
    await this.write((s) => catalog.writeSubscriber(s, subscriber, 'create', this.lock));
  }
  putSubscriber(subscriber: Subscriber): Promise<PutResult> {
    return this.write((s) => catalog.writeSubscriber(s, subscriber, 'put', this.lock));
  }
  deleteSubscriber(identity: Identity): Promise<void> {
    return this.write((s) => catalog.removeSubscriber(s, identity), 'STORE.IN_USE');
  }
  setPrivacy(identity: Identity, privacy: PrivacySettings): Promise<void> {
    return this.write((s) => catalog.writePrivacy(s, identity, privacy, this.lock));
  }

  getResource(id: ResourceId) {
    return this.read((s) => catalog.readResource(s, id));
  }
  listResources(page?: PageRequest) {
    return this.read((s) => catalog.listResources(s, page));
  }
  async createResource(resource: Resource): Promise<void> {
    await this.write((s) => catalog.writeResource(s, resource, 'create', this.lock));
  }
  putResource(resource: Resource): Promise<PutResult> {
    return this.write((s) => catalog.writeResource(s, resource, 'put', this.lock));
  }
  deleteResource(id: ResourceId): Promise<void> {
    return this.write((s) => catalog.removeResource(s, id, this.lock), 'STORE.IN_USE');
  }

  getRingingRules(subscriber: Identity) {
    return this.read((s) => rules.readRules(s, subscriber));
  }
  putRingingRules(subscriber: Identity, ringingRules: RingingRules): Promise<PutResult> {
    return this.write((s) => rules.writeRules(s, subscriber, ringingRules, this.lock));
  }
  deleteRingingRules(subscriber: Identity): Promise<void> {
    return this.write((s) => rules.removeRules(s, subscriber));
  }

  getCallerGroup(owner: Identity, id: string) {
    return this.read((s) => rules.readGroup(s, owner, id));
  }
  listCallerGroups(owner: Identity, page?: PageRequest) {
    return this.read((s) => rules.listGroups(s, owner, page));
  }
  async createCallerGroup(group: CallerGroup): Promise<void> {
    await this.write((s) => rules.writeGroup(s, group, 'create', this.lock));
  }
  putCallerGroup(group: CallerGroup): Promise<PutResult> {
    return this.write((s) => rules.writeGroup(s, group, 'put', this.lock));
  }
  deleteCallerGroup(owner: Identity, id: string): Promise<void> {
    return this.write((s) => rules.removeGroup(s, owner, id), 'STORE.IN_USE');
  }

  getLibraryEntry(owner: Identity, resourceId: ResourceId) {
    return this.read((s) => library.readLibraryEntry(s, owner, resourceId));
  }
  listLibrary(owner: Identity, page?: PageRequest) {
    return this.read((s) => library.listLibrary(s, owner, page));
  }
  countLibrary(owner: Identity) {
    return this.read((s) => library.countLibrary(s, owner));
  }
  addLibraryEntry(entry: LibraryEntry): Promise<void> {
    return this.write((s) => library.insertLibraryEntry(s, entry, this.lock));
  }
  removeLibraryEntry(owner: Identity, resourceId: ResourceId): Promise<void> {
    return this.write((s) => library.removeLibraryEntry(s, owner, resourceId));
  }

  async recordCopy(write: CopyWrite): Promise<CopyWriteResult> {
    try {
      const previous = await this.db.transaction((s) => library.writeCopy(s, write, this.lock));
      return previous ? { status: 'duplicate', record: previous } : { status: 'recorded', record: write.record };
    } catch (err) {
      // A concurrent copy with the same key may have committed between our check and our insert: its
      // record is then there, whether our insert hit the unique key or our locked re-read of the library.
      const raced = err instanceof StoreError ? err.code === 'STORE.CONFLICT' : this.db.classify(err) === 'unique';
      if (raced) {
        const winner = await this.getCopyByIdempotencyKey(write.record.idempotencyKey);
        if (winner) return { status: 'duplicate', record: winner };
      }
      throw this.fail(err);
    }
  }
  getCopyByIdempotencyKey(key: string) {
    return this.read((s) => library.readCopyByKey(s, key));
  }
  listCopyHistory(identity: Identity, role: CopyHistoryRole = 'either', page?: PageRequest) {
    return this.read((s) => library.listCopies(s, identity, role, page));
  }

  async startCopyAttempt(attempt: CopyAttempt) {
    try {
      return await this.writeCopyState((s) => attempts.startAttempt(s, attempt, this.lock));
    } catch (err) {
      // A twin start (another instance) inserted the same key between our read and our insert.
      const winner =
        err instanceof StoreError && err.code === 'STORE.CONFLICT' ? await this.getCopyAttempt(attempt.key) : null;
      if (winner) return { created: false, attempt: winner };
      throw err;
    }
  }
  advanceCopyAttempt(key: string, from: readonly CopyAttemptState[], change: CopyAttemptChange) {
    return this.writeCopyState((s) => attempts.advanceAttempt(s, key, from, change, this.lock));
  }
  getCopyAttempt(key: string) {
    return this.read((s) => attempts.readAttempt(s, key));
  }
  listUnfinishedCopyAttempts(updatedBefore: IsoInstant, limit: number) {
    return this.read((s) => attempts.listUnfinished(s, updatedBefore, limit));
  }

  listDueOutbox(now: IsoInstant, limit: number) {
    return this.read((s) => library.dueOutbox(s, now, limit));
  }
  markOutboxDelivered(id: string, at: IsoInstant): Promise<void> {
    return this.writeCopyState((s) =>
      library.updateOutbox(s, id, 'UPDATE outbox SET delivered_at = ? WHERE id = ?', [at]),
    );
  }
  rescheduleOutbox(id: string, nextAttemptAt: IsoInstant): Promise<void> {
    return this.writeCopyState((s) =>
      library.updateOutbox(s, id, 'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?', [
        nextAttemptAt,
      ]),
    );
  }

  markOutboxDead(id: string, at: IsoInstant, lastError: string): Promise<void> {
    return this.writeCopyState((s) => outbox.markDead(s, id, at, lastError));
  }
  listDeadLetters(page?: PageRequest) {
    return this.read((s) => outbox.listDeadLetters(s, page));
  }
  replayDeadLetter(id: string, at: IsoInstant) {
    return this.writeCopyState((s) => outbox.replayDeadLetter(s, id, at));
  }
  outboxStats() {
    return this.read((s) => outbox.outboxStats(s));
  }

  loadSelectionContext(called: Identity): Promise<SelectionContext | null> {
    return this.selections.get(called, () => this.read((s) => rules.readSelectionContext(s, called)));
  }

  isEmpty(): Promise<boolean> {
    return this.read(async (s) => {
      const [row] = await s.all('SELECT (SELECT COUNT(*) FROM subscribers) + (SELECT COUNT(*) FROM resources) AS n');
      return row !== undefined && num(row, 'n') === 0;
    });
  }

  importDataSet(data: CmrDataSet): Promise<void> {
    return this.write(async (s) => {
      for (const r of data.resources) await catalog.writeResource(s, r, 'create', this.lock);
      for (const sub of data.subscribers) await catalog.writeSubscriber(s, sub, 'create', this.lock);
      for (const g of data.callerGroups) await rules.writeGroup(s, g, 'create', this.lock);
      for (const r of data.ringingRules) await rules.writeRules(s, r.subscriber, r.rules, this.lock);
      for (const e of data.library) await library.insertLibraryEntry(s, e, this.lock);
    });
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

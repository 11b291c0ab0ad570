import type { CopyAttempt, CopyAttemptChange, CopyAttemptStart, CopyAttemptState } from '../copy-attempt';
import type {
  CallerGroup,
  CopyRecord,
  Identity,
  IsoInstant,
  LibraryEntry,
  OutboxMessage,
  PrivacySettings,
  Resource,
  ResourceId,
  RingingRules,
  Subscriber,
} from '../model';

/**
 * The persistence port of the CMR domain. Implemented by the SQLite and PostgreSQL adapters in src/store/,
 * both held to test/integration/store/cmr-store.contract.ts.
 *
 * Every method rejects only with a `StoreError` (see store-error.ts). Referential integrity is the store's job:
 * a playlist naming an unknown resource or a rule naming an unknown group is `STORE.REFERENCE` (with `problems`
 * naming the field), deleting something still referred to is `STORE.IN_USE`. Each method is one transaction.
 */

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

export interface PageRequest {
  /** 1..MAX_PAGE_LIMIT; the store clamps values outside that range. Default DEFAULT_PAGE_LIMIT. */
  readonly limit?: number;
  /** `nextCursor` of the previous page; absent or null for the first page. */
  readonly cursor?: string | null;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; null on the last page. */
  readonly nextCursor: string | null;
}

export interface PutResult {
  /** True when the entity did not exist before (HTTP 201), false when it was replaced (HTTP 200). */
  readonly created: boolean;
}

/** Everything needed to choose what a caller hears when calling `subscriber`, read in one go. */
export interface SelectionContext {
  readonly subscriber: Subscriber;
  readonly rules: RingingRules | null;
  readonly groups: readonly CallerGroup[];
  /** The resources named by the rules' playlists. */
  readonly resources: readonly Resource[];
}

/** The writes of one copy attempt, committed together or not at all. */
export interface CopyWrite {
  readonly record: CopyRecord;
  /** The new library entry for a successful copy; `null` for a refused or failed attempt. */
  readonly libraryEntry: LibraryEntry | null;
  /** The portal notification; `null` if nothing is to be sent. */
  readonly outbox: OutboxMessage | null;
  /**
   * The copy attempt (journal) this write completes: marked `copied`, with the record's charge reference,
   * in the same transaction (also when the record turns out to be a duplicate).
   */
  readonly attemptKey?: string;
}

/** An outbox message given up on: the portal refused it, or it failed `portal.maxAttempts` times. */
export interface DeadLetter extends OutboxMessage {
  readonly deadAt: IsoInstant;
  /** The last answer or failure, e.g. `HTTP 400 ...`. */
  readonly lastError: string | null;
}

/** What the outbox holds, for metrics. */
export interface OutboxStats {
  /** Undelivered messages that are not dead letters. */
  readonly depth: number;
  /** When the oldest of those was written; null when there is none. */
  readonly oldestCreatedAt: IsoInstant | null;
  readonly deadLetters: number;
}

export type CopyWriteResult =
  | { readonly status: 'recorded'; readonly record: CopyRecord }
  /** A record with the same idempotency key exists: nothing was written and that record is returned. */
  | { readonly status: 'duplicate'; readonly record: CopyRecord };

export type CopyHistoryRole = 'requester' | 'owner' | 'either';

/** A whole data set written in one transaction, e.g. the demo seed. Written in the order listed. */
export interface CmrDataSet {
  readonly resources: readonly Resource[];
  readonly subscribers: readonly Subscriber[];
  readonly callerGroups: readonly CallerGroup[];
  readonly ringingRules: readonly { readonly subscriber: Identity; readonly rules: RingingRules }[];
  readonly library: readonly LibraryEntry[];
}

export interface CmrStore {
  // Subscribers. The subscriber's privacy settings are part of the Subscriber.
  getSubscriber(identity: Identity): Promise<Subscriber | null>;
  listSubscribers(page?: PageRequest): Promise<Page<Subscriber>>;
  /** CONFLICT if it exists; REFERENCE if a privacy override names an unknown resource. */
  createSubscriber(subscriber: Subscriber): Promise<void>;
  /** Creates or replaces (privacy included); rules, groups and library are kept. */
  putSubscriber(subscriber: Subscriber): Promise<PutResult>;
  /** NOT_FOUND if absent. Removes its rules, groups, privacy and library; its copy history stays. */
  deleteSubscriber(identity: Identity): Promise<void>;
  /** NOT_FOUND if the subscriber is absent; REFERENCE if an override names an unknown resource. */
  setPrivacy(identity: Identity, privacy: PrivacySettings): Promise<void>;

  // Resources.
  getResource(id: ResourceId): Promise<Resource | null>;
  listResources(page?: PageRequest): Promise<Page<Resource>>;
  /** CONFLICT if it exists. */
  createResource(resource: Resource): Promise<void>;
  putResource(resource: Resource): Promise<PutResult>;
  /** NOT_FOUND if absent; IN_USE while a playlist, a library or a privacy override refers to it. */
  deleteResource(id: ResourceId): Promise<void>;

  // Ringing rules: one rule set per subscriber.
  getRingingRules(subscriber: Identity): Promise<RingingRules | null>;
  /** NOT_FOUND if the subscriber is absent; REFERENCE for unknown resources or groups (problems name the fields). */
  putRingingRules(subscriber: Identity, rules: RingingRules): Promise<PutResult>;
  /** NOT_FOUND if there are none. */
  deleteRingingRules(subscriber: Identity): Promise<void>;

  // Caller groups, owned by a subscriber.
  getCallerGroup(owner: Identity, id: string): Promise<CallerGroup | null>;
  listCallerGroups(owner: Identity, page?: PageRequest): Promise<Page<CallerGroup>>;
  /** NOT_FOUND if the owner is absent; CONFLICT if the group exists. */
  createCallerGroup(group: CallerGroup): Promise<void>;
  /** NOT_FOUND if the owner is absent. */
  putCallerGroup(group: CallerGroup): Promise<PutResult>;
  /** NOT_FOUND if absent; IN_USE while one of the owner's rules names it. */
  deleteCallerGroup(owner: Identity, id: string): Promise<void>;

  // Library.
  getLibraryEntry(owner: Identity, resourceId: ResourceId): Promise<LibraryEntry | null>;
  /** In acquisition order, oldest first. */
  listLibrary(owner: Identity, page?: PageRequest): Promise<Page<LibraryEntry>>;
  countLibrary(owner: Identity): Promise<number>;
  /** NOT_FOUND/REFERENCE for an unknown owner/resource; CONFLICT if already there; LIBRARY_FULL at capacity. */
  addLibraryEntry(entry: LibraryEntry): Promise<void>;
  /** NOT_FOUND if absent. */
  removeLibraryEntry(owner: Identity, resourceId: ResourceId): Promise<void>;

  // Copy: the atomic write of the copy use case, idempotent on `record.idempotencyKey`.
  /**
   * In one transaction: the copy record, the library entry (if any) and the outbox message (if any).
   * A record with the same idempotency key already stored makes this a no-op returning `duplicate`.
   * If any write fails (CONFLICT for an entry already there, LIBRARY_FULL, REFERENCE for an unknown
   * requester or resource) nothing at all is written.
   */
  recordCopy(write: CopyWrite): Promise<CopyWriteResult>;
  getCopyByIdempotencyKey(key: string): Promise<CopyRecord | null>;
  /** Newest first. */
  listCopyHistory(identity: Identity, role?: CopyHistoryRole, page?: PageRequest): Promise<Page<CopyRecord>>;

  // Copy journal: the durable states of each charged copy (see copy-attempt.ts).
  /** Writes `attempt` unless one with its key exists; either way returns the stored attempt. */
  startCopyAttempt(attempt: CopyAttempt): Promise<CopyAttemptStart>;
  /** Applies `change` if the attempt is in one of the `from` states; the attempt as it is after, or null if it was not. */
  advanceCopyAttempt(
    key: string,
    from: readonly CopyAttemptState[],
    change: CopyAttemptChange,
  ): Promise<CopyAttempt | null>;
  getCopyAttempt(key: string): Promise<CopyAttempt | null>;
  /** Attempts still `requested` or `charged` and unchanged since `updatedBefore`, least recently changed first. */
  listUnfinishedCopyAttempts(updatedBefore: IsoInstant, limit: number): Promise<readonly CopyAttempt[]>;

  // Outbox (read by the portal feed).
  /** Undelivered messages due at `now` that are not dead letters, oldest first. */
  listDueOutbox(now: IsoInstant, limit: number): Promise<readonly OutboxMessage[]>;
  markOutboxDelivered(id: string, at: IsoInstant): Promise<void>;
  /** Counts an attempt and postpones the next one. */
  rescheduleOutbox(id: string, nextAttemptAt: IsoInstant): Promise<void>;
  /** Counts an attempt and makes the message a dead letter: no longer delivered until replayed. NOT_FOUND if absent. */
  markOutboxDead(id: string, at: IsoInstant, lastError: string): Promise<void>;
  /** Dead letters, oldest first. */
  listDeadLetters(page?: PageRequest): Promise<Page<DeadLetter>>;
  /** Puts a dead letter back in the queue, due at `at`, its attempts counted from zero. NOT_FOUND unless it is a dead letter. */
  replayDeadLetter(id: string, at: IsoInstant): Promise<OutboxMessage>;
  outboxStats(): Promise<OutboxStats>;

  /** The called subscriber with their rules, groups and the resources the rules name; null if unknown. */
  loadSelectionContext(called: Identity): Promise<SelectionContext | null>;

  /** True when there are neither subscribers nor resources (a fresh store, ready for the seed). */
  isEmpty(): Promise<boolean>;
  /** Writes the whole data set in one transaction (REFERENCE/CONFLICT as the single writes would). */
  importDataSet(data: CmrDataSet): Promise<void>;

  /** Waits for running operations, then releases the database. Further calls reject with UNAVAILABLE. */
  close(): Promise<void>;
}

/** Library entries, copy records and the outbox: the writes of the copy use case. */
import type { CopyRecord, Identity, IsoInstant, LibraryEntry, OutboxMessage, ResourceId } from '../../cmr/model';
import type { CopyHistoryRole, CopyWrite, Page, PageRequest } from '../../cmr/ports/cmr-store.port';
import { StoreError } from '../../cmr/ports/store-error';
import {
  COPY_COLUMNS,
  copyFromRow,
  LIBRARY_COLUMNS,
  libraryFromRow,
  OUTBOX_COLUMNS,
  outboxFromRow,
} from './entity-rows';
import { pageQuery, toPage } from './paging';
import { markAttemptCopied } from './copy-attempt-queries';
import type { SqlSession } from './sql-database';
import { num } from './sql-rows';

export async function readLibraryEntry(
  s: SqlSession,
  owner: Identity,
  resourceId: ResourceId,
): Promise<LibraryEntry | null> {
  const [row] = await s.all(`SELECT ${LIBRARY_COLUMNS} FROM library_entries WHERE owner = ? AND resource_id = ?`, [
    owner,
    resourceId,
  ]);
  return row ? libraryFromRow(row) : null;
}

export async function listLibrary(
  s: SqlSession,
  owner: Identity,
  page: PageRequest | undefined,
): Promise<Page<LibraryEntry>> {
  const list = `library:${owner}`;
  const { after, limit } = pageQuery(list, page, 'number');
  const rows = await s.all(
    `SELECT ${LIBRARY_COLUMNS} FROM library_entries WHERE owner = ? AND seq > ? ORDER BY seq LIMIT ?`,
    [owner, after ?? 0, limit + 1],
  );
  return toPage(list, rows, limit, (r) => num(r, 'seq'), libraryFromRow);
}

export async function countLibrary(s: SqlSession, owner: Identity): Promise<number> {
  const [row] = await s.all('SELECT COUNT(*) AS n FROM library_entries WHERE owner = ?', [owner]);
  return row ? num(row, 'n') : 0;
}

/**
 * Adds an entry after locking the owner's row (so two concurrent additions cannot both pass the capacity check).
 * `field` prefixes the field names of REFERENCE problems.
 */
export async function insertLibraryEntry(
  s: SqlSession,
  entry: LibraryEntry,
  forUpdate: string,
  field = '',
): Promise<void> {
  const [owner] = await s.all(`SELECT library_capacity FROM subscribers WHERE identity = ?${forUpdate}`, [entry.owner]);
  if (!owner)
    throw new StoreError('STORE.NOT_FOUND', 'no such subscriber', [
      { field: `${field}owner`, problem: 'unknown subscriber' },
    ]);
  if ((await s.all('SELECT id FROM resources WHERE id = ?', [entry.resourceId])).length === 0) {
    throw new StoreError('STORE.REFERENCE', 'unknown resource', [
      { field: `${field}resourceId`, problem: `unknown resource ${JSON.stringify(entry.resourceId)}` },
    ]);
  }
  if (await readLibraryEntry(s, entry.owner, entry.resourceId)) {
    throw new StoreError('STORE.CONFLICT', 'the resource is already in the library');
  }
  if ((await countLibrary(s, entry.owner)) >= num(owner, 'library_capacity')) {
    throw new StoreError('STORE.LIBRARY_FULL', 'the library is full');
  }
  await s.run(
    'INSERT INTO library_entries (owner, resource_id, acquisition, acquired_at, copied_from, call_id) VALUES (?, ?, ?, ?, ?, ?)',
    [entry.owner, entry.resourceId, entry.acquisition, entry.acquiredAt, entry.copiedFrom, entry.callId],
  );
}

export async function removeLibraryEntry(s: SqlSession, owner: Identity, resourceId: ResourceId): Promise<void> {
  if ((await s.run('DELETE FROM library_entries WHERE owner = ? AND resource_id = ?', [owner, resourceId])) === 0) {
    throw new StoreError('STORE.NOT_FOUND', 'no such library entry');
  }
}

export async function readCopyByKey(s: SqlSession, key: string): Promise<CopyRecord | null> {
  const [row] = await s.all(`SELECT ${COPY_COLUMNS} FROM copy_records WHERE idempotency_key = ?`, [key]);
  return row ? copyFromRow(row) : null;
}

async function insertCopyRecord(s: SqlSession, r: CopyRecord): Promise<void> {
  await s.run(
    `INSERT INTO copy_records (id, idempotency_key, requester, owner, resource_id, call_id, trigger, outcome, charge_reference,
       price_minor, currency, requested_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      r.id,
      r.idempotencyKey,
      r.requester,
      r.owner,
      r.resourceId,
      r.callId,
      r.trigger,
      r.outcome,
      r.chargeReference,
      r.price?.amountMinor ?? null,
      r.price?.currency ?? null,
      r.requestedAt,
      r.completedAt,
    ],
  );
}

async function insertOutbox(s: SqlSession, m: OutboxMessage): Promise<void> {
  await s.run(
    'INSERT INTO outbox (id, topic, payload, created_at, attempts, next_attempt_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [m.id, m.topic, JSON.stringify(m.payload ?? null), m.createdAt, m.attempts, m.nextAttemptAt, m.deliveredAt],
  );
}

/** The body of the copy transaction; the existing record if the key was already used, else null after writing. */
export async function writeCopy(s: SqlSession, write: CopyWrite, forUpdate: string): Promise<CopyRecord | null> {
  const previous = await readCopyByKey(s, write.record.idempotencyKey);
  if (previous) {
    if (write.attemptKey && previous.outcome === 'copied') {
      await markAttemptCopied(s, write.attemptKey, previous.chargeReference, previous.completedAt);
    }
    return previous;
  }
  if (write.libraryEntry) await insertLibraryEntry(s, write.libraryEntry, forUpdate, 'libraryEntry.');
  await insertCopyRecord(s, write.record);
  if (write.outbox) await insertOutbox(s, write.outbox);
  if (write.attemptKey)
    await markAttemptCopied(s, write.attemptKey, write.record.chargeReference, write.record.completedAt);
  return null;
}

export async function listCopies(
  s: SqlSession,
  identity: Identity,
  role: CopyHistoryRole,
  page: PageRequest | undefined,
): Promise<Page<CopyRecord>> {
  const list = `copies:${role}:${identity}`;
  const { after, limit } = pageQuery(list, page, 'number');
  const who = role === 'requester' ? 'requester = ?' : role === 'owner' ? 'owner = ?' : '(requester = ? OR owner = ?)';
  const whoParams = role === 'either' ? [identity, identity] : [identity];
  const rows = await s.all(
    `SELECT ${COPY_COLUMNS} FROM copy_records WHERE ${who} AND seq < ? ORDER BY seq DESC LIMIT ?`,
    [...whoParams, after ?? Number.MAX_SAFE_INTEGER, limit + 1],
  );
  return toPage(list, rows, limit, (r) => num(r, 'seq'), copyFromRow);
}

export async function dueOutbox(s: SqlSession, now: IsoInstant, limit: number): Promise<OutboxMessage[]> {
  const rows = await s.all(
    `SELECT ${OUTBOX_COLUMNS} FROM outbox
       WHERE delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= ? ORDER BY seq LIMIT ?`,
    [now, Math.max(1, Math.floor(limit))],
  );
  return rows.map(outboxFromRow);
}

export async function updateOutbox(s: SqlSession, id: string, sql: string, params: (string | number)[]): Promise<void> {
  if ((await s.run(sql, [...params, id])) === 0) throw new StoreError('STORE.NOT_FOUND', 'no such outbox message');
}

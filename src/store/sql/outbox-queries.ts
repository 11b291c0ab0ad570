/** The outbox's dead letters and statistics (delivery itself: library-queries.ts `dueOutbox`, `updateOutbox`). */
import type { IsoInstant, OutboxMessage } from '../../cmr/model';
import type { DeadLetter, OutboxStats, Page, PageRequest } from '../../cmr/ports/cmr-store.port';
import { StoreError } from '../../cmr/ports/store-error';
import { OUTBOX_COLUMNS, outboxFromRow } from './entity-rows';
import { pageQuery, toPage } from './paging';
import type { Row, SqlSession } from './sql-database';
import { iso, num, optIso, optStr } from './sql-rows';

function deadLetterFromRow(row: Row): DeadLetter {
  return { ...outboxFromRow(row), deadAt: iso(row, 'dead_at'), lastError: optStr(row, 'last_error') };
}

export async function markDead(s: SqlSession, id: string, at: IsoInstant, lastError: string): Promise<void> {
  const changed = await s.run(
    'UPDATE outbox SET attempts = attempts + 1, dead_at = ?, last_error = ? WHERE id = ? AND delivered_at IS NULL',
    [at, lastError.slice(0, 1000), id],
  );
  if (changed === 0) throw new StoreError('STORE.NOT_FOUND', 'no such undelivered outbox message');
}

export async function listDeadLetters(s: SqlSession, page: PageRequest | undefined): Promise<Page<DeadLetter>> {
  const list = 'dead-letters';
  const { after, limit } = pageQuery(list, page, 'number');
  const rows = await s.all(
    `SELECT ${OUTBOX_COLUMNS}, dead_at, last_error FROM outbox WHERE dead_at IS NOT NULL AND seq > ? ORDER BY seq LIMIT ?`,
    [after ?? 0, limit + 1],
  );
  return toPage(list, rows, limit, (r) => num(r, 'seq'), deadLetterFromRow);
}

export async function replayDeadLetter(s: SqlSession, id: string, at: IsoInstant): Promise<OutboxMessage> {
  const changed = await s.run(
    'UPDATE outbox SET dead_at = NULL, attempts = 0, next_attempt_at = ? WHERE id = ? AND dead_at IS NOT NULL',
    [at, id],
  );
  if (changed === 0) throw new StoreError('STORE.NOT_FOUND', 'no such dead letter');
  const [row] = await s.all(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE id = ?`, [id]);
  if (!row) throw new StoreError('STORE.NOT_FOUND', 'no such dead letter');
  return outboxFromRow(row);
}

export async function outboxStats(s: SqlSession): Promise<OutboxStats> {
  const [pending] = await s.all(
    'SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL',
  );
  const [dead] = await s.all('SELECT COUNT(*) AS n FROM outbox WHERE dead_at IS NOT NULL');
  return {
    depth: pending ? num(pending, 'n') : 0,
    oldestCreatedAt: pending ? optIso(pending, 'oldest') : null,
    deadLetters: dead ? num(dead, 'n') : 0,
  };
}

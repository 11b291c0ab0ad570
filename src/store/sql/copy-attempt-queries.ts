/** The copy journal (table copy_attempts): one row per charged copy, moving through its durable states. */
import {
  UNFINISHED_ATTEMPT_STATES,
  type CopyAttempt,
  type CopyAttemptChange,
  type CopyAttemptResolution,
  type CopyAttemptStart,
  type CopyAttemptState,
} from '../../cmr/copy-attempt';
import type { CopyTrigger, IsoInstant } from '../../cmr/model';
import type { Row, SqlSession, SqlValue } from './sql-database';
import { placeholders } from './sql-database';
import { iso, num, optStr, str } from './sql-rows';

const ATTEMPT_COLUMNS =
  'idempotency_key, state, resolution, charge_key, requester, owner, resource_id, title, price_minor, currency, ' +
  'call_id, icid, trigger, requested_at, charge_reference, recovery_tries, detail, created_at, updated_at';

function attemptFromRow(row: Row): CopyAttempt {
  return {
    key: str(row, 'idempotency_key'),
    state: str(row, 'state') as CopyAttemptState,
    resolution: str(row, 'resolution') as CopyAttemptResolution,
    charge: {
      idempotencyKey: str(row, 'charge_key'),
      requester: str(row, 'requester'),
      owner: str(row, 'owner'),
      resourceId: str(row, 'resource_id'),
      title: str(row, 'title'),
      price: { amountMinor: num(row, 'price_minor'), currency: str(row, 'currency') },
      callId: str(row, 'call_id'),
      icid: optStr(row, 'icid'),
      requestedAt: iso(row, 'requested_at'),
    },
    trigger: str(row, 'trigger') as CopyTrigger,
    chargeReference: optStr(row, 'charge_reference'),
    recoveryTries: num(row, 'recovery_tries'),
    detail: optStr(row, 'detail'),
    createdAt: iso(row, 'created_at'),
    updatedAt: iso(row, 'updated_at'),
  };
}

export async function readAttempt(s: SqlSession, key: string, forUpdate = ''): Promise<CopyAttempt | null> {
  const [row] = await s.all(`SELECT ${ATTEMPT_COLUMNS} FROM copy_attempts WHERE idempotency_key = ?${forUpdate}`, [
    key,
  ]);
  return row ? attemptFromRow(row) : null;
}

/** Inserts the attempt unless its key is taken; the stored attempt either way. */
export async function startAttempt(s: SqlSession, a: CopyAttempt, forUpdate: string): Promise<CopyAttemptStart> {
  const existing = await readAttempt(s, a.key, forUpdate);
  if (existing) return { created: false, attempt: existing };
  const c = a.charge;
  await s.run(`INSERT INTO copy_attempts (${ATTEMPT_COLUMNS}) VALUES (${placeholders(19)})`, [
    a.key,
    a.state,
    a.resolution,
    c.idempotencyKey,
    c.requester,
    c.owner,
    c.resourceId,
    c.title,
    c.price.amountMinor,
    c.price.currency,
    c.callId,
    c.icid,
    a.trigger,
    c.requestedAt,
    a.chargeReference,
    a.recoveryTries,
    a.detail,
    a.createdAt,
    a.updatedAt,
  ]);
  return { created: true, attempt: a };
}

/** Applies `change` when the attempt is in one of `from`; the attempt after the change, or null. */
export async function advanceAttempt(
  s: SqlSession,
  key: string,
  from: readonly CopyAttemptState[],
  change: CopyAttemptChange,
  forUpdate: string,
): Promise<CopyAttempt | null> {
  const current = await readAttempt(s, key, forUpdate);
  if (!current || !from.includes(current.state)) return null;
  const sets: string[] = ['updated_at = ?'];
  const params: SqlValue[] = [change.at];
  const set = (column: string, value: SqlValue) => {
    sets.push(`${column} = ?`);
    params.push(value);
  };
  if (change.state !== undefined) set('state', change.state);
  if (change.resolution !== undefined) set('resolution', change.resolution);
  if (change.chargeReference !== undefined) set('charge_reference', change.chargeReference);
  if (change.detail !== undefined) set('detail', change.detail);
  if (change.charge !== undefined) {
    const c = change.charge;
    set('charge_key', c.idempotencyKey);
    set('title', c.title);
    set('price_minor', c.price.amountMinor);
    set('currency', c.price.currency);
    set('icid', c.icid);
    set('requested_at', c.requestedAt);
  }
  if (change.recoveryTries === 'increment') sets.push('recovery_tries = recovery_tries + 1');
  if (change.recoveryTries === 'reset') sets.push('recovery_tries = 0');
  await s.run(`UPDATE copy_attempts SET ${sets.join(', ')} WHERE idempotency_key = ?`, [...params, key]);
  return readAttempt(s, key);
}

/** Marks the attempt a copy write completes; only from an unfinished state, so a refunded attempt stays refunded. */
export async function markAttemptCopied(
  s: SqlSession,
  key: string,
  chargeReference: string | null,
  at: IsoInstant,
): Promise<void> {
  await s.run(
    `UPDATE copy_attempts SET state = 'copied', charge_reference = ?, detail = NULL, updated_at = ?
       WHERE idempotency_key = ? AND state IN (${placeholders(UNFINISHED_ATTEMPT_STATES.length)})`,
    [chargeReference, at, key, ...UNFINISHED_ATTEMPT_STATES],
  );
}

export async function listUnfinished(s: SqlSession, updatedBefore: IsoInstant, limit: number): Promise<CopyAttempt[]> {
  const rows = await s.all(
    `SELECT ${ATTEMPT_COLUMNS} FROM copy_attempts
       WHERE state IN (${placeholders(UNFINISHED_ATTEMPT_STATES.length)}) AND updated_at < ?
       ORDER BY updated_at, idempotency_key LIMIT ?`,
    [...UNFINISHED_ATTEMPT_STATES, updatedBefore, Math.max(1, Math.floor(limit))],
  );
  return rows.map(attemptFromRow);
}

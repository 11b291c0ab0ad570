/** Subscribers (with their privacy settings) and resources. Each function runs inside a caller's transaction. */
import type { PrivacySettings, Resource, ResourceId, Subscriber } from '../../cmr/model';
import type { Page, PageRequest, PutResult } from '../../cmr/ports/cmr-store.port';
import { StoreError } from '../../cmr/ports/store-error';
import type { Problem } from '../../cmr/problem';
import {
  overrideFromRow,
  RESOURCE_COLUMNS,
  resourceFromRow,
  resourceParams,
  SUBSCRIBER_COLUMNS,
  subscriberFromRow,
} from './entity-rows';
import { pageQuery, toPage } from './paging';
import { placeholders, type Row, type SqlSession } from './sql-database';
import { num, str } from './sql-rows';

export type WriteMode = 'create' | 'put';

/** The subset of `ids` present in `table.column`. */
export async function existing(
  s: SqlSession,
  table: string,
  column: string,
  ids: readonly string[],
): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Set();
  const rows = await s.all(
    `SELECT ${column} AS k FROM ${table} WHERE ${column} IN (${placeholders(unique.length)})`,
    unique,
  );
  return new Set(rows.map((r) => str(r, 'k')));
}

export async function subscriberExists(s: SqlSession, identity: string, forUpdate = ''): Promise<boolean> {
  return (await s.all(`SELECT identity FROM subscribers WHERE identity = ?${forUpdate}`, [identity])).length > 0;
}

async function overridesOf(
  s: SqlSession,
  owners: readonly string[],
): Promise<Map<string, ReturnType<typeof overrideFromRow>[]>> {
  const out = new Map<string, ReturnType<typeof overrideFromRow>[]>();
  if (owners.length === 0) return out;
  const rows = await s.all(
    `SELECT owner, resource_id, copy FROM privacy_overrides WHERE owner IN (${placeholders(owners.length)}) ORDER BY owner, position`,
    owners,
  );
  for (const r of rows) {
    const owner = str(r, 'owner');
    out.set(owner, [...(out.get(owner) ?? []), overrideFromRow(r)]);
  }
  return out;
}

export async function readSubscriber(s: SqlSession, identity: string): Promise<Subscriber | null> {
  const [row] = await s.all(`SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers WHERE identity = ?`, [identity]);
  if (!row) return null;
  return subscriberFromRow(row, (await overridesOf(s, [identity])).get(identity) ?? []);
}

export async function listSubscribers(s: SqlSession, page: PageRequest | undefined): Promise<Page<Subscriber>> {
  const { after, limit } = pageQuery('subscribers', page, 'string');
  const rows = await s.all(
    `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers WHERE identity > ? ORDER BY identity LIMIT ?`,
    [after ?? '', limit + 1],
  );
  const overrides = await overridesOf(
    s,
    rows.slice(0, limit).map((r) => str(r, 'identity')),
  );
  return toPage(
    'subscribers',
    rows,
    limit,
    (r) => str(r, 'identity'),
    (r) => subscriberFromRow(r, overrides.get(str(r, 'identity')) ?? []),
  );
}

async function writeOverrides(s: SqlSession, owner: string, privacy: PrivacySettings, field: string): Promise<void> {
  const ids = privacy.overrides.map((o) => o.resourceId);
  const found = await existing(s, 'resources', 'id', ids);
  const problems: Problem[] = [];
  ids.forEach((id, i) => {
    if (!found.has(id))
      problems.push({ field: `${field}overrides[${i}].resourceId`, problem: `unknown resource ${JSON.stringify(id)}` });
  });
  if (problems.length > 0) throw new StoreError('STORE.REFERENCE', 'privacy settings name unknown resources', problems);
  await s.run('DELETE FROM privacy_overrides WHERE owner = ?', [owner]);
  for (const [position, o] of privacy.overrides.entries()) {
    await s.run('INSERT INTO privacy_overrides (owner, resource_id, position, copy) VALUES (?, ?, ?, ?)', [
      owner,
      o.resourceId,
      position,
      o.copy,
    ]);
  }
}

export async function writeSubscriber(
  s: SqlSession,
  sub: Subscriber,
  mode: WriteMode,
  forUpdate: string,
): Promise<PutResult> {
  const existed = await subscriberExists(s, sub.identity, forUpdate);
  if (existed && mode === 'create') throw new StoreError('STORE.CONFLICT', 'the subscriber already exists');
  await s.run(
    `INSERT INTO subscribers (${SUBSCRIBER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (identity) DO UPDATE SET display_name = excluded.display_name, status = excluded.status,
       cmr_enabled = excluded.cmr_enabled, library_capacity = excluded.library_capacity, time_zone = excluded.time_zone,
       privacy_copy = excluded.privacy_copy, privacy_contacts = excluded.privacy_contacts`,
    [
      sub.identity,
      sub.displayName,
      sub.status,
      sub.cmrEnabled,
      sub.libraryCapacity,
      sub.timeZone,
      sub.privacy.copy,
      JSON.stringify(sub.privacy.contacts),
    ],
  );
  await writeOverrides(s, sub.identity, sub.privacy, 'privacy.');
  return { created: !existed };
}

export async function writePrivacy(
  s: SqlSession,
  identity: string,
  privacy: PrivacySettings,
  forUpdate: string,
): Promise<void> {
  if (!(await subscriberExists(s, identity, forUpdate))) throw new StoreError('STORE.NOT_FOUND', 'no such subscriber');
  await s.run('UPDATE subscribers SET privacy_copy = ?, privacy_contacts = ? WHERE identity = ?', [
    privacy.copy,
    JSON.stringify(privacy.contacts),
    identity,
  ]);
  await writeOverrides(s, identity, privacy, '');
}

export async function removeSubscriber(s: SqlSession, identity: string): Promise<void> {
  await s.run('DELETE FROM ringing_rules WHERE subscriber = ?', [identity]);
  if ((await s.run('DELETE FROM subscribers WHERE identity = ?', [identity])) === 0) {
    throw new StoreError('STORE.NOT_FOUND', 'no such subscriber');
  }
}

export async function readResource(s: SqlSession, id: ResourceId): Promise<Resource | null> {
  const [row] = await s.all(`SELECT ${RESOURCE_COLUMNS} FROM resources WHERE id = ?`, [id]);
  return row ? resourceFromRow(row) : null;
}

export async function readResources(s: SqlSession, ids: readonly ResourceId[]): Promise<Resource[]> {
  if (ids.length === 0) return [];
  const rows = await s.all(
    `SELECT ${RESOURCE_COLUMNS} FROM resources WHERE id IN (${placeholders(ids.length)}) ORDER BY id`,
    ids,
  );
  return rows.map(resourceFromRow);
}

export async function listResources(s: SqlSession, page: PageRequest | undefined): Promise<Page<Resource>> {
  const { after, limit } = pageQuery('resources', page, 'string');
  const rows = await s.all(`SELECT ${RESOURCE_COLUMNS} FROM resources WHERE id > ? ORDER BY id LIMIT ?`, [
    after ?? '',
    limit + 1,
  ]);
  return toPage('resources', rows, limit, (r: Row) => str(r, 'id'), resourceFromRow);
}

export async function writeResource(
  s: SqlSession,
  r: Resource,
  mode: WriteMode,
  forUpdate: string,
): Promise<PutResult> {
  const existed = (await s.all(`SELECT id FROM resources WHERE id = ?${forUpdate}`, [r.id])).length > 0;
  if (existed && mode === 'create') throw new StoreError('STORE.CONFLICT', 'the resource already exists');
  await s.run(
    `INSERT INTO resources (${RESOURCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET title = excluded.title, artist = excluded.artist, provider = excluded.provider,
       media_uri = excluded.media_uri, kind = excluded.kind, duration_seconds = excluded.duration_seconds,
       copyable = excluded.copyable, price_minor = excluded.price_minor, currency = excluded.currency,
       valid_from = excluded.valid_from, valid_until = excluded.valid_until`,
    resourceParams(r),
  );
  return { created: !existed };
}

export async function removeResource(s: SqlSession, id: ResourceId, forUpdate: string): Promise<void> {
  if ((await s.all(`SELECT id FROM resources WHERE id = ?${forUpdate}`, [id])).length === 0) {
    throw new StoreError('STORE.NOT_FOUND', 'no such resource');
  }
  const [uses] = await s.all(
    `SELECT (SELECT COUNT(*) FROM ringing_rule_resources WHERE resource_id = ?) AS rules,
            (SELECT COUNT(*) FROM library_entries WHERE resource_id = ?) AS libraries,
            (SELECT COUNT(*) FROM privacy_overrides WHERE resource_id = ?) AS overrides`,
    [id, id, id],
  );
  const counts = {
    rules: num(uses ?? {}, 'rules'),
    libraries: num(uses ?? {}, 'libraries'),
    overrides: num(uses ?? {}, 'overrides'),
  };
  if (counts.rules + counts.libraries + counts.overrides > 0) {
    throw new StoreError(
      'STORE.IN_USE',
      `the resource is still used by ${counts.rules} rule set(s), ${counts.libraries} library(ies) and ${counts.overrides} privacy override(s)`,
    );
  }
  await s.run('DELETE FROM resources WHERE id = ?', [id]);
}

/** Ringing rules and caller groups, with their references checked inside the caller's transaction. */
import type { CallerGroup, Identity, RingingRules } from '../../cmr/model';
import type { Page, PageRequest, PutResult, SelectionContext } from '../../cmr/ports/cmr-store.port';
import { StoreError } from '../../cmr/ports/store-error';
import type { Problem } from '../../cmr/problem';
import { existing, readResources, readSubscriber, subscriberExists, type WriteMode } from './catalog-queries';
import { groupFromRow, rulesFromRow } from './entity-rows';
import { pageQuery, toPage } from './paging';
import type { SqlSession } from './sql-database';
import { str } from './sql-rows';

function notFound(what: string): StoreError {
  return new StoreError('STORE.NOT_FOUND', `no such ${what}`);
}

export async function readRules(s: SqlSession, subscriber: Identity): Promise<RingingRules | null> {
  const [row] = await s.all('SELECT doc FROM ringing_rules WHERE subscriber = ?', [subscriber]);
  return row ? rulesFromRow(row) : null;
}

/** Every resource id the rules name, each with the field that names it. */
function resourceRefs(rules: RingingRules): { id: string; field: string }[] {
  const refs = rules.rules.flatMap((rule, i) =>
    rule.playlist.resourceIds.map((id, j) => ({ id, field: `rules[${i}].playlist.resourceIds[${j}]` })),
  );
  const fallback = rules.defaultPlaylist?.resourceIds ?? [];
  return [...refs, ...fallback.map((id, j) => ({ id, field: `defaultPlaylist.resourceIds[${j}]` }))];
}

function groupRefs(rules: RingingRules): { id: string; field: string }[] {
  return rules.rules.flatMap((rule, i) =>
    rule.callers.kind === 'listed'
      ? rule.callers.groups.map((id, j) => ({ id, field: `rules[${i}].callers.groups[${j}]` }))
      : [],
  );
}

export async function writeRules(
  s: SqlSession,
  subscriber: Identity,
  rules: RingingRules,
  forUpdate: string,
): Promise<PutResult> {
  if (!(await subscriberExists(s, subscriber, forUpdate))) throw notFound('subscriber');
  const resources = resourceRefs(rules);
  const groups = groupRefs(rules);
  const foundResources = await existing(
    s,
    'resources',
    'id',
    resources.map((r) => r.id),
  );
  const ownGroups = new Set(
    (await s.all('SELECT id FROM caller_groups WHERE owner = ?', [subscriber])).map((r) => str(r, 'id')),
  );
  const problems: Problem[] = [
    ...resources
      .filter((r) => !foundResources.has(r.id))
      .map((r) => ({ field: r.field, problem: `unknown resource ${JSON.stringify(r.id)}` })),
    ...groups
      .filter((g) => !ownGroups.has(g.id))
      .map((g) => ({ field: g.field, problem: `unknown caller group ${JSON.stringify(g.id)}` })),
  ];
  if (problems.length > 0)
    throw new StoreError('STORE.REFERENCE', 'the rules name unknown resources or groups', problems);
  const existed = (await s.run('DELETE FROM ringing_rules WHERE subscriber = ?', [subscriber])) > 0;
  await s.run('INSERT INTO ringing_rules (subscriber, doc) VALUES (?, ?)', [subscriber, JSON.stringify(rules)]);
  for (const id of new Set(resources.map((r) => r.id))) {
    await s.run('INSERT INTO ringing_rule_resources (subscriber, resource_id) VALUES (?, ?)', [subscriber, id]);
  }
  for (const id of new Set(groups.map((g) => g.id))) {
    await s.run('INSERT INTO ringing_rule_groups (subscriber, group_id) VALUES (?, ?)', [subscriber, id]);
  }
  return { created: !existed };
}

export async function removeRules(s: SqlSession, subscriber: Identity): Promise<void> {
  if ((await s.run('DELETE FROM ringing_rules WHERE subscriber = ?', [subscriber])) === 0)
    throw notFound('ringing rules');
}

export async function readGroup(s: SqlSession, owner: Identity, id: string): Promise<CallerGroup | null> {
  const [row] = await s.all('SELECT owner, id, name, members FROM caller_groups WHERE owner = ? AND id = ?', [
    owner,
    id,
  ]);
  return row ? groupFromRow(row) : null;
}

export async function listGroups(
  s: SqlSession,
  owner: Identity,
  page: PageRequest | undefined,
): Promise<Page<CallerGroup>> {
  const { after, limit } = pageQuery(`groups:${owner}`, page, 'string');
  const rows = await s.all(
    'SELECT owner, id, name, members FROM caller_groups WHERE owner = ? AND id > ? ORDER BY id LIMIT ?',
    [owner, after ?? '', limit + 1],
  );
  return toPage(`groups:${owner}`, rows, limit, (r) => str(r, 'id'), groupFromRow);
}

export async function writeGroup(
  s: SqlSession,
  group: CallerGroup,
  mode: WriteMode,
  forUpdate: string,
): Promise<PutResult> {
  if (!(await subscriberExists(s, group.owner, forUpdate))) throw notFound('subscriber');
  const existed = (await readGroup(s, group.owner, group.id)) !== null;
  if (existed && mode === 'create') throw new StoreError('STORE.CONFLICT', 'the caller group already exists');
  await s.run(
    `INSERT INTO caller_groups (owner, id, name, members) VALUES (?, ?, ?, ?)
     ON CONFLICT (owner, id) DO UPDATE SET name = excluded.name, members = excluded.members`,
    [group.owner, group.id, group.name, JSON.stringify(group.members)],
  );
  return { created: !existed };
}

export async function removeGroup(s: SqlSession, owner: Identity, id: string): Promise<void> {
  if (
    (await s.all('SELECT 1 AS x FROM ringing_rule_groups WHERE subscriber = ? AND group_id = ?', [owner, id])).length >
    0
  ) {
    throw new StoreError('STORE.IN_USE', 'a ringing rule still names the caller group');
  }
  if ((await s.run('DELETE FROM caller_groups WHERE owner = ? AND id = ?', [owner, id])) === 0)
    throw notFound('caller group');
}

export async function readSelectionContext(s: SqlSession, called: Identity): Promise<SelectionContext | null> {
  const subscriber = await readSubscriber(s, called);
  if (!subscriber) return null;
  const rules = await readRules(s, called);
  const groups = (
    await s.all('SELECT owner, id, name, members FROM caller_groups WHERE owner = ? ORDER BY id', [called])
  ).map(groupFromRow);
  const ids = (await s.all('SELECT resource_id FROM ringing_rule_resources WHERE subscriber = ?', [called])).map((r) =>
    str(r, 'resource_id'),
  );
  return { subscriber, rules, groups, resources: await readResources(s, ids) };
}

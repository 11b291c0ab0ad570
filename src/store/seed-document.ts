/**
 * The seed file: a whole demo data set as provisioning documents, validated with the same functions as the API.
 * `{ "resources": [resource], "subscribers": [subscriber], "callerGroups": [{ "owner", ...group }],
 *    "ringingRules": [{ "subscriber", "rules", "defaultPlaylist"? }], "library": [{ "owner", "resourceId" }] }`
 * References are checked within the file, so every problem names its place in the file.
 */
import type { CallerGroup, Identity, LibraryEntry, Resource, RingingRules, Subscriber } from '../cmr/model';
import type { CmrDataSet } from '../cmr/ports/cmr-store.port';
import type { Problem, Validation } from '../cmr/problem';
import {
  validateCallerGroup,
  validateResource,
  validateRingingRules,
  validateSubscriber,
} from '../cmr/provisioning-validation';
import { DocumentReader, ROOT_FIELD, type Json } from '../cmr/validation/document-reader';

const MAX_ITEMS = 10_000;

function prefixed(prefix: string, problems: readonly Problem[]): Problem[] {
  return problems.map((p) => ({ field: p.field === ROOT_FIELD ? prefix : `${prefix}.${p.field}`, problem: p.problem }));
}

function each<T>(
  r: DocumentReader,
  doc: Json,
  key: string,
  validate: (item: unknown, path: string) => Validation<T>,
): T[] {
  const raw = doc[key] ?? [];
  if (!Array.isArray(raw) || raw.length > MAX_ITEMS) {
    r.add(key, `expected an array of at most ${MAX_ITEMS} items`);
    return [];
  }
  const out: T[] = [];
  raw.forEach((item: unknown, i) => {
    const v = validate(item, `${key}[${i}]`);
    if (v.ok) out.push(v.value);
    else r.problems.push(...prefixed(`${key}[${i}]`, v.problems));
  });
  return out;
}

/** Splits `{ [ownerKey]: identity, ...rest }` and validates the rest with the owner. */
function owned<T>(
  r: DocumentReader,
  item: unknown,
  path: string,
  ownerKey: string,
  validate: (rest: unknown, owner: Identity) => Validation<T>,
): Validation<T> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return validate(item, '');
  const { [ownerKey]: rawOwner, ...rest } = item as Json;
  const owner = r.req({ [ownerKey]: rawOwner }, ownerKey, path, (v, p) => r.identity(v, p));
  return owner === undefined ? { ok: false, problems: [] } : validate(rest, owner);
}

function checkReferences(r: DocumentReader, data: CmrDataSet): void {
  const resources = new Set(data.resources.map((x) => x.id));
  const subscribers = new Set(data.subscribers.map((x) => x.identity));
  const groups = new Set(data.callerGroups.map((g) => `${g.owner} ${g.id}`));
  data.subscribers.forEach((s, i) =>
    s.privacy.overrides.forEach((o, j) => {
      if (!resources.has(o.resourceId))
        r.add(`subscribers[${i}].privacy.overrides[${j}].resourceId`, 'unknown resource');
    }),
  );
  data.callerGroups.forEach((g, i) => {
    if (!subscribers.has(g.owner)) r.add(`callerGroups[${i}].owner`, 'unknown subscriber');
  });
  data.ringingRules.forEach(({ subscriber, rules }, i) => {
    if (!subscribers.has(subscriber)) r.add(`ringingRules[${i}].subscriber`, 'unknown subscriber');
    const playlists = [...rules.rules.map((x, j) => ({ at: `rules[${j}].playlist`, p: x.playlist }))];
    if (rules.defaultPlaylist) playlists.push({ at: 'defaultPlaylist', p: rules.defaultPlaylist });
    for (const { at, p } of playlists) {
      p.resourceIds.forEach((id, k) => {
        if (!resources.has(id)) r.add(`ringingRules[${i}].${at}.resourceIds[${k}]`, 'unknown resource');
      });
    }
    rules.rules.forEach((x, j) => {
      if (x.callers.kind !== 'listed') return;
      x.callers.groups.forEach((g, k) => {
        if (!groups.has(`${subscriber} ${g}`))
          r.add(`ringingRules[${i}].rules[${j}].callers.groups[${k}]`, 'unknown caller group');
      });
    });
  });
  data.library.forEach((e, i) => {
    if (!subscribers.has(e.owner)) r.add(`library[${i}].owner`, 'unknown subscriber');
    if (!resources.has(e.resourceId)) r.add(`library[${i}].resourceId`, 'unknown resource');
  });
  r.unique(data.resources, 'resources', (x) => x.id, 'resource id', 'id');
  r.unique(data.subscribers, 'subscribers', (x) => x.identity, 'subscriber identity', 'identity');
  r.unique(data.callerGroups, 'callerGroups', (x) => `${x.owner} ${x.id}`, 'caller group', 'id');
  r.unique(data.ringingRules, 'ringingRules', (x) => x.subscriber, 'rules for subscriber', 'subscriber');
}

/** Validates a parsed seed document into a data set, or lists every problem. */
export function validateSeed(doc: unknown, now: Date): Validation<CmrDataSet> {
  const r = new DocumentReader();
  const o = r.object(doc, ROOT_FIELD, [
    '$comment',
    'resources',
    'subscribers',
    'callerGroups',
    'ringingRules',
    'library',
  ]);
  if (!o) return { ok: false, problems: r.problems };
  const resources: Resource[] = each(r, o, 'resources', (x) => validateResource(x));
  const subscribers: Subscriber[] = each(r, o, 'subscribers', (x) => validateSubscriber(x));
  const callerGroups: CallerGroup[] = each(r, o, 'callerGroups', (x, p) =>
    owned(r, x, p, 'owner', validateCallerGroup),
  );
  const ringingRules = each(r, o, 'ringingRules', (x, p) =>
    owned(r, x, p, 'subscriber', (rest, subscriber): Validation<{ subscriber: Identity; rules: RingingRules }> => {
      const v = validateRingingRules(rest);
      return v.ok ? { ok: true, value: { subscriber, rules: v.value } } : v;
    }),
  );
  const library = each(r, o, 'library', (x): Validation<LibraryEntry> => {
    const lr = new DocumentReader();
    const e = lr.object(x, ROOT_FIELD, ['owner', 'resourceId']);
    const owner = e ? lr.req(e, 'owner', ROOT_FIELD, (v, vp) => lr.identity(v, vp)) : undefined;
    const resourceId = e ? lr.req(e, 'resourceId', ROOT_FIELD, (v, vp) => lr.string(v, vp, { max: 64 })) : undefined;
    if (owner === undefined || resourceId === undefined) return { ok: false, problems: lr.problems };
    const entry: LibraryEntry = {
      owner,
      resourceId,
      acquisition: 'provisioned',
      acquiredAt: now.toISOString(),
      copiedFrom: null,
      callId: null,
    };
    return { ok: true, value: entry };
  });
  const data: CmrDataSet = { resources, subscribers, callerGroups, ringingRules, library };
  if (r.problems.length === 0) checkReferences(r, data);
  return r.problems.length === 0 ? { ok: true, value: data } : { ok: false, problems: r.problems };
}

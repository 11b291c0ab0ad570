import {
  PLAYLIST_ORDERS,
  WEEKDAYS,
  type CallerMatch,
  type Playlist,
  type RingingRule,
  type RingingRules,
  type TimeWindow,
  type Weekday,
} from '../model';
import type { Validation } from '../problem';
import { DocumentReader, fieldPath, ROOT_FIELD } from './document-reader';

export const MAX_RULES = 100;
export const MAX_PLAYLIST_ITEMS = 50;
export const MAX_RULE_CALLERS = 1000;

/** Ids of resources, rules and groups: 1-64 characters of letters, digits, `.`, `_` and `-`. */
export const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const ID_HINT = 'must be 1-64 characters of letters, digits, ".", "_" and "-"';
const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export function readId(r: DocumentReader, v: unknown, p: string): string | undefined {
  return r.string(v, p, { max: 64, pattern: ID_PATTERN, hint: ID_HINT });
}

export function readPlaylist(r: DocumentReader, value: unknown, path: string): Playlist | undefined {
  const o = r.object(value, path, ['order', 'resourceIds']);
  if (!o) return undefined;
  const order = r.req(o, 'order', path, (v, p) => r.oneOf(v, p, PLAYLIST_ORDERS));
  const idsPath = fieldPath(path, 'resourceIds');
  const resourceIds = r.req(o, 'resourceIds', path, (v, p) =>
    r.array(v, p, { min: 1, max: MAX_PLAYLIST_ITEMS }, (x, xp) => readId(r, x, xp)),
  );
  if (resourceIds) r.unique(resourceIds, idsPath, (id) => id, 'resource');
  return order && resourceIds ? { order, resourceIds } : undefined;
}

function readCallers(r: DocumentReader, value: unknown, path: string): CallerMatch | undefined {
  const o = r.object(value, path, ['kind', 'identities', 'groups']);
  if (!o) return undefined;
  const kind = r.req(o, 'kind', path, (v, p) => r.oneOf(v, p, ['anyone', 'listed'] as const));
  if (kind === 'anyone') {
    for (const key of ['identities', 'groups']) {
      if (o[key] !== undefined) r.add(fieldPath(path, key), 'not allowed when kind is "anyone"');
    }
    return { kind };
  }
  const identities = r.opt(o, 'identities', path, [], (v, p) =>
    r.array(v, p, { max: MAX_RULE_CALLERS }, (x, xp) => r.identity(x, xp)),
  );
  const groups = r.opt(o, 'groups', path, [], (v, p) =>
    r.array(v, p, { max: MAX_RULE_CALLERS }, (x, xp) => readId(r, x, xp)),
  );
  if (kind === undefined || !identities || !groups) return undefined;
  if (identities.length === 0 && groups.length === 0) {
    r.add(path, 'a "listed" match needs at least one identity or group');
    return undefined;
  }
  r.unique(groups, fieldPath(path, 'groups'), (g) => g, 'group');
  return { kind, identities: [...new Set(identities)], groups };
}

function readDays(r: DocumentReader, value: unknown, path: string): Weekday[] | undefined {
  const days = r.array(value, path, { min: 1, max: 7 }, (x, xp) => r.oneOf(x, xp, WEEKDAYS));
  if (!days) return undefined;
  r.unique(days, path, (d) => d, 'day');
  return WEEKDAYS.filter((d) => days.includes(d));
}

function readWindow(r: DocumentReader, value: unknown, path: string): TimeWindow | undefined {
  const o = r.object(value, path, ['from', 'until']);
  if (!o) return undefined;
  const time = (v: unknown, p: string): string | undefined =>
    r.string(v, p, { max: 5, pattern: LOCAL_TIME, hint: 'expected a local time HH:MM from 00:00 to 23:59' });
  const from = r.req(o, 'from', path, time);
  const until = r.req(o, 'until', path, time);
  if (from === undefined || until === undefined) return undefined;
  if (from === until) {
    r.add(fieldPath(path, 'until'), 'must differ from "from" (leave the window out for all day)');
    return undefined;
  }
  return { from, until };
}

function readRule(r: DocumentReader, value: unknown, path: string): RingingRule | undefined {
  const o = r.object(value, path, ['id', 'callers', 'days', 'window', 'playlist']);
  if (!o) return undefined;
  const id = r.req(o, 'id', path, (v, p) => readId(r, v, p));
  const callers = r.opt(o, 'callers', path, { kind: 'anyone' } as const, (v, p) => readCallers(r, v, p));
  const days = r.opt(o, 'days', path, [...WEEKDAYS], (v, p) => readDays(r, v, p));
  const window = r.opt(o, 'window', path, null, (v, p) => readWindow(r, v, p));
  const playlist = r.req(o, 'playlist', path, (v, p) => readPlaylist(r, v, p));
  if (id === undefined || !callers || !days || window === undefined || !playlist) return undefined;
  return { id, callers, days, window, playlist };
}

/**
 * A subscriber's ringing rules document:
 * `{ "rules": [{ "id", "callers"?, "days"?, "window"?, "playlist" }], "defaultPlaylist"? }`.
 * `callers` defaults to `{ "kind": "anyone" }`, `days` to all seven, `window` to all day.
 * Whether the named resources and groups exist is checked by the store (STORE.REFERENCE).
 */
export function validateRingingRules(doc: unknown): Validation<RingingRules> {
  const r = new DocumentReader();
  const o = r.object(doc, ROOT_FIELD, ['rules', 'defaultPlaylist']);
  if (!o) return { ok: false, problems: r.problems };
  const rules = r.opt(o, 'rules', ROOT_FIELD, [], (v, p) =>
    r.array(v, p, { max: MAX_RULES }, (x, xp) => readRule(r, x, xp)),
  );
  const defaultPlaylist = r.opt(o, 'defaultPlaylist', ROOT_FIELD, null, (v, p) => readPlaylist(r, v, p));
  if (rules) r.unique(rules, 'rules', (rule) => rule.id, 'rule id', 'id');
  if (r.problems.length > 0 || !rules || defaultPlaylist === undefined) return { ok: false, problems: r.problems };
  return { ok: true, value: { rules, defaultPlaylist } };
}

/**
 * Validation of provisioning documents, shared by the HTTP API and the seed loader.
 *
 * Each function takes an untrusted JSON value and returns the typed entity or every problem found,
 * each naming its field as a JSON path (`rules[2].playlist.resourceIds[0]`; `$` for the whole document).
 * Unknown fields are problems. The JSON shape of each document is the entity type of model.ts, except
 * that optional fields may be left out (their defaults are given below) and that owner identities are
 * not part of group documents (the API takes them from the URL). Identities are normalised.
 */
import {
  COPY_PERMISSIONS,
  DEFAULT_PRIVACY,
  RESOURCE_KINDS,
  SUBSCRIBER_STATUSES,
  type CallerGroup,
  type Identity,
  type Money,
  type PrivacyOverride,
  type PrivacySettings,
  type Resource,
  type Subscriber,
} from './model';
import type { Validation } from './problem';
import { DocumentReader, fieldPath, ROOT_FIELD } from './validation/document-reader';
import { readId } from './validation/ringing-rules-validation';

export { ROOT_FIELD } from './validation/document-reader';
export { ID_PATTERN, validateRingingRules } from './validation/ringing-rules-validation';

export const MAX_LIBRARY_CAPACITY = 10_000;
export const DEFAULT_LIBRARY_CAPACITY = 100;
export const MAX_CONTACTS = 1000;
export const MAX_GROUP_MEMBERS = 1000;
export const MAX_PRICE_MINOR = 1_000_000_00;
export const MAX_DURATION_SECONDS = 600;
export const DEFAULT_DURATION_SECONDS = 30;
const MEDIA_SCHEMES = ['file:', 'http:', 'https:'];
const CURRENCY = /^[A-Z]{3}$/;
const TEXT = { max: 200 };

function done<T>(r: DocumentReader, value: T | undefined): Validation<T> {
  return r.problems.length === 0 && value !== undefined ? { ok: true, value } : { ok: false, problems: r.problems };
}

/** True when `tz` is an IANA time zone this runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch (err) {
    if (err instanceof RangeError) return false;
    throw err;
  }
}

function readPrivacy(r: DocumentReader, value: unknown, path: string): PrivacySettings | undefined {
  const o = r.object(value, path, ['copy', 'contacts', 'overrides']);
  if (!o) return undefined;
  const copy = r.req(o, 'copy', path, (v, p) => r.oneOf(v, p, COPY_PERMISSIONS));
  const contacts = r.opt(o, 'contacts', path, [], (v, p) =>
    r.array(v, p, { max: MAX_CONTACTS }, (x, xp) => r.identity(x, xp)),
  );
  const overrides = r.opt(o, 'overrides', path, [], (v, p) =>
    r.array(v, p, { max: MAX_CONTACTS }, (x, xp): PrivacyOverride | undefined => {
      const item = r.object(x, xp, ['resourceId', 'copy']);
      if (!item) return undefined;
      const resourceId = r.req(item, 'resourceId', xp, (iv, ip) => readId(r, iv, ip));
      const itemCopy = r.req(item, 'copy', xp, (iv, ip) => r.oneOf(iv, ip, COPY_PERMISSIONS));
      return resourceId !== undefined && itemCopy ? { resourceId, copy: itemCopy } : undefined;
    }),
  );
  if (overrides)
    r.unique(overrides, fieldPath(path, 'overrides'), (x) => x.resourceId, 'override for resource', 'resourceId');
  if (!copy || !contacts || !overrides) return undefined;
  return { copy, contacts: [...new Set(contacts)], overrides };
}

/** `{ "copy": "everyone"|"contacts"|"nobody", "contacts"?: [identity], "overrides"?: [{ "resourceId", "copy" }] }` */
export function validatePrivacy(doc: unknown): Validation<PrivacySettings> {
  const r = new DocumentReader();
  return done(r, readPrivacy(r, doc, ROOT_FIELD));
}

/**
 * `{ "identity", "displayName"?, "status"?, "cmrEnabled"?, "libraryCapacity"?, "timeZone"?, "privacy"? }`
 * Defaults: displayName null, status "active", cmrEnabled true, libraryCapacity 100, timeZone "UTC",
 * privacy `{ "copy": "everyone" }`.
 */
export function validateSubscriber(doc: unknown): Validation<Subscriber> {
  const r = new DocumentReader();
  const o = r.object(doc, ROOT_FIELD, [
    'identity',
    'displayName',
    'status',
    'cmrEnabled',
    'libraryCapacity',
    'timeZone',
    'privacy',
  ]);
  if (!o) return done<Subscriber>(r, undefined);
  const identity = r.req(o, 'identity', ROOT_FIELD, (v, p) => r.identity(v, p));
  const displayName = r.opt(o, 'displayName', ROOT_FIELD, null, (v, p) => r.string(v, p, TEXT));
  const status = r.opt(o, 'status', ROOT_FIELD, 'active' as const, (v, p) => r.oneOf(v, p, SUBSCRIBER_STATUSES));
  const cmrEnabled = r.opt(o, 'cmrEnabled', ROOT_FIELD, true, (v, p) => r.boolean(v, p));
  const libraryCapacity = r.opt(o, 'libraryCapacity', ROOT_FIELD, DEFAULT_LIBRARY_CAPACITY, (v, p) =>
    r.integer(v, p, 0, MAX_LIBRARY_CAPACITY),
  );
  const timeZone = r.opt(o, 'timeZone', ROOT_FIELD, 'UTC', (v, p) => {
    const tz = r.string(v, p, { max: 64 });
    if (tz !== undefined && !isValidTimeZone(tz)) {
      r.add(p, 'not a known IANA time zone, e.g. "Europe/Paris"');
      return undefined;
    }
    return tz;
  });
  const privacy = r.opt(o, 'privacy', ROOT_FIELD, DEFAULT_PRIVACY, (v, p) => readPrivacy(r, v, p));
  if (
    identity === undefined ||
    displayName === undefined ||
    !status ||
    cmrEnabled === undefined ||
    libraryCapacity === undefined ||
    timeZone === undefined ||
    !privacy
  ) {
    return done<Subscriber>(r, undefined);
  }
  return done(r, { identity, displayName, status, cmrEnabled, libraryCapacity, timeZone, privacy });
}

function readMediaUri(r: DocumentReader, v: unknown, p: string): string | undefined {
  const s = r.string(v, p, { max: 1024 });
  if (s === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(s);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    r.add(p, 'not a valid URI');
    return undefined;
  }
  if (!MEDIA_SCHEMES.includes(url.protocol)) {
    r.add(p, `the scheme must be one of ${MEDIA_SCHEMES.map((x) => x.slice(0, -1)).join(', ')}`);
    return undefined;
  }
  return s;
}

function readMoney(r: DocumentReader, v: unknown, p: string): Money | undefined {
  const o = r.object(v, p, ['amountMinor', 'currency']);
  if (!o) return undefined;
  const amountMinor = r.req(o, 'amountMinor', p, (x, xp) => r.integer(x, xp, 0, MAX_PRICE_MINOR));
  const currency = r.req(o, 'currency', p, (x, xp) =>
    r.string(x, xp, { max: 3, pattern: CURRENCY, hint: 'expected an ISO 4217 code, e.g. "EUR"' }),
  );
  return amountMinor !== undefined && currency !== undefined ? { amountMinor, currency } : undefined;
}

/**
 * `{ "id", "title", "artist", "provider"?, "mediaUri", "kind", "durationSeconds"?, "copyable", "price",
 *    "validFrom"?, "validUntil"? }` — durationSeconds defaults to 30, validity to unbounded.
 */
export function validateResource(doc: unknown): Validation<Resource> {
  const r = new DocumentReader();
  const o = r.object(doc, ROOT_FIELD, [
    'id',
    'title',
    'artist',
    'provider',
    'mediaUri',
    'kind',
    'durationSeconds',
    'copyable',
    'price',
    'validFrom',
    'validUntil',
  ]);
  if (!o) return done<Resource>(r, undefined);
  const at = ROOT_FIELD;
  const id = r.req(o, 'id', at, (v, p) => readId(r, v, p));
  const title = r.req(o, 'title', at, (v, p) => r.string(v, p, TEXT));
  const artist = r.req(o, 'artist', at, (v, p) => r.string(v, p, TEXT));
  const provider = r.opt(o, 'provider', at, null, (v, p) => r.string(v, p, TEXT));
  const mediaUri = r.req(o, 'mediaUri', at, (v, p) => readMediaUri(r, v, p));
  const kind = r.req(o, 'kind', at, (v, p) => r.oneOf(v, p, RESOURCE_KINDS));
  const durationSeconds = r.opt(o, 'durationSeconds', at, DEFAULT_DURATION_SECONDS, (v, p) =>
    r.integer(v, p, 1, MAX_DURATION_SECONDS),
  );
  const copyable = r.req(o, 'copyable', at, (v, p) => r.boolean(v, p));
  const price = r.req(o, 'price', at, (v, p) => readMoney(r, v, p));
  const validFrom = r.opt(o, 'validFrom', at, null, (v, p) => r.instant(v, p));
  const validUntil = r.opt(o, 'validUntil', at, null, (v, p) => r.instant(v, p));
  if (validFrom && validUntil && validFrom >= validUntil) r.add('validUntil', 'must be later than validFrom');
  if (
    id === undefined ||
    title === undefined ||
    artist === undefined ||
    provider === undefined ||
    mediaUri === undefined ||
    !kind ||
    durationSeconds === undefined ||
    copyable === undefined ||
    !price ||
    validFrom === undefined ||
    validUntil === undefined
  ) {
    return done<Resource>(r, undefined);
  }
  const resource: Resource = {
    id,
    title,
    artist,
    provider,
    mediaUri,
    kind,
    durationSeconds,
    copyable,
    price,
    validFrom,
    validUntil,
  };
  return done(r, resource);
}

/** `{ "id", "name"?, "members": [identity] }`; the owner comes from outside the document. */
export function validateCallerGroup(doc: unknown, owner: Identity): Validation<CallerGroup> {
  const r = new DocumentReader();
  const o = r.object(doc, ROOT_FIELD, ['id', 'name', 'members']);
  if (!o) return done<CallerGroup>(r, undefined);
  const id = r.req(o, 'id', ROOT_FIELD, (v, p) => readId(r, v, p));
  const name = r.opt(o, 'name', ROOT_FIELD, null, (v, p) => r.string(v, p, TEXT));
  const members = r.req(o, 'members', ROOT_FIELD, (v, p) =>
    r.array(v, p, { max: MAX_GROUP_MEMBERS }, (x, xp) => r.identity(x, xp)),
  );
  if (id === undefined || name === undefined || !members) return done<CallerGroup>(r, undefined);
  return done(r, { owner, id, name, members: [...new Set(members)] });
}

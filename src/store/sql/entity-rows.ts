/** Database rows to domain entities (the same for both dialects, thanks to the readers in sql-rows.ts). */
import type {
  Acquisition,
  CallerGroup,
  CopyOutcome,
  CopyPermission,
  CopyRecord,
  CopyTrigger,
  Identity,
  LibraryEntry,
  OutboxMessage,
  PrivacyOverride,
  Resource,
  ResourceKind,
  RingingRules,
  Subscriber,
  SubscriberStatus,
} from '../../cmr/model';
import type { Row } from './sql-database';
import { bool, iso, json, num, optIso, optStr, str } from './sql-rows';

/** Values written by this store are trusted to be in their domain; the CHECK constraints hold them there. */
function strArray(row: Row, col: string): Identity[] {
  const v = json(row, col);
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string'))
    throw new TypeError(`column ${col}: not a string array`);
  return v;
}

export const SUBSCRIBER_COLUMNS =
  'identity, display_name, status, cmr_enabled, library_capacity, time_zone, privacy_copy, privacy_contacts';

export function subscriberFromRow(row: Row, overrides: readonly PrivacyOverride[]): Subscriber {
  return {
    identity: str(row, 'identity'),
    displayName: optStr(row, 'display_name'),
    status: str(row, 'status') as SubscriberStatus,
    cmrEnabled: bool(row, 'cmr_enabled'),
    libraryCapacity: num(row, 'library_capacity'),
    timeZone: str(row, 'time_zone'),
    privacy: {
      copy: str(row, 'privacy_copy') as CopyPermission,
      contacts: strArray(row, 'privacy_contacts'),
      overrides,
    },
  };
}

export function overrideFromRow(row: Row): PrivacyOverride {
  return { resourceId: str(row, 'resource_id'), copy: str(row, 'copy') as CopyPermission };
}

export const RESOURCE_COLUMNS =
  'id, title, artist, provider, media_uri, kind, duration_seconds, copyable, price_minor, currency, valid_from, valid_until';

export function resourceFromRow(row: Row): Resource {
  return {
    id: str(row, 'id'),
    title: str(row, 'title'),
    artist: str(row, 'artist'),
    provider: optStr(row, 'provider'),
    mediaUri: str(row, 'media_uri'),
    kind: str(row, 'kind') as ResourceKind,
    durationSeconds: num(row, 'duration_seconds'),
    copyable: bool(row, 'copyable'),
    price: { amountMinor: num(row, 'price_minor'), currency: str(row, 'currency') },
    validFrom: optIso(row, 'valid_from'),
    validUntil: optIso(row, 'valid_until'),
  };
}

export function resourceParams(r: Resource): (string | number | boolean | null)[] {
  return [
    r.id,
    r.title,
    r.artist,
    r.provider,
    r.mediaUri,
    r.kind,
    r.durationSeconds,
    r.copyable,
    r.price.amountMinor,
    r.price.currency,
    r.validFrom,
    r.validUntil,
  ];
}

export function groupFromRow(row: Row): CallerGroup {
  return { owner: str(row, 'owner'), id: str(row, 'id'), name: optStr(row, 'name'), members: strArray(row, 'members') };
}

export function rulesFromRow(row: Row): RingingRules {
  return json(row, 'doc') as RingingRules;
}

export const LIBRARY_COLUMNS = 'seq, owner, resource_id, acquisition, acquired_at, copied_from, call_id';

export function libraryFromRow(row: Row): LibraryEntry {
  return {
    owner: str(row, 'owner'),
    resourceId: str(row, 'resource_id'),
    acquisition: str(row, 'acquisition') as Acquisition,
    acquiredAt: iso(row, 'acquired_at'),
    copiedFrom: optStr(row, 'copied_from'),
    callId: optStr(row, 'call_id'),
  };
}

export const COPY_COLUMNS =
  'seq, id, idempotency_key, requester, owner, resource_id, call_id, trigger, outcome, charge_reference, ' +
  'price_minor, currency, requested_at, completed_at';

export function copyFromRow(row: Row): CopyRecord {
  const currency = optStr(row, 'currency');
  return {
    id: str(row, 'id'),
    idempotencyKey: str(row, 'idempotency_key'),
    requester: str(row, 'requester'),
    owner: str(row, 'owner'),
    resourceId: str(row, 'resource_id'),
    callId: str(row, 'call_id'),
    trigger: str(row, 'trigger') as CopyTrigger,
    outcome: str(row, 'outcome') as CopyOutcome,
    chargeReference: optStr(row, 'charge_reference'),
    price: currency === null ? null : { amountMinor: num(row, 'price_minor'), currency },
    requestedAt: iso(row, 'requested_at'),
    completedAt: iso(row, 'completed_at'),
  };
}

export const OUTBOX_COLUMNS = 'seq, id, topic, payload, created_at, attempts, next_attempt_at, delivered_at';

export function outboxFromRow(row: Row): OutboxMessage {
  return {
    id: str(row, 'id'),
    topic: str(row, 'topic'),
    payload: json(row, 'payload'),
    createdAt: iso(row, 'created_at'),
    attempts: num(row, 'attempts'),
    nextAttemptAt: iso(row, 'next_attempt_at'),
    deliveredAt: optIso(row, 'delivered_at'),
  };
}

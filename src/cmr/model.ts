/**
 * The CMR data model: plain readonly data, no behaviour, no I/O.
 *
 * Conventions used throughout:
 * - Identities are canonical strings produced by `normalizeIdentity` (see identity.ts):
 *   `+15550001001` for phone numbers, `sip:alice@example.com` otherwise.
 * - Instants are ISO-8601 UTC strings as produced by `Date.prototype.toISOString()`
 *   (`2025-01-31T08:00:00.000Z`), so they compare correctly as strings and survive JSON unchanged.
 * - Money is an integer amount in minor units (cents) plus an ISO 4217 currency code.
 * - Optional values are `null`, never `undefined`, so stored and re-read entities compare equal.
 */

/** A canonical identity (E.164 `+15550001001` or `sip:user@host`). */
export type Identity = string;
/** The id of a resource, e.g. `summer-breeze`: 1-64 characters of [A-Za-z0-9._-]. */
export type ResourceId = string;
/** An ISO-8601 UTC instant, e.g. `2025-01-31T08:00:00.000Z`. */
export type IsoInstant = string;

export const SUBSCRIBER_STATUSES = ['active', 'suspended', 'barred'] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

/** Who may copy this subscriber's ringing resources. */
export const COPY_PERMISSIONS = ['everyone', 'contacts', 'nobody'] as const;
export type CopyPermission = (typeof COPY_PERMISSIONS)[number];

export interface PrivacyOverride {
  readonly resourceId: ResourceId;
  readonly copy: CopyPermission;
}

export interface PrivacySettings {
  /** The default for every resource of this subscriber. */
  readonly copy: CopyPermission;
  /** The callers that count as contacts for `copy: 'contacts'`. */
  readonly contacts: readonly Identity[];
  /** Per-resource settings that replace `copy` for that resource (at most one per resource). */
  readonly overrides: readonly PrivacyOverride[];
}

/** The privacy a subscriber gets when none is provisioned: anyone may copy (the OMA CMR default). */
export const DEFAULT_PRIVACY: PrivacySettings = Object.freeze({ copy: 'everyone', contacts: [], overrides: [] });

export interface Subscriber {
  readonly identity: Identity;
  readonly displayName: string | null;
  readonly status: SubscriberStatus;
  readonly cmrEnabled: boolean;
  /** How many resources the library may hold (0..10000). */
  readonly libraryCapacity: number;
  /** IANA time zone in which ringing-rule days and time windows are read, e.g. `Europe/Paris`. */
  readonly timeZone: string;
  readonly privacy: PrivacySettings;
}

export const RESOURCE_KINDS = ['audio', 'video'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export interface Money {
  /** Integer amount in minor units of the currency (e.g. cents). */
  readonly amountMinor: number;
  /** ISO 4217 code, three upper-case letters. */
  readonly currency: string;
}

export interface Resource {
  readonly id: ResourceId;
  readonly title: string;
  readonly artist: string;
  readonly provider: string | null;
  /** What the media server plays, e.g. `file:///var/media/tones/summer.wav` or `http://media.example/t/1.wav`. */
  readonly mediaUri: string;
  readonly kind: ResourceKind;
  /** Play length of one pass, used to know which playlist item presents at an offset into the ringing. */
  readonly durationSeconds: number;
  readonly copyable: boolean;
  readonly price: Money;
  /** Validity window; `null` means unbounded on that side. `validFrom` is inclusive, `validUntil` exclusive. */
  readonly validFrom: IsoInstant | null;
  readonly validUntil: IsoInstant | null;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Local wall-clock time `HH:MM` (00:00..23:59). */
export type LocalTime = string;

/**
 * A daily time window in the subscriber's time zone. `from` is inclusive, `until` exclusive.
 * When `until <= from` the window crosses midnight and belongs to the day on which it starts:
 * `fri 22:00-06:00` matches Friday 23:00 and Saturday 03:00 but not Friday 03:00.
 */
export interface TimeWindow {
  readonly from: LocalTime;
  readonly until: LocalTime;
}

export type CallerMatch =
  | { readonly kind: 'anyone' }
  /** Matches when the caller is one of `identities` or a member of one of `groups` (group ids of the same owner). */
  | { readonly kind: 'listed'; readonly identities: readonly Identity[]; readonly groups: readonly string[] };

export const PLAYLIST_ORDERS = ['sequential', 'shuffle'] as const;
export type PlaylistOrder = (typeof PLAYLIST_ORDERS)[number];

export interface Playlist {
  readonly order: PlaylistOrder;
  /** At least one resource id; a resource may appear only once. */
  readonly resourceIds: readonly ResourceId[];
}

export interface RingingRule {
  /** Unique within the subscriber's rules, 1-64 characters of [A-Za-z0-9._-]. */
  readonly id: string;
  readonly callers: CallerMatch;
  /** The days on which the rule applies; all seven when every day. Never empty. */
  readonly days: readonly Weekday[];
  /** `null` means all day. */
  readonly window: TimeWindow | null;
  readonly playlist: Playlist;
}

/** A subscriber's ringing rules: the first matching rule wins; otherwise the default, if any. */
export interface RingingRules {
  readonly rules: readonly RingingRule[];
  readonly defaultPlaylist: Playlist | null;
}

/** A named set of callers owned by one subscriber, referred to from that subscriber's rules. */
export interface CallerGroup {
  readonly owner: Identity;
  /** Unique per owner, 1-64 characters of [A-Za-z0-9._-]. */
  readonly id: string;
  readonly name: string | null;
  readonly members: readonly Identity[];
}

export const ACQUISITIONS = ['provisioned', 'copy'] as const;
export type Acquisition = (typeof ACQUISITIONS)[number];

export interface LibraryEntry {
  readonly owner: Identity;
  readonly resourceId: ResourceId;
  readonly acquisition: Acquisition;
  readonly acquiredAt: IsoInstant;
  /** For a copy: whose ringing it was copied from; otherwise `null`. */
  readonly copiedFrom: Identity | null;
  /** For a copy: the SIP Call-ID of the call during which it was copied; otherwise `null`. */
  readonly callId: string | null;
}

/** How the copy was asked for. */
export const COPY_TRIGGERS = ['dtmf', 'info', 'message'] as const;
export type CopyTrigger = (typeof COPY_TRIGGERS)[number];

export const COPY_OUTCOMES = [
  'copied',
  'already-owned',
  'privacy-restricted',
  'not-copyable',
  'not-valid',
  'library-full',
  'not-subscribed',
  'nothing-presenting',
  'resource-mismatch',
  'no-credit',
  'charging-refused',
  'charging-unavailable',
  'store-unavailable',
] as const;
export type CopyOutcome = (typeof COPY_OUTCOMES)[number];

/** One copy attempt, whatever its outcome; the history that support staff and the portal see. */
export interface CopyRecord {
  readonly id: string;
  /** `copyIdempotencyKey(callId, requester, resourceId)`: a repeated copy on the same call is a no-op. */
  readonly idempotencyKey: string;
  readonly requester: Identity;
  readonly owner: Identity;
  readonly resourceId: ResourceId;
  readonly callId: string;
  readonly trigger: CopyTrigger;
  readonly outcome: CopyOutcome;
  /** Reference returned by the charging system; `null` when nothing was charged. */
  readonly chargeReference: string | null;
  readonly price: Money | null;
  readonly requestedAt: IsoInstant;
  readonly completedAt: IsoInstant;
}

/** A message waiting to be delivered to another system (the portal), written with the change it reports. */
export interface OutboxMessage {
  readonly id: string;
  /** e.g. `copy-record`. */
  readonly topic: string;
  /** JSON-serialisable payload. */
  readonly payload: unknown;
  readonly createdAt: IsoInstant;
  readonly attempts: number;
  readonly nextAttemptAt: IsoInstant;
  readonly deliveredAt: IsoInstant | null;
}

/** The key that makes a copy idempotent: the same requester copying the same resource on the same call. */
export function copyIdempotencyKey(callId: string, requester: Identity, resourceId: ResourceId): string {
  return JSON.stringify([callId, requester, resourceId]);
}

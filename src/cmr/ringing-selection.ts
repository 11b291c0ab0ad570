/**
 * What a caller hears while the called subscriber's phone rings: a pure function of the subscriber's
 * rules, groups and resources, the caller and the instant. No I/O; randomness is injected.
 */
import { inSchedule, localMoment } from './local-time';
import type {
  CallerGroup,
  CallerMatch,
  Identity,
  Playlist,
  PlaylistOrder,
  Resource,
  ResourceId,
  RingingRules,
  Subscriber,
} from './model';
import type { SelectionContext } from './ports/cmr-store.port';

export interface SelectionInput {
  /** The called subscriber's IANA time zone, in which days and windows are read. */
  readonly timeZone: string;
  readonly rules: RingingRules | null;
  /** The called subscriber's caller groups. */
  readonly groups: readonly CallerGroup[];
  /** At least the resources the rules name; others are ignored. */
  readonly resources: readonly Resource[];
  /** The canonical caller identity; `null` for an anonymous caller, who matches only "anyone" rules. */
  readonly caller: Identity | null;
  readonly at: Date;
}

/** The playlist that applies, reduced to the resources that are valid at the instant, in playlist order. */
export interface PlaylistSelection {
  /** The id of the matching rule, or `null` for the default playlist. */
  readonly ruleId: string | null;
  readonly order: PlaylistOrder;
  readonly items: readonly Resource[];
}

export interface PlaybackOptions {
  /** For sequential playlists: the how-many-th call this is (0-based); the first item advances by one per call. */
  readonly sequence?: number;
  /** For shuffle playlists: a source of numbers in [0, 1); `seededRandom(callId)` makes a call reproducible. */
  readonly random?: () => number;
}

export interface Selection {
  readonly ruleId: string | null;
  /** What presents when ringing starts. */
  readonly resource: Resource;
  /** Everything that presents during this call, in play order; it loops. */
  readonly playOrder: readonly Resource[];
}

export interface PlaylistItemAt {
  readonly resource: Resource;
  /** Index into the play order. */
  readonly index: number;
  /** Offset into the ringing, in seconds, at which this pass of the item started and ends. */
  readonly startsAtSeconds: number;
  readonly endsAtSeconds: number;
}

/** Whether the resource may be presented at `at` (validFrom inclusive, validUntil exclusive). */
export function isResourceValidAt(resource: Resource, at: Date): boolean {
  const iso = at.toISOString();
  return (
    (resource.validFrom === null || resource.validFrom <= iso) &&
    (resource.validUntil === null || iso < resource.validUntil)
  );
}

function callerMatches(match: CallerMatch, caller: Identity | null, groups: readonly CallerGroup[]): boolean {
  if (match.kind === 'anyone') return true;
  if (caller === null) return false;
  if (match.identities.includes(caller)) return true;
  return match.groups.some((id) => groups.find((g) => g.id === id)?.members.includes(caller) ?? false);
}

function playable(playlist: Playlist, byId: ReadonlyMap<ResourceId, Resource>, at: Date): Resource[] {
  const out: Resource[] = [];
  for (const id of playlist.resourceIds) {
    const r = byId.get(id);
    if (r && isResourceValidAt(r, at)) out.push(r);
  }
  return out;
}

/**
 * The first rule that matches the caller, the local day and the local time and still has a valid resource;
 * otherwise the default playlist if it has one; otherwise `null` (the caller hears the normal ringback).
 */
export function selectPlaylist(input: SelectionInput): PlaylistSelection | null {
  if (!input.rules) return null;
  const byId = new Map(input.resources.map((r) => [r.id, r] as const));
  const now = localMoment(input.at, input.timeZone);
  for (const rule of input.rules.rules) {
    if (!callerMatches(rule.callers, input.caller, input.groups)) continue;
    if (!inSchedule(rule.days, rule.window, now)) continue;
    const items = playable(rule.playlist, byId, input.at);
    if (items.length > 0) return { ruleId: rule.id, order: rule.playlist.order, items };
  }
  const fallback = input.rules.defaultPlaylist;
  if (!fallback) return null;
  const items = playable(fallback, byId, input.at);
  return items.length > 0 ? { ruleId: null, order: fallback.order, items } : null;
}

/** The order in which the items play during one call: rotated by `sequence`, or shuffled with `random`. */
export function arrangePlaylist(selection: PlaylistSelection, options: PlaybackOptions = {}): readonly Resource[] {
  // Arrays of the exact size (slice, concat): a call keeps its play order while it rings, and an array
  // built by spreading holds room for more than most play orders' one item.
  const items = selection.items.slice();
  if (selection.order === 'sequential') {
    const n = items.length;
    const start = (((options.sequence ?? 0) % n) + n) % n;
    return start === 0 ? items : items.slice(start).concat(items.slice(0, start));
  }
  const random = options.random ?? Math.random;
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    const a = items[i];
    const b = items[j];
    if (a === undefined || b === undefined) break;
    items[i] = b;
    items[j] = a;
  }
  return items;
}

/** Which item of the play order presents `offsetSeconds` after ringing started; the order loops. */
export function itemAtOffset(playOrder: readonly Resource[], offsetSeconds: number): PlaylistItemAt | null {
  const cycle = playOrder.reduce((sum, r) => sum + r.durationSeconds, 0);
  if (playOrder.length === 0 || cycle <= 0) return null;
  const offset = Math.max(0, offsetSeconds);
  const loops = Math.floor(offset / cycle);
  let start = loops * cycle;
  for (const [index, resource] of playOrder.entries()) {
    const end = start + resource.durationSeconds;
    if (offset < end) return { resource, index, startsAtSeconds: start, endsAtSeconds: end };
    start = end;
  }
  return null;
}

/** The resource that presents when ringing starts, with the whole play order of this call. */
export function selectResource(input: SelectionInput, options: PlaybackOptions = {}): Selection | null {
  const selection = selectPlaylist(input);
  if (!selection) return null;
  const playOrder = arrangePlaylist(selection, options);
  const first = playOrder[0];
  return first ? { ruleId: selection.ruleId, resource: first, playOrder } : null;
}

/** Whether calls to this subscriber present CMR at all: an active subscriber with CMR enabled. */
export function presentsCmr(subscriber: Pick<Subscriber, 'status' | 'cmrEnabled'>): boolean {
  return subscriber.status === 'active' && subscriber.cmrEnabled;
}

/** A deterministic source of numbers in [0, 1) from a seed (mulberry32 over an FNV-1a hash of strings). */
export function seededRandom(seed: number | string): () => number {
  let state = typeof seed === 'number' ? seed >>> 0 : fnv1a(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** What a call from `caller` to the context's subscriber presents at `at`; null when CMR does not apply. */
export function selectForCall(
  context: SelectionContext,
  caller: Identity | null,
  at: Date,
  options: PlaybackOptions = {},
): Selection | null {
  if (!presentsCmr(context.subscriber)) return null;
  const { subscriber, rules, groups, resources } = context;
  return selectResource({ timeZone: subscriber.timeZone, rules, groups, resources, caller, at }, options);
}

/** Builders of valid entities for store tests; override what a test cares about. */
import {
  copyIdempotencyKey,
  DEFAULT_PRIVACY,
  type CallerGroup,
  type CopyRecord,
  type LibraryEntry,
  type OutboxMessage,
  type Resource,
  type RingingRules,
  type Subscriber,
} from '../../../src/cmr/model';
import type { CopyWrite } from '../../../src/cmr/ports/cmr-store.port';

export function aSubscriber(identity: string, over: Partial<Subscriber> = {}): Subscriber {
  return {
    identity,
    displayName: null,
    status: 'active',
    cmrEnabled: true,
    libraryCapacity: 10,
    timeZone: 'UTC',
    privacy: DEFAULT_PRIVACY,
    ...over,
  };
}

export function aResource(id: string, over: Partial<Resource> = {}): Resource {
  return {
    id,
    title: `Title ${id}`,
    artist: 'Artist',
    provider: null,
    mediaUri: `file:///var/media/tones/${id}.wav`,
    kind: 'audio',
    durationSeconds: 30,
    copyable: true,
    price: { amountMinor: 199, currency: 'EUR' },
    validFrom: null,
    validUntil: null,
    ...over,
  };
}

export function aGroup(owner: string, id: string, members: string[]): CallerGroup {
  return { owner, id, name: null, members };
}

export function rulesPlaying(resourceIds: string[], groups: string[] = []): RingingRules {
  return {
    rules: [
      {
        id: 'r1',
        callers: groups.length > 0 ? { kind: 'listed', identities: [], groups } : { kind: 'anyone' },
        days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
        window: { from: '22:00', until: '06:00' },
        playlist: { order: 'shuffle', resourceIds },
      },
    ],
    defaultPlaylist: { order: 'sequential', resourceIds: resourceIds.slice(0, 1) },
  };
}

export function provisioned(owner: string, resourceId: string, at = '2025-01-01T00:00:00.000Z'): LibraryEntry {
  return { owner, resourceId, acquisition: 'provisioned', acquiredAt: at, copiedFrom: null, callId: null };
}

let seq = 0;

/** A successful copy of `resourceId` from `owner` by `requester` on `callId`, with a library entry and an outbox message. */
export function aCopy(
  requester: string,
  owner: string,
  resourceId: string,
  callId: string,
  over: Partial<CopyWrite> = {},
): CopyWrite {
  seq++;
  const at = new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString();
  const record: CopyRecord = {
    id: `copy-${seq}`,
    idempotencyKey: copyIdempotencyKey(callId, requester, resourceId),
    requester,
    owner,
    resourceId,
    callId,
    trigger: 'dtmf',
    outcome: 'copied',
    chargeReference: `charge-${seq}`,
    price: { amountMinor: 199, currency: 'EUR' },
    requestedAt: at,
    completedAt: at,
  };
  const libraryEntry: LibraryEntry = {
    owner: requester,
    resourceId,
    acquisition: 'copy',
    acquiredAt: at,
    copiedFrom: owner,
    callId,
  };
  const outbox: OutboxMessage = {
    id: `outbox-${seq}`,
    topic: 'copy-record',
    payload: { copyId: record.id, requester, resourceId },
    createdAt: at,
    attempts: 0,
    nextAttemptAt: at,
    deliveredAt: null,
  };
  return { record, libraryEntry, outbox, ...over };
}

/** Builders of valid entities for store tests; override what a test cares about. */
import {
  copyIdempotencyKey,
  type CallerGroup,
  type CopyRecord,
  type LibraryEntry,
  type OutboxMessage,
  type RingingRules,
} from '../../../src/cmr/model';
import type { CopyWrite } from '../../../src/cmr/ports/cmr-store.port';
export { aResource, aSubscriber } from '../../support/cmr-fixtures';

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

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiServer, type ApiServer } from '../../../src/api/api-server';
import { copyIdempotencyKey, type CopyRecord, type Identity } from '../../../src/cmr/model';
import type { CmrStore, CopyWrite } from '../../../src/cmr/ports/cmr-store.port';
import { silentLogger } from '../../../src/observability/logger';
import { createStore } from '../../../src/store/create-store';
import { httpClient, type Call } from './http-client';

export const TOKEN = 'api-test-token';
/** The instant the fake clock shows: Wednesday 2025-01-15 10:00 UTC. */
export const NOW = Date.parse('2025-01-15T10:00:00.000Z');

export interface ApiHarness {
  readonly call: Call;
  readonly store: CmrStore;
  readonly server: ApiServer;
  dispose(): Promise<void>;
}

/** An API server on 127.0.0.1, an ephemeral port, over a fresh SQLite file store (WAL, migrated, unseeded). */
export async function startApi(options: { maxBodyBytes?: number } = {}): Promise<ApiHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'cmr-api-'));
  const logger = silentLogger();
  const store = await createStore(
    { kind: 'sqlite', sqlitePath: join(dir, 'cmr.db'), postgresUrl: '', seedFile: '', selectionCacheMs: 2000 },
    logger,
    { seed: false },
  );
  const server = createApiServer({
    config: { host: '127.0.0.1', port: 0, apiToken: TOKEN },
    store,
    logger,
    clock: { now: () => NOW },
    ...options,
  });
  const address = await server.listen();
  return {
    call: httpClient(address, TOKEN),
    store,
    server,
    async dispose() {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads everything in the store through the port, for "nothing changed" comparisons. */
export async function snapshot(store: CmrStore): Promise<unknown> {
  const all = async <T>(
    list: (cursor: string | null) => Promise<{ items: readonly T[]; nextCursor: string | null }>,
  ) => {
    const out: T[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page = await list(cursor);
      out.push(...page.items);
      cursor = page.nextCursor;
      if (cursor === null) break;
    }
    return out;
  };
  const subscribers = await all((cursor) => store.listSubscribers({ limit: 100, cursor }));
  const perSubscriber = await Promise.all(
    subscribers.map(async (s) => ({
      identity: s.identity,
      rules: await store.getRingingRules(s.identity),
      groups: await all((cursor) => store.listCallerGroups(s.identity, { limit: 100, cursor })),
      library: await all((cursor) => store.listLibrary(s.identity, { limit: 100, cursor })),
      copies: await all((cursor) => store.listCopyHistory(s.identity, 'either', { limit: 100, cursor })),
    })),
  );
  return { subscribers, resources: await all((cursor) => store.listResources({ limit: 100, cursor })), perSubscriber };
}

export const ALICE = '+15550001001';
export const BOB = '+15550001002';
export const CAROL = 'sip:carol@example.com';

export function resourceDoc(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    title: `Title ${id}`,
    artist: 'Artist',
    mediaUri: `file:///var/media/tones/${id}.wav`,
    kind: 'audio',
    durationSeconds: 20,
    copyable: true,
    price: { amountMinor: 199, currency: 'EUR' },
    ...over,
  };
}

export function subscriberDoc(identity: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { identity, displayName: 'Someone', timeZone: 'Europe/Paris', libraryCapacity: 5, ...over };
}

export function path(...segments: string[]): string {
  return '/' + segments.map((s, i) => (i === 0 ? s : encodeURIComponent(s))).join('/');
}

/** Builds a copy write as the copy use case of a later issue would, with a library entry. */
export function copyWrite(
  requester: Identity,
  owner: Identity,
  resourceId: string,
  callId: string,
  at: string,
): CopyWrite {
  const record: CopyRecord = {
    id: `copy-${callId}`,
    idempotencyKey: copyIdempotencyKey(callId, requester, resourceId),
    requester,
    owner,
    resourceId,
    callId,
    trigger: 'dtmf',
    outcome: 'copied',
    chargeReference: `charge-${callId}`,
    price: { amountMinor: 199, currency: 'EUR' },
    requestedAt: at,
    completedAt: at,
  };
  return {
    record,
    libraryEntry: { owner: requester, resourceId, acquisition: 'copy', acquiredAt: at, copiedFrom: owner, callId },
    outbox: null,
  };
}

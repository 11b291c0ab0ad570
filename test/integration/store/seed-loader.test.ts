import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isStoreError } from '../../../src/cmr/ports/store-error';
import { selectForCall } from '../../../src/cmr/ringing-selection';
import { silentLogger } from '../../../src/observability/logger';
import { createStore } from '../../../src/store/create-store';
import { readSeedFile, SeedError, seedIfEmpty } from '../../../src/store/seed-loader';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.adapter';
import { aResource } from './fixtures';

const SHIPPED_SEED = join(__dirname, '../../../config/seed.json');

describe('seed loader', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cmr-seed-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function seedFile(name: string, doc: unknown): string {
    const file = join(dir, name);
    writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return file;
  }

  async function seedProblems(file: string): Promise<string[]> {
    try {
      await readSeedFile(file);
    } catch (err) {
      assert.ok(err instanceof SeedError, String(err));
      assert.equal(err.code, 'SEED.INVALID');
      return err.problems.map((p) => p.field);
    }
    return assert.fail('expected the seed to be refused');
  }

  it('starts a fresh store with the shipped demo data, ready to ring', async () => {
    const store = await createStore(
      { kind: 'sqlite', sqlitePath: ':memory:', postgresUrl: '', seedFile: SHIPPED_SEED, selectionCacheMs: 2000 },
      silentLogger(),
    );
    try {
      const subscribers = (await store.listSubscribers()).items.map((s) => s.identity);
      assert.ok(
        subscribers.length >= 3 && subscribers.length <= 4,
        `expected 3-4 subscribers, got ${subscribers.length}`,
      );
      assert.ok(
        subscribers.some((id) => id.startsWith('sip:')),
        'expected one SIP URI identity',
      );
      assert.ok((await store.listResources()).items.length >= 4);
      const alice = await store.loadSelectionContext('+15550001001');
      assert.ok(alice);
      assert.ok(alice.groups.length > 0, 'expected a caller group');
      assert.ok(
        alice.rules?.rules.some((r) => r.window !== null),
        'expected a rule with a time window',
      );
      assert.ok(selectForCall(alice, '+15550009999', new Date()), 'expected something to present to a caller');
    } finally {
      await store.close();
    }
  });

  it('does not seed a store that already holds data', async () => {
    const store = await openSqliteStore({ path: ':memory:' }, silentLogger());
    try {
      await store.createResource(aResource('mine'));
      assert.equal(await seedIfEmpty(store, SHIPPED_SEED, silentLogger()), false);
      assert.deepEqual(
        (await store.listResources()).items.map((r) => r.id),
        ['mine'],
      );
    } finally {
      await store.close();
    }
  });

  it('refuses a seed file with bad documents, naming every problem by its place in the file', async () => {
    const shipped = JSON.parse(readFileSync(SHIPPED_SEED, 'utf8')) as Record<string, Record<string, unknown>[]>;
    const broken = {
      ...shipped,
      subscribers: [{ ...shipped['subscribers']![0], identity: 'alice' }, ...shipped['subscribers']!.slice(1)],
      resources: [{ ...shipped['resources']![0], colour: 'blue' }, ...shipped['resources']!.slice(1)],
    };
    assert.deepEqual(await seedProblems(seedFile('bad-docs.json', broken)), [
      'resources[0].colour',
      'subscribers[0].identity',
    ]);
  });

  it('refuses a seed file whose rules name resources, groups or subscribers it does not define', async () => {
    const doc = {
      resources: [aResource('t1')],
      subscribers: [{ identity: '+15550001001' }],
      ringingRules: [
        {
          subscriber: '+15550001001',
          rules: [
            {
              id: 'r',
              callers: { kind: 'listed', groups: ['ghost-group'] },
              playlist: { order: 'sequential', resourceIds: ['t1', 'ghost'] },
            },
          ],
        },
        { subscriber: '+15550009999', rules: [] },
      ],
      library: [{ owner: '+15550001001', resourceId: 'ghost' }],
    };
    assert.deepEqual(await seedProblems(seedFile('bad-refs.json', doc)), [
      'ringingRules[0].rules[0].playlist.resourceIds[1]',
      'ringingRules[0].rules[0].callers.groups[0]',
      'ringingRules[1].subscriber',
      'library[0].resourceId',
    ]);
  });

  it('refuses a seed file that is not JSON or has unknown sections', async () => {
    assert.deepEqual(await seedProblems(seedFile('not-json.json', '{ "resources": [')), ['$']);
    assert.deepEqual(await seedProblems(seedFile('unknown.json', { tones: [] })), ['tones']);
  });

  it('makes a bad seed a start-up error and leaves the store empty', async () => {
    const path = join(dir, 'bad-seed.db');
    const file = seedFile('dup.json', { resources: [aResource('t1'), aResource('t1')] });
    await assert.rejects(
      createStore(
        { kind: 'sqlite', sqlitePath: path, postgresUrl: '', seedFile: file, selectionCacheMs: 2000 },
        silentLogger(),
      ),
      (err: unknown) => err instanceof SeedError && err.problems.some((p) => p.field === 'resources[1].id'),
    );
    const store = await openSqliteStore({ path }, silentLogger());
    assert.equal(await store.isEmpty(), true);
    await store.close();
  });

  it('refuses a PostgreSQL store without a URL', async () => {
    await assert.rejects(
      createStore(
        { kind: 'postgres', sqlitePath: '', postgresUrl: '', seedFile: '', selectionCacheMs: 2000 },
        silentLogger(),
      ),
      (err: unknown) => isStoreError(err, 'STORE.UNAVAILABLE'),
    );
  });
});

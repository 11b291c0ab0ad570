import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { silentLogger } from '../../../src/observability/logger';
import { sqliteMigrations } from '../../../src/store/sqlite/sqlite-migrations';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.adapter';
import { cmrStoreContract } from './cmr-store.contract';
import { aResource } from './fixtures';
import { rejectsWith } from './store-harness';

describe('SQLite store', () => {
  let dir: string;
  let n = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cmr-sqlite-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const nextPath = (): string => join(dir, `store-${++n}.db`);

  describe('contract', () => {
    cmrStoreContract(async () => {
      const store = await openSqliteStore({ path: nextPath() }, silentLogger());
      return { store, dispose: () => store.close() };
    });
  });

  it('keeps its file in WAL mode', async () => {
    const store = await openSqliteStore({ path: nextPath() }, silentLogger());
    try {
      assert.equal(store.journalMode(), 'wal');
    } finally {
      await store.close();
    }
  });

  it('applies its migrations once and keeps the data when reopened', async () => {
    const path = nextPath();
    const first = await openSqliteStore({ path }, silentLogger());
    await first.createResource(aResource('t1'));
    await first.close();
    const second = await openSqliteStore({ path }, silentLogger());
    assert.ok(await second.getResource('t1'));
    await second.close();
    const db = new Database(path, { readonly: true });
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
      version: number;
    }[];
    db.close();
    assert.deepEqual(
      versions.map((v) => v.version),
      sqliteMigrations.map((m) => m.version),
    );
  });

  it('refuses a database whose schema is newer than this build', async () => {
    const path = nextPath();
    await (await openSqliteStore({ path }, silentLogger())).close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')").run();
    db.close();
    await rejectsWith(openSqliteStore({ path }, silentLogger()), 'STORE.UNAVAILABLE');
  });

  it('reports a path it cannot open as unavailable', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    await rejectsWith(openSqliteStore({ path: join(blocker, 'store.db') }, silentLogger()), 'STORE.UNAVAILABLE');
  });
});

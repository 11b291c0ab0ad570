import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/observability/logger';
import { migrate } from '../../../src/store/sql/migrator';
import { SqliteDatabase } from '../../../src/store/sqlite/sqlite-database';
import { sqliteMigrations } from '../../../src/store/sqlite/sqlite-migrations';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.adapter';

describe('upgrading a SQLite store to the copy journal and dead letters (migration 2)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cmr-migrate-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('turns records parked by the old feed into dead letters and keeps the rest queued', async () => {
    const path = join(dir, 'v1.db');
    const v1 = SqliteDatabase.open({ path });
    await migrate(v1, sqliteMigrations.slice(0, 1), silentLogger());
    await v1.transaction(async (s) => {
      const insert =
        'INSERT INTO outbox (id, topic, payload, created_at, attempts, next_attempt_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?)';
      await s.run(insert, [
        'parked',
        'copy-record',
        '{}',
        '2025-01-01T00:00:00.000Z',
        1,
        '9999-12-31T23:59:59.999Z',
        null,
      ]);
      await s.run(insert, [
        'waiting',
        'copy-record',
        '{}',
        '2025-01-01T00:00:01.000Z',
        2,
        '2025-01-01T00:05:00.000Z',
        null,
      ]);
    });
    await v1.close();

    const store = await openSqliteStore({ path }, silentLogger());
    try {
      const dead = await store.listDeadLetters();
      assert.deepEqual(
        dead.items.map((d) => [d.id, d.deadAt, d.lastError]),
        [['parked', '2025-01-01T00:00:00.000Z', 'parked before dead letters existed']],
      );
      assert.deepEqual(
        (await store.listDueOutbox('9999-01-01T00:00:00.000Z', 10)).map((m) => m.id),
        ['waiting'],
      );
      assert.equal(await store.getCopyAttempt('any'), null, 'the journal exists, empty');
    } finally {
      await store.close();
    }
  });
});

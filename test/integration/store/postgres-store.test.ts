import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { silentLogger } from '../../../src/observability/logger';
import { postgresMigrations } from '../../../src/store/postgres/postgres-migrations';
import { openPostgresStore } from '../../../src/store/postgres/postgres-store.adapter';
import { cmrStoreContract } from './cmr-store.contract';
import { aResource } from './fixtures';

const url = process.env['CMR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const runId = `cmr_test_${process.pid}_${randomBytes(3).toString('hex')}`;

describe('PostgreSQL store', function () {
  this.timeout(30_000);
  const admin = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 3000 });
  const schemas: string[] = [];
  let n = 0;

  before(async function () {
    try {
      await admin.query('SELECT 1');
    } catch (err) {
      console.warn(
        `  skipping PostgreSQL store tests: ${url} is unreachable (${(err as Error).message}); set CMR_TEST_POSTGRES_URL`,
      );
      await admin.end();
      this.skip();
    }
  });

  after(async () => {
    if (admin.ended) return;
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  /** A schema of its own for each store, dropped after the run. */
  function nextSchema(): string {
    const schema = `${runId}_${++n}`;
    schemas.push(schema);
    return schema;
  }

  describe('contract', () => {
    cmrStoreContract(async () => {
      const schema = nextSchema();
      const store = await openPostgresStore({ url, schema, maxConnections: 4 }, silentLogger());
      return {
        store,
        dispose: async () => {
          await store.close();
          await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        },
      };
    });
  });

  it('applies its migrations once even when several instances start at the same time', async () => {
    const schema = nextSchema();
    const stores = await Promise.all(
      [1, 2, 3].map(() => openPostgresStore({ url, schema, maxConnections: 2 }, silentLogger())),
    );
    await stores[0]!.createResource(aResource('t1'));
    for (const s of stores) await s.close();
    const reopened = await openPostgresStore({ url, schema }, silentLogger());
    assert.ok(await reopened.getResource('t1'));
    await reopened.close();
    const { rows } = await admin.query<{ version: number }>(
      `SELECT version FROM ${schema}.schema_migrations ORDER BY version`,
    );
    assert.deepEqual(
      rows.map((r) => r.version),
      postgresMigrations.map((m) => m.version),
    );
  });
});

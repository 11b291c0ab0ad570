import { StoreError } from '../../cmr/ports/store-error';
import type { Logger } from '../../observability/logger';
import type { Migration } from './migration';
import { num } from './sql-rows';
import type { SqlDatabase } from './sql-database';

/**
 * Brings the schema up to the latest migration, in one transaction, under the database's migration lock.
 * Idempotent: applied versions (table schema_migrations) are skipped. A database with a version this
 * build does not know is refused rather than used.
 */
export async function migrate(db: SqlDatabase, migrations: readonly Migration[], log: Logger): Promise<number[]> {
  const known = [...migrations].sort((a, b) => a.version - b.version);
  try {
    return await apply(db, known, log);
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError('STORE.UNAVAILABLE', `the ${db.dialect} schema migration failed`, [], { cause: err });
  }
}

async function apply(db: SqlDatabase, known: readonly Migration[], log: Logger): Promise<number[]> {
  return db.transaction(async (s) => {
    await db.lockForMigration(s);
    await s.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const applied = new Set((await s.all('SELECT version FROM schema_migrations')).map((r) => num(r, 'version')));
    const newest = known.at(-1)?.version ?? 0;
    const unknown = [...applied].filter((v) => v > newest);
    if (unknown.length > 0) {
      throw new StoreError(
        'STORE.UNAVAILABLE',
        `the database schema (version ${Math.max(...unknown)}) is newer than this build`,
      );
    }
    const done: number[] = [];
    for (const m of known) {
      if (applied.has(m.version)) continue;
      await s.exec(m.sql);
      await s.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        new Date().toISOString(),
      ]);
      log.info('schema migration applied', { version: m.version, name: m.name, dialect: db.dialect });
      done.push(m.version);
    }
    return done;
  });
}

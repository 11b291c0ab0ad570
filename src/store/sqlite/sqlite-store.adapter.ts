import type { CmrStore } from '../../cmr/ports/cmr-store.port';
import type { Logger } from '../../observability/logger';
import { migrate } from '../sql/migrator';
import { SqlCmrStore, type SqlCmrStoreOptions } from '../sql/sql-cmr-store';
import { SqliteDatabase, type SqliteOptions } from './sqlite-database';
import { sqliteMigrations } from './sqlite-migrations';

export interface SqliteStore extends CmrStore {
  /** `wal` for a file database. */
  journalMode(): string;
}

/** Opens (creating if needed) the SQLite database and brings its schema up to date. */
export async function openSqliteStore(
  options: SqliteOptions,
  log: Logger,
  tuning: SqlCmrStoreOptions = {},
): Promise<SqliteStore> {
  const db = SqliteDatabase.open(options);
  try {
    await migrate(db, sqliteMigrations, log);
  } catch (err) {
    await db.close();
    throw err;
  }
  const store = new SqlCmrStore(db, log, tuning);
  return Object.assign(store, { journalMode: () => db.journalMode() });
}

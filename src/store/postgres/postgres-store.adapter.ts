import type { CmrStore } from '../../cmr/ports/cmr-store.port';
import type { Logger } from '../../observability/logger';
import { migrate } from '../sql/migrator';
import { SqlCmrStore, type SqlCmrStoreOptions } from '../sql/sql-cmr-store';
import { PostgresDatabase, type PostgresOptions } from './postgres-database';
import { postgresMigrations } from './postgres-migrations';

/** Connects to PostgreSQL and brings the schema up to date (under an advisory lock, so several instances may start at once). */
export async function openPostgresStore(
  options: PostgresOptions,
  log: Logger,
  tuning: SqlCmrStoreOptions = {},
): Promise<CmrStore> {
  const db = await PostgresDatabase.open(options, log);
  try {
    await migrate(db, postgresMigrations, log);
  } catch (err) {
    await db.close();
    throw err;
  }
  return new SqlCmrStore(db, log, tuning);
}

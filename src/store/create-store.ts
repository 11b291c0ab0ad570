import type { CmrStore } from '../cmr/ports/cmr-store.port';
import { StoreError } from '../cmr/ports/store-error';
import type { StoreConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import { openPostgresStore } from './postgres/postgres-store.adapter';
import { seedIfEmpty } from './seed-loader';
import { openSqliteStore } from './sqlite/sqlite-store.adapter';

export interface CreateStoreOptions {
  /** Skip the seed even if `config.seedFile` is set (e.g. tests that want an empty store). */
  readonly seed?: boolean;
}

/**
 * Opens the store that `config.kind` names, applies its migrations, and loads `config.seedFile` into it
 * when the store is empty. Rejects with StoreError (STORE.UNAVAILABLE) or SeedError (SEED.INVALID).
 */
export async function createStore(
  config: StoreConfig,
  logger: Logger,
  options: CreateStoreOptions = {},
): Promise<CmrStore> {
  const log = logger.child({ component: 'store' });
  const tuning = { selectionCacheMs: config.selectionCacheMs };
  let store: CmrStore;
  if (config.kind === 'postgres') {
    if (config.postgresUrl === '')
      throw new StoreError('STORE.UNAVAILABLE', 'store.kind is postgres but store.postgresUrl is empty');
    store = await openPostgresStore({ url: config.postgresUrl }, log, tuning);
  } else {
    store = await openSqliteStore({ path: config.sqlitePath }, log, tuning);
  }
  log.info('store opened', { kind: config.kind });
  if (config.seedFile !== '' && options.seed !== false) {
    try {
      await seedIfEmpty(store, config.seedFile, log);
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}

import { readFile } from 'node:fs/promises';
import type { CmrDataSet, CmrStore } from '../cmr/ports/cmr-store.port';
import { StoreError } from '../cmr/ports/store-error';
import type { Problem } from '../cmr/problem';
import { AppError } from '../errors';
import type { Logger } from '../observability/logger';
import { validateSeed } from './seed-document';

/** A seed file that cannot be read, parsed, validated or loaded: a start-up error naming every problem. */
export class SeedError extends AppError {
  constructor(
    readonly file: string,
    readonly problems: readonly Problem[],
    options?: { cause?: unknown },
  ) {
    super(
      'SEED.INVALID',
      `invalid seed file ${file}:\n  - ${problems.map((p) => `${p.field}: ${p.problem}`).join('\n  - ')}`,
      options,
    );
  }
}

/** Reads and validates a seed file. */
export async function readSeedFile(file: string, now: Date = new Date()): Promise<CmrDataSet> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new SeedError(file, [{ field: '$', problem: (err as Error).message }], { cause: err });
  }
  const v = validateSeed(doc, now);
  if (!v.ok) throw new SeedError(file, v.problems);
  return v.value;
}

/**
 * Loads the seed file into the store if the store is empty (no subscribers and no resources), in one transaction.
 * Resolves to true when it loaded, false when the store already held data.
 */
export async function seedIfEmpty(store: CmrStore, file: string, log: Logger): Promise<boolean> {
  const data = await readSeedFile(file);
  if (!(await store.isEmpty())) {
    log.info('store not empty, seed skipped', { file });
    return false;
  }
  try {
    await store.importDataSet(data);
  } catch (err) {
    if (err instanceof StoreError && err.code !== 'STORE.UNAVAILABLE') {
      throw new SeedError(file, err.problems.length > 0 ? err.problems : [{ field: '$', problem: err.message }], {
        cause: err,
      });
    }
    throw err;
  }
  log.info('seed loaded', {
    file,
    subscribers: data.subscribers.length,
    resources: data.resources.length,
    ringingRules: data.ringingRules.length,
  });
  return true;
}

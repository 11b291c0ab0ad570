import assert from 'node:assert/strict';
import type { CmrStore } from '../../../src/cmr/ports/cmr-store.port';
import { StoreError, type StoreErrorCode } from '../../../src/cmr/ports/store-error';

/** A fresh, empty store and how to throw it away. */
export interface StoreHarness {
  readonly store: CmrStore;
  dispose(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreHarness>;

/** Asserts that `p` rejects with a StoreError of `code` and returns it. */
export async function rejectsWith(p: Promise<unknown>, code: StoreErrorCode): Promise<StoreError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StoreError, `expected a StoreError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

/** Runs `fn` with a fresh store for each test of the calling describe block. */
export function withStore(factory: StoreFactory): () => CmrStore {
  let harness: StoreHarness | undefined;
  beforeEach(async () => {
    harness = await factory();
  });
  afterEach(async () => {
    await harness?.dispose();
    harness = undefined;
  });
  return () => {
    if (!harness) throw new Error('the store is only available inside a test');
    return harness.store;
  };
}

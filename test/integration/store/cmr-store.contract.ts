import assert from 'node:assert/strict';
import type { CmrDataSet } from '../../../src/cmr/ports/cmr-store.port';
import { catalogContract } from './catalog.contract';
import { copyJournalContract } from './copy-journal.contract';
import { copyContract } from './copy.contract';
import { deadLetterContract } from './dead-letter.contract';
import { aResource, aSubscriber, provisioned, rulesPlaying } from './fixtures';
import { rejectsWith, withStore, type StoreFactory } from './store-harness';

export type { StoreFactory, StoreHarness } from './store-harness';

/**
 * The behaviour every CmrStore adapter must show. Each adapter's test calls this with a factory
 * that gives a fresh, empty, migrated store per test.
 */
export function cmrStoreContract(factory: StoreFactory): void {
  describe('catalog', () => catalogContract(factory));
  describe('copy', () => copyContract(factory));
  describe('copy journal', () => copyJournalContract(factory));
  describe('dead letters', () => deadLetterContract(factory));

  describe('data sets and lifecycle', () => {
    const store = withStore(factory);
    const data: CmrDataSet = {
      resources: [aResource('t1'), aResource('t2')],
      subscribers: [aSubscriber('+15550001001')],
      callerGroups: [{ owner: '+15550001001', id: 'family', name: 'Family', members: ['+15550001002'] }],
      ringingRules: [{ subscriber: '+15550001001', rules: rulesPlaying(['t1', 't2'], ['family']) }],
      library: [provisioned('+15550001001', 't1')],
    };

    it('is empty when fresh and imports a whole data set', async () => {
      assert.equal(await store().isEmpty(), true);
      await store().importDataSet(data);
      assert.equal(await store().isEmpty(), false);
      assert.deepEqual(await store().getRingingRules('+15550001001'), data.ringingRules[0]?.rules);
      assert.equal(await store().countLibrary('+15550001001'), 1);
    });

    it('imports nothing at all when one part of a data set is wrong', async () => {
      const broken: CmrDataSet = { ...data, library: [...data.library, provisioned('+15550001001', 'ghost')] };
      await rejectsWith(store().importDataSet(broken), 'STORE.REFERENCE');
      assert.equal(await store().isEmpty(), true);
      assert.equal(await store().getRingingRules('+15550001001'), null);
    });

    it('rejects every call after close as unavailable', async () => {
      await store().close();
      await rejectsWith(store().getSubscriber('+15550001001'), 'STORE.UNAVAILABLE');
    });
  });
}

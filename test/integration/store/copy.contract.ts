import assert from 'node:assert/strict';
import { aCopy, aResource, aSubscriber, provisioned } from './fixtures';
import { rejectsWith, withStore, type StoreFactory } from './store-harness';

const A = '+15550001001';
const B = '+15550001002';

/** The atomic copy write, copy history and the outbox. */
export function copyContract(factory: StoreFactory): void {
  const store = withStore(factory);

  beforeEach(async () => {
    for (const id of ['t1', 't2', 't3']) await store().createResource(aResource(id));
    await store().createSubscriber(aSubscriber(A, { libraryCapacity: 2 }));
    await store().createSubscriber(aSubscriber(B));
  });

  async function footprint(): Promise<{ library: number; history: number; outbox: number }> {
    return {
      library: await store().countLibrary(A),
      history: (await store().listCopyHistory(A, 'either', { limit: 500 })).items.length,
      outbox: (await store().listDueOutbox('2100-01-01T00:00:00.000Z', 500)).length,
    };
  }

  describe('recording a copy', () => {
    it('writes the library entry, the copy record and the outbox message together', async () => {
      const copy = aCopy(A, B, 't1', 'call-1');
      assert.deepEqual(await store().recordCopy(copy), { status: 'recorded', record: copy.record });
      assert.deepEqual(await store().getLibraryEntry(A, 't1'), copy.libraryEntry);
      assert.deepEqual(await store().getCopyByIdempotencyKey(copy.record.idempotencyKey), copy.record);
      assert.deepEqual(await store().listDueOutbox('2100-01-01T00:00:00.000Z', 10), [copy.outbox]);
    });

    it('treats the same requester copying the same resource on the same call again as a no-op', async () => {
      const first = aCopy(A, B, 't1', 'call-1');
      await store().recordCopy(first);
      const again = aCopy(A, B, 't1', 'call-1');
      assert.deepEqual(await store().recordCopy(again), { status: 'duplicate', record: first.record });
      assert.deepEqual(await footprint(), { library: 1, history: 1, outbox: 1 });
    });

    it('leaves nothing behind when the last write of the transaction fails', async () => {
      await store().recordCopy(aCopy(A, B, 't1', 'call-1'));
      const before = await footprint();
      const clash = aCopy(A, B, 't2', 'call-2');
      const taken = (await store().listDueOutbox('2100-01-01T00:00:00.000Z', 1))[0]!;
      await rejectsWith(store().recordCopy({ ...clash, outbox: { ...clash.outbox!, id: taken.id } }), 'STORE.CONFLICT');
      assert.deepEqual(await footprint(), before);
      assert.equal(await store().getLibraryEntry(A, 't2'), null);
      assert.equal(await store().getCopyByIdempotencyKey(clash.record.idempotencyKey), null);
    });

    it('leaves nothing behind when the library is full or the resource is already owned', async () => {
      await store().addLibraryEntry(provisioned(A, 't1'));
      await rejectsWith(store().recordCopy(aCopy(A, B, 't1', 'call-1')), 'STORE.CONFLICT');
      await store().addLibraryEntry(provisioned(A, 't2'));
      await rejectsWith(store().recordCopy(aCopy(A, B, 't3', 'call-2')), 'STORE.LIBRARY_FULL');
      assert.deepEqual(await footprint(), { library: 2, history: 0, outbox: 0 });
    });

    it('records a refused attempt without touching the library', async () => {
      const refused = aCopy(A, B, 't1', 'call-1');
      const write = {
        ...refused,
        record: { ...refused.record, outcome: 'privacy-restricted' as const, chargeReference: null, price: null },
        libraryEntry: null,
      };
      assert.equal((await store().recordCopy(write)).status, 'recorded');
      assert.deepEqual(await footprint(), { library: 0, history: 1, outbox: 1 });
      assert.deepEqual(await store().getCopyByIdempotencyKey(write.record.idempotencyKey), write.record);
    });

    it('records one copy when the same copy arrives twice at once', async () => {
      const results = await Promise.all([
        store().recordCopy(aCopy(A, B, 't1', 'call-1')),
        store().recordCopy(aCopy(A, B, 't1', 'call-1')),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['duplicate', 'recorded']);
      assert.deepEqual(await footprint(), { library: 1, history: 1, outbox: 1 });
    });

    it('never lets concurrent copies overfill a library', async () => {
      const results = await Promise.allSettled(
        ['t1', 't2', 't3'].map((t, i) => store().recordCopy(aCopy(A, B, t, `call-${i}`))),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
      assert.equal(await store().countLibrary(A), 2);
    });
  });

  describe('copy history', () => {
    it('lists newest first, by requester, owner or either, page by page', async () => {
      await store().recordCopy(aCopy(A, B, 't1', 'call-1'));
      await store().recordCopy(aCopy(B, A, 't2', 'call-2'));
      await store().recordCopy(aCopy(A, B, 't3', 'call-3', { libraryEntry: null }));
      const firstPage = await store().listCopyHistory(A, 'either', { limit: 2 });
      const secondPage = await store().listCopyHistory(A, 'either', { limit: 2, cursor: firstPage.nextCursor });
      assert.deepEqual(
        [...firstPage.items, ...secondPage.items].map((r) => r.callId),
        ['call-3', 'call-2', 'call-1'],
      );
      assert.equal(secondPage.nextCursor, null);
      assert.deepEqual(
        (await store().listCopyHistory(A, 'requester')).items.map((r) => r.callId),
        ['call-3', 'call-1'],
      );
      assert.deepEqual(
        (await store().listCopyHistory(A, 'owner')).items.map((r) => r.callId),
        ['call-2'],
      );
    });

    it('keeps the copy history of a deleted subscriber', async () => {
      await store().recordCopy(aCopy(B, A, 't1', 'call-1'));
      await store().deleteSubscriber(B);
      assert.equal((await store().listCopyHistory(B, 'requester')).items.length, 1);
    });
  });

  describe('outbox', () => {
    it('hands out due messages oldest first until delivered, and postpones rescheduled ones', async () => {
      const one = aCopy(A, B, 't1', 'call-1');
      const two = aCopy(A, B, 't2', 'call-2');
      await store().recordCopy(one);
      await store().recordCopy(two);
      const now = '2099-01-01T00:00:00.000Z';
      assert.deepEqual(
        (await store().listDueOutbox(now, 10)).map((m) => m.id),
        [one.outbox!.id, two.outbox!.id],
      );
      await store().markOutboxDelivered(one.outbox!.id, now);
      await store().rescheduleOutbox(two.outbox!.id, '2099-01-01T00:05:00.000Z');
      assert.deepEqual(await store().listDueOutbox(now, 10), []);
      const later = await store().listDueOutbox('2099-01-01T00:05:00.000Z', 10);
      assert.deepEqual(
        later.map((m) => [m.id, m.attempts]),
        [[two.outbox!.id, 1]],
      );
      assert.deepEqual(later[0]?.payload, two.outbox!.payload);
      await rejectsWith(store().markOutboxDelivered('ghost', now), 'STORE.NOT_FOUND');
    });
  });
}

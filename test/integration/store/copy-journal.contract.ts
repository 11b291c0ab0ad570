import assert from 'node:assert/strict';
import type { CopyAttempt } from '../../../src/cmr/copy-attempt';
import { completionWrite } from '../../../src/cmr/copy-attempt';
import { copyIdempotencyKey } from '../../../src/cmr/model';
import { aCopy, aResource, aSubscriber, provisioned } from './fixtures';
import { rejectsWith, withStore, type StoreFactory } from './store-harness';

const A = '+15550001001';
const B = '+15550001002';
const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

export function anAttempt(callId: string, resourceId = 't1', over: Partial<CopyAttempt> = {}): CopyAttempt {
  const key = copyIdempotencyKey(callId, A, resourceId);
  return {
    key,
    state: 'requested',
    resolution: 'complete',
    charge: {
      idempotencyKey: key,
      requester: A,
      owner: B,
      resourceId,
      title: `Title ${resourceId}`,
      price: { amountMinor: 199, currency: 'EUR' },
      callId,
      icid: `icid-${callId}`,
      requestedAt: T(0),
    },
    trigger: 'dtmf',
    chargeReference: null,
    recoveryTries: 0,
    detail: null,
    createdAt: T(1),
    updatedAt: T(1),
    ...over,
  };
}

const ids = (n: number) => ({ recordId: `rec-${n}`, outboxId: `out-${n}` });

/** The copy journal: durable attempt states, advanced only from the expected state, completed with the copy. */
export function copyJournalContract(factory: StoreFactory): void {
  const store = withStore(factory);

  beforeEach(async () => {
    for (const id of ['t1', 't2']) await store().createResource(aResource(id));
    await store().createSubscriber(aSubscriber(A, { libraryCapacity: 5 }));
    await store().createSubscriber(aSubscriber(B));
  });

  it('writes a new attempt once and hands back the stored one when the key is started again', async () => {
    const attempt = anAttempt('call-1');
    assert.deepEqual(await store().startCopyAttempt(attempt), { created: true, attempt });
    const again = await store().startCopyAttempt({ ...attempt, trigger: 'message', updatedAt: T(9) });
    assert.deepEqual(again, { created: false, attempt });
    assert.deepEqual(await store().getCopyAttempt(attempt.key), attempt);
    assert.equal(await store().getCopyAttempt('no such key'), null);
  });

  it('starts one attempt when the same key is started twice at once', async () => {
    const attempt = anAttempt('call-1');
    const results = await Promise.all([store().startCopyAttempt(attempt), store().startCopyAttempt(attempt)]);
    assert.deepEqual(results.map((r) => r.created).sort(), [false, true]);
  });

  it('advances an attempt only from the states given, and keeps what the change leaves out', async () => {
    const attempt = anAttempt('call-1');
    await store().startCopyAttempt(attempt);
    const charged = await store().advanceCopyAttempt(attempt.key, ['requested'], {
      at: T(2),
      state: 'charged',
      chargeReference: 'chg-1',
    });
    assert.deepEqual(charged, { ...attempt, state: 'charged', chargeReference: 'chg-1', updatedAt: T(2) });
    assert.equal(await store().advanceCopyAttempt(attempt.key, ['requested'], { at: T(3), state: 'failed' }), null);
    assert.equal((await store().getCopyAttempt(attempt.key))?.state, 'charged', 'a refused change changes nothing');
    assert.equal(await store().advanceCopyAttempt('ghost', ['requested'], { at: T(3), state: 'failed' }), null);
  });

  it('counts recovery tries, resets them, and replaces the charge of a restarted attempt', async () => {
    const attempt = anAttempt('call-1', 't1', { state: 'failed', detail: 'no credit' });
    await store().startCopyAttempt(attempt);
    await store().advanceCopyAttempt(attempt.key, ['failed'], { at: T(2), recoveryTries: 'increment' });
    const tried = await store().advanceCopyAttempt(attempt.key, ['failed'], { at: T(3), recoveryTries: 'increment' });
    assert.equal(tried?.recoveryTries, 2);
    const charge = { ...attempt.charge, idempotencyKey: `${attempt.key}#2`, requestedAt: T(4) };
    const restarted = await store().advanceCopyAttempt(attempt.key, ['failed', 'refunded'], {
      at: T(4),
      state: 'requested',
      resolution: 'complete',
      charge,
      detail: null,
      recoveryTries: 'reset',
    });
    assert.deepEqual(restarted, { ...attempt, state: 'requested', charge, detail: null, updatedAt: T(4) });
  });

  it('lists the unfinished attempts unchanged since a given instant, least recently changed first', async () => {
    await store().startCopyAttempt(anAttempt('call-1', 't1', { updatedAt: T(5) }));
    await store().startCopyAttempt(
      anAttempt('call-2', 't1', { state: 'charged', chargeReference: 'c', updatedAt: T(3) }),
    );
    await store().startCopyAttempt(anAttempt('call-3', 't1', { state: 'copied', updatedAt: T(1) }));
    await store().startCopyAttempt(anAttempt('call-4', 't1', { state: 'failed', updatedAt: T(1) }));
    await store().startCopyAttempt(anAttempt('call-5', 't1', { state: 'refunded', updatedAt: T(1) }));
    await store().startCopyAttempt(anAttempt('call-6', 't1', { updatedAt: T(8) }));
    const unfinished = await store().listUnfinishedCopyAttempts(T(8), 10);
    assert.deepEqual(
      unfinished.map((a) => a.charge.callId),
      ['call-2', 'call-1'],
    );
    assert.equal((await store().listUnfinishedCopyAttempts(T(8), 1)).length, 1);
  });

  it('marks the attempt copied in the same transaction as the copy', async () => {
    const attempt = anAttempt('call-1', 't1', { state: 'charged', chargeReference: 'chg-1' });
    await store().startCopyAttempt(attempt);
    const write = completionWrite(attempt, 'chg-1', T(6), ids(1));
    assert.equal((await store().recordCopy(write)).status, 'recorded');
    const after = await store().getCopyAttempt(attempt.key);
    assert.deepEqual([after?.state, after?.chargeReference, after?.updatedAt], ['copied', 'chg-1', T(6)]);
    assert.deepEqual(await store().getLibraryEntry(A, 't1'), write.libraryEntry);
    assert.deepEqual(
      (await store().listDueOutbox(T(6), 10)).map((m) => m.id),
      ['out-1'],
    );
  });

  it('leaves the attempt as it was when the copy cannot be written', async () => {
    await store().addLibraryEntry(provisioned(A, 't1'));
    const attempt = anAttempt('call-1', 't1', { state: 'charged', chargeReference: 'chg-1' });
    await store().startCopyAttempt(attempt);
    await rejectsWith(store().recordCopy(completionWrite(attempt, 'chg-1', T(6), ids(1))), 'STORE.CONFLICT');
    assert.deepEqual(await store().getCopyAttempt(attempt.key), attempt);
  });

  it('marks the attempt copied when its copy was already recorded under the same key', async () => {
    const attempt = anAttempt('call-1', 't1', { state: 'charged', chargeReference: 'chg-1' });
    await store().startCopyAttempt(attempt);
    const earlier = aCopy(A, B, 't1', 'call-1');
    await store().recordCopy(earlier);
    const result = await store().recordCopy(completionWrite(attempt, 'chg-1', T(6), ids(1)));
    assert.equal(result.status, 'duplicate');
    assert.equal((await store().getCopyAttempt(attempt.key))?.state, 'copied');
    assert.equal(await store().countLibrary(A), 1);
  });

  it('does not turn a refunded attempt into a copied one', async () => {
    const attempt = anAttempt('call-1', 't1', { state: 'refunded', chargeReference: 'chg-1' });
    await store().startCopyAttempt(attempt);
    await store().recordCopy(completionWrite(attempt, 'chg-1', T(6), ids(1)));
    assert.equal((await store().getCopyAttempt(attempt.key))?.state, 'refunded');
  });
}

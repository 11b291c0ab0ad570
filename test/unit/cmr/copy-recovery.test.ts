import assert from 'node:assert/strict';
import type { CopyAttempt } from '../../../src/cmr/copy-attempt';
import { CopyRecovery, type CopyRecoveryOptions } from '../../../src/cmr/copy-recovery';
import { copyIdempotencyKey } from '../../../src/cmr/model';
import { StoreError } from '../../../src/cmr/ports/store-error';
import { FakeClock } from '../../support/fake-clock';
import { LogLines } from '../portal/log-lines';
import { CALLER, FakeCopyStore, LedgerCharging, OWNER, TONE } from './copy-fakes';

const MIN_AGE = 60_000;

describe('recovery of unfinished copies', () => {
  let clock: FakeClock;
  let store: FakeCopyStore;
  let charging: LedgerCharging;
  let log: LogLines;
  let woken: number;
  let recovery: CopyRecovery;

  function newRecovery(over: Partial<CopyRecoveryOptions> = {}): CopyRecovery {
    return new CopyRecovery({
      store,
      charging,
      clock,
      logger: log,
      minAgeMs: MIN_AGE,
      intervalMs: 30_000,
      maxTries: 3,
      onRecorded: () => woken++,
      ...over,
    });
  }

  /** An attempt left `ageMs` ago in `state`, as a crash would leave it. */
  function leftBehind(callId: string, over: Partial<CopyAttempt> = {}, ageMs = 2 * MIN_AGE): CopyAttempt {
    const key = copyIdempotencyKey(callId, CALLER, TONE.id);
    const at = new Date(clock.now() - ageMs).toISOString();
    const attempt: CopyAttempt = {
      key,
      state: 'requested',
      resolution: 'complete',
      charge: {
        idempotencyKey: key,
        requester: CALLER,
        owner: OWNER,
        resourceId: TONE.id,
        title: TONE.title,
        price: TONE.price,
        callId,
        icid: 'icid-1',
        requestedAt: at,
      },
      trigger: 'dtmf',
      chargeReference: null,
      recoveryTries: 0,
      detail: null,
      createdAt: at,
      updatedAt: at,
      ...over,
    };
    store.attempts.set(key, attempt);
    return attempt;
  }

  beforeEach(() => {
    clock = new FakeClock(Date.UTC(2026, 5, 1, 12));
    store = new FakeCopyStore();
    charging = new LedgerCharging();
    log = new LogLines();
    woken = 0;
    recovery = newRecovery();
  });

  afterEach(async () => {
    await recovery.stop();
  });

  it('debits a copy left before its debit, as a retransmission, and completes it', async () => {
    const attempt = leftBehind('call-1');
    assert.deepEqual(await recovery.runOnce(), { copied: 1, refunded: 0, failed: 0, pending: 0, skipped: 0 });
    assert.deepEqual(
      charging.debits.map((d) => [d.idempotencyKey, d.retransmission]),
      [[attempt.key, true]],
    );
    assert.equal(store.get(attempt.key).state, 'copied');
    assert.deepEqual(
      store.library.map((e) => [e.owner, e.resourceId, e.copiedFrom, e.callId]),
      [[CALLER, TONE.id, OWNER, 'call-1']],
    );
    const [record] = store.records;
    assert.deepEqual(
      [record?.idempotencyKey, record?.outcome, record?.chargeReference],
      [attempt.key, 'copied', 'chg-1'],
    );
    assert.equal(store.outbox.length, 1);
    assert.equal(woken, 1, 'the portal feed is woken');
  });

  it('finds the debit whose answer was lost with the same key, and does not debit twice', async () => {
    const attempt = leftBehind('call-1');
    await charging.debit(attempt.charge);
    await recovery.runOnce();
    assert.equal(charging.ledger.length, 1);
    assert.equal(store.get(attempt.key).state, 'copied');
    assert.equal(store.records[0]?.chargeReference, 'chg-1');
  });

  it('completes a charged copy without asking charging again', async () => {
    const attempt = leftBehind('call-1', { state: 'charged', chargeReference: 'chg-9' });
    await recovery.runOnce();
    assert.equal(charging.debits.length, 0);
    assert.deepEqual([store.get(attempt.key).state, store.records[0]?.chargeReference], ['copied', 'chg-9']);
  });

  it('refunds a debit it finds for a copy the caller was told had failed', async () => {
    const attempt = leftBehind('call-1', { resolution: 'undo', detail: 'timeout' });
    await charging.debit(attempt.charge);
    assert.equal((await recovery.runOnce()).refunded, 1);
    assert.deepEqual(
      charging.ledger.map((e) => e.kind),
      ['debit', 'refund'],
    );
    assert.equal(store.get(attempt.key).state, 'refunded');
    assert.deepEqual([store.library.length, store.records.length, woken], [0, 0, 0]);
  });

  it('refunds a charged copy that can no longer be made (already owned)', async () => {
    const attempt = leftBehind('call-1', { state: 'charged', chargeReference: 'chg-9' });
    store.library.push({
      owner: CALLER,
      resourceId: TONE.id,
      acquisition: 'provisioned',
      acquiredAt: attempt.createdAt,
      copiedFrom: null,
      callId: null,
    });
    assert.equal((await recovery.runOnce()).refunded, 1);
    assert.deepEqual(charging.refunds, [{ key: attempt.key, reference: 'chg-9' }]);
    assert.match(store.get(attempt.key).detail ?? '', /not copyable any more/);
  });

  it('marks the copy failed when charging now refuses it', async () => {
    const attempt = leftBehind('call-1');
    charging.refuseWith = { status: 'refused', reason: 'no-credit', detail: 'QUOTA_LIMIT_REACHED' };
    assert.equal((await recovery.runOnce()).failed, 1);
    assert.deepEqual([store.get(attempt.key).state, store.library.length], ['failed', 0]);
  });

  it('tries again next pass while charging is down, and gives up after maxTries for reconciliation', async () => {
    const attempt = leftBehind('call-1');
    charging.down = true;
    for (let pass = 1; pass <= 2; pass++) {
      assert.equal((await recovery.runOnce()).pending, 1);
      assert.equal(store.get(attempt.key).recoveryTries, pass);
      clock.advance(MIN_AGE + 1);
    }
    assert.equal((await recovery.runOnce()).failed, 1);
    assert.equal(store.get(attempt.key).state, 'failed');
    assert.match(store.get(attempt.key).detail ?? '', /^given up: ECONNREFUSED/);
    assert.equal(log.at('error')[0]?.message, 'copy attempt given up: reconcile with the charging system');
  });

  it('tries the copy write again next pass while the store is unavailable', async () => {
    const attempt = leftBehind('call-1', { state: 'charged', chargeReference: 'chg-9' });
    store.failNextCopyWith = new StoreError('STORE.UNAVAILABLE', 'disk gone');
    assert.equal((await recovery.runOnce()).pending, 1);
    assert.equal(charging.refunds.length, 0, 'no refund for a passing store failure');
    clock.advance(MIN_AGE + 1);
    assert.equal((await recovery.runOnce()).copied, 1);
    assert.equal(store.get(attempt.key).state, 'copied');
  });

  it('leaves alone an attempt changed less than minAgeMs ago, and one a live ask holds', async () => {
    const young = leftBehind('call-1', {}, MIN_AGE - 1);
    const held = leftBehind('call-2');
    recovery = newRecovery({ exclusive: async (key, task) => (key === held.key ? 'skipped' : task()) });
    assert.deepEqual(await recovery.runOnce(), { copied: 0, refunded: 0, failed: 0, pending: 0, skipped: 1 });
    assert.equal(charging.debits.length, 0);
    assert.deepEqual([store.get(young.key).state, store.get(held.key).state], ['requested', 'requested']);
  });

  it('looks at a bounded batch per pass', async () => {
    for (let i = 0; i < 5; i++) leftBehind(`call-${i}`);
    recovery = newRecovery({ batchSize: 2 });
    const settled = (p: Record<string, number>) => Object.values(p).reduce((a, b) => a + b, 0);
    assert.equal(settled(await recovery.runOnce()), 2);
    assert.equal(settled(await recovery.runOnce()), 2);
    assert.equal(settled(await recovery.runOnce()), 1);
    assert.equal(settled(await recovery.runOnce()), 0);
  });

  it('runs at start and every intervalMs, and stops leaving no timer', async () => {
    const first = leftBehind('call-1');
    recovery.start();
    clock.advance(0);
    await recovery.runOnce();
    assert.equal(store.get(first.key).state, 'copied');
    store.library.length = 0;
    const second = leftBehind('call-2');
    clock.advance(30_000);
    await recovery.runOnce();
    assert.equal(store.get(second.key).state, 'copied');
    await recovery.stop();
    assert.equal(clock.timersPending, 0);
    const third = leftBehind('call-3');
    clock.advance(120_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(store.get(third.key).state, 'requested');
  });
});

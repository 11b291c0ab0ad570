import assert from 'node:assert/strict';
import type { CopyAttemptState, CopyCrashStep } from '../../../src/cmr/copy-attempt';
import { CopyService } from '../../../src/cmr/copy-service';
import { copyIdempotencyKey } from '../../../src/cmr/model';
import { StoreError } from '../../../src/cmr/ports/store-error';
import { silentLogger } from '../../../src/observability/logger';
import { CALLER, FakeCopyStore, LedgerCharging, ringingCall, T0, TONE } from './copy-fakes';

const KEY = copyIdempotencyKey('call-1@test', CALLER, TONE.id);

describe('the copy journal kept by the online-copy use case', () => {
  let store: FakeCopyStore;
  let charging: LedgerCharging;
  let steps: [CopyCrashStep, CopyAttemptState | undefined, number][];
  let service: CopyService;
  const now = T0 + 5000;

  beforeEach(() => {
    store = new FakeCopyStore();
    charging = new LedgerCharging();
    steps = [];
    service = new CopyService({
      store,
      charging,
      clock: { now: () => now },
      logger: silentLogger(),
      graceMs: 3000,
      crashPoint: (step) => steps.push([step, store.attempts.get(KEY)?.state, charging.ledger.length]),
    });
  });

  const ask = (trigger: 'dtmf' | 'message' = 'dtmf') => service.requestCopy({ call: ringingCall(), trigger, at: now });

  it('writes requested before the debit, charged with the reference after it, and copied with the record', async () => {
    assert.equal((await ask()).outcome, 'copied');
    assert.deepEqual(steps, [
      ['after-requested', 'requested', 0],
      ['after-debit', 'requested', 1],
      ['after-charged', 'charged', 1],
      ['after-copied', 'copied', 1],
    ]);
    const attempt = store.get(KEY);
    assert.equal(attempt.chargeReference, 'chg-1');
    assert.equal(attempt.charge.idempotencyKey, KEY, 'the charging key is the copy key');
    assert.equal(attempt.trigger, 'dtmf');
    assert.equal(charging.debits[0]?.retransmission, undefined, 'a first debit is no retransmission');
  });

  it('marks the attempt failed when charging refuses, and a later ask charges under a fresh key', async () => {
    charging.refuseWith = { status: 'refused', reason: 'no-credit', detail: 'QUOTA_LIMIT_REACHED' };
    assert.equal((await ask()).outcome, 'no-credit');
    assert.deepEqual([store.get(KEY).state, store.get(KEY).detail], ['failed', 'no-credit: QUOTA_LIMIT_REACHED']);
    charging.refuseWith = null;
    assert.equal((await ask('message')).outcome, 'copied');
    const [first, second] = charging.debits;
    assert.notEqual(second?.idempotencyKey, first?.idempotencyKey, 'the refused key is not asked again');
    assert.ok(second?.idempotencyKey.startsWith(`${KEY}#`));
    assert.deepEqual([store.get(KEY).state, charging.net], ['copied', 1]);
  });

  it('keeps the attempt requested, to be undone, when the charging answer is lost', async () => {
    charging.loseAnswers = 1;
    assert.equal((await ask()).outcome, 'charging-unavailable');
    const attempt = store.get(KEY);
    assert.deepEqual([attempt.state, attempt.resolution, attempt.detail], ['requested', 'undo', 'timeout']);
    assert.equal(store.library.length, 0);
  });

  it('marks the attempt failed, leaving nothing to recover, when charging could not even be reached', async () => {
    charging.down = true;
    assert.equal((await ask()).outcome, 'charging-unavailable');
    assert.deepEqual([store.get(KEY).state, store.get(KEY).detail], ['failed', 'ECONNREFUSED']);
    charging.down = false;
    assert.equal((await ask('message')).outcome, 'copied', 'a later ask charges afresh');
    assert.equal(charging.net, 1);
  });

  it('resumes an unfinished attempt on a later ask with the same key, as a retransmission, without a second debit', async () => {
    charging.loseAnswers = 1;
    await ask();
    const again = await ask('message');
    assert.equal(again.outcome, 'copied');
    assert.deepEqual(
      charging.debits.map((d) => [d.idempotencyKey, d.retransmission]),
      [
        [KEY, undefined],
        [KEY, true],
      ],
    );
    assert.deepEqual([store.get(KEY).state, store.get(KEY).resolution, charging.net], ['copied', 'complete', 1]);
  });

  it('journals the refund when the copy cannot be written after the debit', async () => {
    store.failNextCopyWith = new StoreError('STORE.LIBRARY_FULL', 'full');
    assert.equal((await ask()).outcome, 'library-full');
    assert.deepEqual([store.get(KEY).state, store.get(KEY).chargeReference, charging.net], ['refunded', 'chg-1', 0]);
  });

  it('leaves the attempt charged, to be undone, when the refund cannot be made either', async () => {
    store.failNextCopyWith = new StoreError('STORE.UNAVAILABLE', 'disk gone');
    charging.refundDown = true;
    assert.equal((await ask()).outcome, 'store-unavailable');
    const attempt = store.get(KEY);
    assert.deepEqual([attempt.state, attempt.resolution, attempt.chargeReference], ['charged', 'undo', 'chg-1']);
  });

  it('charges nothing when the journal cannot be written', async () => {
    store.failWrites = 1;
    assert.equal((await ask()).outcome, 'store-unavailable');
    assert.equal(charging.debits.length, 0);
    assert.deepEqual(steps, []);
  });

  it('makes an ask wait for the recovery of the same copy, and skips a recovery while the copy is being asked', async () => {
    let finishRecovery!: () => void;
    const recovery = service.exclusive(
      KEY,
      () => new Promise<string>((resolve) => (finishRecovery = () => resolve('done'))),
    );
    const asked = ask();
    await new Promise((r) => setImmediate(r));
    assert.equal(charging.debits.length, 0, 'the ask waits');
    assert.equal(await service.exclusive(KEY, async () => 'twice'), 'skipped', 'one recovery at a time');
    finishRecovery();
    assert.equal(await recovery, 'done');
    assert.equal((await asked).outcome, 'copied');
    const during = service.requestCopy({ call: ringingCall(T0, 'call-2@test'), trigger: 'dtmf', at: now });
    const key2 = copyIdempotencyKey('call-2@test', CALLER, TONE.id);
    assert.equal(await service.exclusive(key2, async () => 'recovered'), 'skipped');
    await during;
  });
});

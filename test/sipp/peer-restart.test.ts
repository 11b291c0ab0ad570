import assert from 'node:assert/strict';
import { PENDING_HORIZON } from '../../src/portal/portal-feed';
import { discardWorkDir, formatSippReport, skipWithoutSipp } from '../support/sipp';
import { assertChargedOnceIfCopied, callerOf, LossyCopyRig, pollUntil, seenOutcomes } from './lossy-copy-rig';

/**
 * The charging peer (the test CHF) and the portal peer restarting in the middle of a load of copy
 * calls (issue 8): SIPp places CALLS calls, each from its own caller who copies the ringing tone;
 * while they run the peer goes down (listener closed, connections cut, requests in flight included)
 * and comes back on its port. Nothing may be lost: each copy that completed is charged exactly once
 * (recovery may ask again, with the same key), a debit whose copy failed is refunded, every caller
 * is told what the records say, and every copy reaches the portal once (by record id). Single-copy
 * faults are in test/integration/copy/charging-faults.test.ts, a portal down without load in
 * test/integration/portal/portal-feed.test.ts, the server itself killed in crash-recovery.test.ts.
 */

const CALLS = 60;
/** 20 calls a second: the peer is down for about a third of the run. */
const RATE = 20;

describe('online copies while a peer restarts mid-load, with SIPp over UDP', function () {
  this.timeout(120_000);
  let rig: LossyCopyRig | null = null;

  before(skipWithoutSipp('the peer restart tests'));
  afterEach(async () => {
    await rig?.stop();
    rig = null;
  });

  /** A lossless rig whose recovery runs every half second, for attempts half a second old. */
  const startRig = () =>
    LossyCopyRig.start({
      lossPercent: 0,
      seed: 1,
      calls: CALLS,
      callerLingerSeconds: 1,
      farEndLingerSeconds: 1,
      app: { copy: { recoveryIntervalMs: 500, recoveryMinAgeMs: 500, recoveryMaxTries: 60 } },
    });

  it('charges each completed copy exactly once and refunds the rest when the CHF restarts', async () => {
    const r = (rig = await startRig());
    // Slow enough that requests are in flight when it goes down; those it still books are refunded.
    r.chf.delayMs = 200;
    r.chf.abandonWhenClientGone = false;
    const running = await r.startCalls({ rate: RATE });
    await untilOutcomes(r, (o) => (o.get('copied') ?? 0) >= 15, 'the first copies');
    await r.chf.goDown();
    await untilOutcomes(r, (o) => (o.get('charging-unavailable') ?? 0) >= 10, 'copies refused while the CHF is down');
    await r.chf.comeBack();
    const caller = await running.result;
    await r.farEndResults();
    await r.drained(10_000);
    const unfinished = async () => (await r.app.store.listUnfinishedCopyAttempts(PENDING_HORIZON, 100)).length;
    await pollUntil(async () => (await unfinished()) === 0, 'recovery to settle every charged attempt', 15_000);

    const records = await r.copyRecords();
    const seen = seenOutcomes(caller.actionLog);
    const outcomes = await r.outcomesSoFar();
    const copied = outcomes.get('copied') ?? 0;
    const refunds = r.chf.ledger.filter((e) => e.kind === 'refund').length;
    console.log(
      `      CHF restart: ${caller.stats.successfulCalls}/${CALLS} calls, outcomes ${JSON.stringify(Object.fromEntries(outcomes))}, ` +
        `${r.chf.ledger.length - refunds} debits, ${refunds} refunds`,
    );
    assert.equal(caller.stats.successfulCalls, CALLS, formatSippReport(caller));
    assert.ok((outcomes.get('charging-unavailable') ?? 0) >= 10, 'the outage met the load');
    for (let n = 1; n <= CALLS; n++) {
      const who = callerOf(n);
      const mine = records.get(who) ?? [];
      assertChargedOnceIfCopied(who, mine, r.ledgerOf(who));
      assert.deepEqual(
        mine.map((c) => c.outcome),
        [seen.get(who)],
        `${who} was told what its copy record says`,
      );
    }
    await r.portal.waitForAccepted(copied, 10_000);
    assert.equal(r.portal.accepted.length, copied, 'one portal record per copy, none for a failed one');
    await discardWorkDir(caller);
  });

  it('delivers every copy record to the portal exactly once when the portal restarts', async () => {
    const r = (rig = await startRig());
    // Slow enough that deliveries are in flight when it goes down: the portal may have taken one
    // whose answer never came back, and gets it again (at least once, deduplicated by record id).
    r.portal.delayMs = 100;
    const running = await r.startCalls({ rate: RATE });
    await pollUntil(() => r.portal.accepted.length >= 15, 'the first records at the portal', 20_000);
    await r.portal.goDown();
    const acceptedBefore = r.portal.accepted.length;
    await untilOutcomes(
      r,
      (o) => (o.get('copied') ?? 0) >= acceptedBefore + 15,
      'copies made while the portal is down',
    );
    await r.portal.comeBack();
    const caller = await running.result;
    await r.farEndResults();
    await r.drained(10_000);
    await r.portal.waitForAccepted(CALLS, 15_000);

    const stats = await r.app.store.outboxStats();
    const keys = r.portal.accepted.map((a) => a.idempotencyKey);
    const requesters = r.portal.accepted.map((a) => (a.body as { requester: string }).requester);
    const repeats = r.portal.requests.filter((q) => q.status === 200).length - keys.length;
    console.log(
      `      portal restart: ${caller.stats.successfulCalls}/${CALLS} calls, ${keys.length} records accepted ` +
        `(${acceptedBefore} before the outage), ${repeats} repeated deliveries, ${r.portal.requests.length} requests`,
    );
    assert.equal(caller.stats.successfulCalls, CALLS, formatSippReport(caller));
    assert.deepEqual(
      [...new Set(requesters)].sort(),
      Array.from({ length: CALLS }, (_, i) => callerOf(i + 1)).sort(),
      'a record for every copy',
    );
    assert.equal(new Set(keys).size, CALLS, 'each record once by its id');
    assert.deepEqual([stats.depth, stats.deadLetters], [0, 0], 'nothing left in the outbox');
    for (let n = 1; n <= CALLS; n++) {
      const who = callerOf(n);
      assertChargedOnceIfCopied(who, (await r.copyRecords()).get(who) ?? [], r.ledgerOf(who));
    }
    await discardWorkDir(caller);
  });
});

/** Polls the server's copy records until `check` holds on their count by outcome. */
async function untilOutcomes(r: LossyCopyRig, check: (o: Map<string, number>) => boolean, what: string): Promise<void> {
  await pollUntil(async () => check(await r.outcomesSoFar()), what, 20_000);
}

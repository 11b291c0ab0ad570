import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { skipWithoutSipp, type SippResult } from '../support/sipp';
import { aResource, assertAllSucceeded, B2buaRig, CMR_CALLED, provisionCmr, until } from './b2bua-call-rig';

const WARM_UP_CALLS = 100;
const CALLS = 1000;
/** Heap growth allowed over 1000 calls once everything is released: 5 KB a call, less than one leaked call with its messages. */
const MAX_HEAP_GROWTH_BYTES = 5 * 1024 * 1024;
/** Calls per second: 1000 calls in about 10 s. */
const RATE = 50;

/** A forced full GC without `node --expose-gc`: the flag can be set at run time and `gc` taken from a new context. */
function forcedGc(): () => void {
  if (typeof global.gc === 'function') return global.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

describe('B2BUA memory over 1000 CMR calls with SIPp over UDP', function () {
  this.timeout(150_000);
  let rig: B2buaRig | null = null;

  before(skipWithoutSipp('the B2BUA memory test'));
  after(async () => {
    await rig?.stop();
  });

  it('releases every call, dialog and transaction, and the heap stays flat', async () => {
    const total = WARM_UP_CALLS + CALLS;
    rig = await B2buaRig.start({
      transport: 'udp',
      // One call more than will come, so the far ends keep running (and their traces stay out of this heap)
      // until the measurement is done.
      callee: { scenario: 'uas-answer-200.xml', options: { pauseMs: 150, calls: total + 1, timeoutMs: 120_000 } },
      mediaServer: { scenario: 'uas-media-server-200.xml', options: { calls: total + 1, timeoutMs: 120_000 } },
      // T1 = 250 ms: transactions (Timer M, Timer L = 64*T1) are gone 16 s after the last call, and a loaded
      // 2-CPU machine does not make the server miss T1 too often.
      app: { sip: { timers: { t1Ms: 250, t2Ms: 2000, t4Ms: 2500 } }, b2bua: { lingerSeconds: 1 } },
    });
    const app = rig.app;
    await provisionCmr(app, CMR_CALLED, [aResource('tone-a'), aResource('tone-b')]);
    const gc = forcedGc();
    const released = async (): Promise<void> => {
      await until(
        () =>
          app.calls.size === 0 &&
          app.sip.ua.counts.dialogs === 0 &&
          app.sip.ua.counts.pendingInvites === 0 &&
          app.sip.transactions.activeClientTransactions === 0 &&
          app.sip.transactions.activeServerTransactions === 0,
        'every call, dialog and transaction to be released',
        40_000,
      );
    };
    const measure = () => {
      gc();
      gc();
      return process.memoryUsage();
    };

    // Each SIPp result holds its whole message trace: checked, then dropped before measuring.
    assertAllSucceeded({ warmUp: await rig.call('uac-cmr-call-update-200.xml', { calls: WARM_UP_CALLS, rate: 100 }) });
    await released();
    const before = measure();

    const started = Date.now();
    let load: SippResult | null = await rig.call('uac-cmr-call-update-200.xml', {
      calls: CALLS,
      rate: RATE,
      timeoutMs: 90_000,
    });
    const runMs = Date.now() - started;
    assertAllSucceeded({ load });
    const successful = load.stats.successfulCalls;
    load = null;
    await released();
    const after = measure();
    const { callee, mediaServer } = await rig.stopFarEnds();
    assert.equal(callee?.stats.successfulCalls, total, 'the callee saw every call through');
    assert.equal(mediaServer?.stats.successfulCalls, total, 'the media server saw every call through');

    const heapGrowth = after.heapUsed - before.heapUsed;
    const rssGrowth = after.rss - before.rss;
    console.log(
      `      ${CALLS} CMR calls in ${runMs} ms; heapUsed ${mb(before.heapUsed)} -> ${mb(after.heapUsed)} (${mb(heapGrowth)}),` +
        ` rss ${mb(before.rss)} -> ${mb(after.rss)} (${mb(rssGrowth)})`,
    );
    assert.equal(successful, CALLS);
    assert.ok(heapGrowth < MAX_HEAP_GROWTH_BYTES, `heap grew by ${mb(heapGrowth)}`);
  });
});

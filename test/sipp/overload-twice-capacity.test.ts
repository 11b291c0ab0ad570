import assert from 'node:assert/strict';
import { assertSippSuccess } from '../support/sipp';
import { CopyRig } from './copy-call-rig';
import { assertFarEndsCompleted, OVERLOAD_SCENARIO, shedAndAdmitted, watchCallsInProgress } from './overload-probes';

/** A server made small: 20 calls in progress, each ringing 1 s, is a capacity of about 20 calls/s. */
const LIMIT = 20;
const RING_MS = 1000;
/** Twice that capacity, for 300 calls (7.5 s). */
const OFFERED_CPS = 40;
const OFFERED_CALLS = 300;

/**
 * The CI-sized overload check (`npm run bench -- --overload` is the full-sized one): behaviour only,
 * never timings. What makes the server small is `b2bua.maxCalls`, so the check does not depend on how
 * fast the machine is.
 */
describe(`overload at twice capacity: SIPp offers ${OFFERED_CPS} calls/s to a server that takes about ${LIMIT} (UDP)`, function () {
  this.timeout(60_000);
  let rig: CopyRig;

  before(async () => {
    rig = await CopyRig.start({ transport: 'udp', calls: 100_000, b2bua: { maxCalls: LIMIT } });
  });
  after(async () => {
    await rig?.stop();
  });

  it('sheds the excess with 503 and Retry-After and fails nothing else, carries the admitted calls through, answers OPTIONS throughout, then takes calls again', async () => {
    const watch = watchCallsInProgress(rig);
    const load = await rig.startCall(OVERLOAD_SCENARIO, {
      calls: OFFERED_CALLS,
      rate: OFFERED_CPS,
      pauseMs: RING_MS,
      timeoutMs: 50_000,
    });
    // Two OPTIONS a second while the load runs: the server keeps answering what is not a new call.
    const probes = await rig.startCall('uac-options-200.xml', { calls: 14, rate: 2, timeoutMs: 50_000 });
    const [loadResult, probeResult] = await Promise.all([load.result, probes.result]);
    const most = watch.stop();

    assertSippSuccess(probeResult, 'every OPTIONS answered 200 during the overload');
    assertSippSuccess(loadResult, 'every offered call was either shed with 503 + Retry-After or carried through');
    const { shed, admitted } = shedAndAdmitted(loadResult);
    assert.equal(shed + admitted, OFFERED_CALLS, `every call accounted for: ${shed} shed, ${admitted} admitted`);
    assert.ok(shed > 0, 'the server was saturated: some calls were shed');
    assert.ok(admitted > LIMIT, `places freed by ended calls were taken again: ${admitted} admitted`);
    assert.ok(most <= LIMIT, `at most ${LIMIT} calls in progress at once, saw ${most}`);

    await rig.rig.drained();
    const afterwards = await rig.call(OVERLOAD_SCENARIO, { calls: 1, pauseMs: 200 });
    assertSippSuccess(afterwards, 'a call after the overload');
    assert.deepEqual(shedAndAdmitted(afterwards), { shed: 0, admitted: 1 }, 'the call after the overload is admitted');
    await assertFarEndsCompleted(rig, admitted + 1);
  });
});

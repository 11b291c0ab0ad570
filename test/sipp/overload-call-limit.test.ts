import assert from 'node:assert/strict';
import { assertSippSuccess, type SippTransport } from '../support/sipp';
import { CALLER, CopyRig, resultOutcomes, TONE } from './copy-call-rig';
import {
  assertFarEndsCompleted,
  callsRefused,
  eventually,
  OVERLOAD_SCENARIO,
  serverErrorsSent,
  shedAndAdmitted,
  watchCallsInProgress,
} from './overload-probes';

/** `b2bua.maxCalls` of these tests: small, so a modest SIPp rate is more than the server may take. */
const LIMIT = 20;
/** Far ends serve until stopped: how many calls get through is what the test finds out. */
const FAR_END_CALLS = 100_000;

for (const transport of ['udp', 'tcp'] as SippTransport[]) {
  describe(`a server at its limit of calls in progress (b2bua.maxCalls ${LIMIT}) with SIPp over ${transport}`, function () {
    this.timeout(60_000);
    let rig: CopyRig;

    before(async () => {
      rig = await CopyRig.start({ transport, calls: FAR_END_CALLS, b2bua: { maxCalls: LIMIT } });
    });
    after(async () => {
      await rig?.stop();
    });

    it('sheds the INVITEs beyond the limit with 503 and Retry-After, carries the admitted calls through, and copies on an admitted call meanwhile', async () => {
      // The call that will copy: admitted first, it hears the ringing media and waits for the copy's result.
      const copyCall = await rig.startCall('uac-cmr-copy-notified-200.xml', { recvTimeoutMs: 40_000 });
      const dialog = await rig.callerDialog();
      const watch = watchCallsInProgress(rig);
      // 2 s of ringing per call: 19 free places take about 10 calls/s; 40/s are offered.
      const load = await rig.startCall(OVERLOAD_SCENARIO, { calls: 120, rate: 40, pauseMs: 2000, timeoutMs: 45_000 });
      await eventually(async () => (await serverErrorsSent(rig)) > 0, 'the server to shed a call');

      const client = await rig.send('uac-cmr-copy-target-dialog-200.xml', {
        globals: { td_call_id: dialog.callId, td_local_tag: dialog.localTag, td_remote_tag: dialog.remoteTag },
      });
      const [caller, loadResult] = await Promise.all([copyCall.result, load.result]);
      const most = watch.stop();

      assertSippSuccess(client, 'the copy request, sent while the server was shedding calls');
      assertSippSuccess(caller, 'the call that copied');
      assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:copied']);
      assert.equal(rig.charges().length, 1, 'the caller was charged once');
      assert.ok((await rig.library(CALLER)).includes(TONE.id), 'the tone is in the caller library');

      assertSippSuccess(loadResult, 'every offered call was either shed with 503 + Retry-After or carried through');
      const { shed, admitted } = shedAndAdmitted(loadResult);
      assert.equal(shed + admitted, 120, `every call accounted for: ${shed} shed, ${admitted} admitted`);
      assert.ok(shed > 0 && admitted >= LIMIT, `calls were both shed (${shed}) and admitted (${admitted})`);
      assert.ok(most <= LIMIT, `at most ${LIMIT} calls in progress at once, saw ${most}`);
      assert.equal(await callsRefused(rig, 'too-many-calls'), shed, 'each shed call counted as refused');

      await rig.rig.drained();
      await assertFarEndsCompleted(rig, admitted + 1); // the load's calls and the call that copied
    });
  });
}

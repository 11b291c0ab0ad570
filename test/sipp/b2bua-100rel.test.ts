import assert from 'node:assert/strict';
import { isSippInstalled } from '../support/sipp';
import {
  aResource,
  assertAllSucceeded,
  B2buaRig,
  CMR_CALLED,
  PLAIN_CALLED,
  provisionCmr,
  startLines,
} from './b2bua-call-rig';

/** Reliable provisional responses (RFC 3262) toward the caller: PRACK matching, giving up, Require. */
for (const transport of ['udp', 'tcp'] as const) {
  describe(`B2BUA reliable provisionals (100rel) over ${transport.toUpperCase()}`, function () {
    this.timeout(40_000);
    let rig: B2buaRig | null = null;

    before(async function () {
      if (!(await isSippInstalled())) this.skip();
    });
    afterEach(async () => {
      await rig?.stop();
      rig = null;
    });

    it('answers 481 to a PRACK whose RAck matches nothing, 200 to the right one', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-no-answer.xml' },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-cmr-call-100rel-bad-rack-481.xml', { pauseMs: 200 });
      assertAllSucceeded({ caller, ...(await rig.farEnds()) });
      await rig.drained();
    });

    it('answers the INVITE 500 when no PRACK comes within 64*T1, and ends every leg', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-no-answer.xml' },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
        // 64*T1 = 3.2 s instead of 32 s.
        app: { sip: { timers: { t1Ms: 50, t2Ms: 4000, t4Ms: 5000 } } },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-cmr-call-100rel-no-prack-500.xml');
      const { callee, mediaServer } = await rig.farEnds();
      assertAllSucceeded({ caller, callee, mediaServer });
      const received = startLines(caller.messageTrace, 'received');
      assert.ok(received.filter((l) => l.startsWith('SIP/2.0 183')).length > 1, 'the 183 was retransmitted');
      assert.equal(rig.calls()[0]?.endReason, 'no PRACK from caller');
      await rig.drained();
    });

    it('relays the callee ringing reliably to a caller that requires 100rel, and completes the call', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-200.xml', options: { pauseMs: 500 } },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      const caller = await rig.call('uac-invite-100rel-required-200.xml', {
        serviceUser: PLAIN_CALLED,
        pauseMs: 100,
      });
      const { callee } = await rig.stopMediaServer();
      assertAllSucceeded({ caller, callee });
      await rig.drained();
    });
  });
}

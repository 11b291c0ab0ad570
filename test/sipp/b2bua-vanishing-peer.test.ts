import assert from 'node:assert/strict';
import { skipWithoutSipp } from '../support/sipp';
import {
  aResource,
  assertAllSucceeded,
  B2buaRig,
  CMR_CALLED,
  provisionCmr,
  SilentPeer,
  startLines,
} from './b2bua-call-rig';

/** T1 = 25 ms: 64*T1 (Timer B, the 2xx retransmission limit) is 1.6 s. */
// A long linger keeps ended calls readable however slow a loaded machine is.
const FAST_TIMERS = { sip: { timers: { t1Ms: 25, t2Ms: 200, t4Ms: 250 } }, b2bua: { lingerSeconds: 60 } };

for (const transport of ['udp', 'tcp'] as const) {
  describe(`B2BUA when a peer vanishes mid-call, with SIPp over ${transport.toUpperCase()}`, function () {
    this.timeout(40_000);
    let rig: B2buaRig | null = null;
    const silent: SilentPeer[] = [];

    before(skipWithoutSipp('the B2BUA SIPp tests'));
    afterEach(async () => {
      await rig?.stop();
      rig = null;
      await Promise.all(silent.splice(0).map((p) => p.close()));
    });

    it('hangs up both legs with BYE when the caller never acknowledges the answer (64*T1)', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-200.xml', options: { pauseMs: 300 } },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
        app: FAST_TIMERS,
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const started = Date.now();
      const caller = await rig.call('uac-invite-without-ack-200.xml');
      const { callee, mediaServer } = await rig.farEnds();
      assertAllSucceeded({ caller, callee, mediaServer });
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 300 + 64 * 25, `the BYE came after 64*T1 (${elapsed} ms)`);
      const answer = caller.messages.find((m) => m.direction === 'recv' && m.name === '200');
      assert.equal(answer?.count, 1, 'the 200 was checked by its own <recv>, not absorbed as a retransmission');
      const received = startLines(caller.messageTrace, 'received');
      assert.equal(received.filter((l) => l.startsWith('BYE ')).length, 1, 'one BYE to the caller');
      assert.ok(!received.some((l) => l.startsWith('UPDATE ')), 'no re-targeting of a call never acknowledged');
      assert.equal(rig.calls()[0]!.endReason, 'no ACK from caller');
      await rig.drained();
    });

    it('answers the caller 408 when the callee never answers the INVITE (Timer B)', async () => {
      const peer = await SilentPeer.start(transport);
      silent.push(peer);
      rig = await B2buaRig.start({
        transport,
        callee: peer,
        mediaServer: { scenario: 'uas-media-server-200.xml' },
        app: FAST_TIMERS,
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-invite-timeout-408.xml');
      const { mediaServer } = await rig.stopMediaServer();
      assertAllSucceeded({ caller });
      assert.ok(peer.invites >= 1, 'the callee was asked');
      assert.equal(mediaServer?.messageTrace, '', 'no ringing, so no media server');
      assert.equal(rig.calls()[0]!.endReason, 'callee 408');
      await rig.drained();
    });
  });
}

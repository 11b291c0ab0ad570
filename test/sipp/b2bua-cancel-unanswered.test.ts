import assert from 'node:assert/strict';
import { skipWithoutSipp, runSipp } from '../support/sipp';
import { startScriptedResponder, type ScriptedResponder } from '../support/sipp/scripted-responder';
import { startTestApp, type TestApp } from '../support/test-app';
import { assertAllSucceeded, PLAIN_CALLED, until } from './b2bua-call-rig';
import { FAST_TIMERS } from './support/scenario-check';

/**
 * A called party that rings and then vanishes: it never answers our CANCEL nor sends the 487. RFC
 * 3261 §9.1: the server gives up on the INVITE 64*T1 after its CANCEL, so neither the B-leg's early
 * dialog nor its transaction outlive the call. (Found by the copy loss test: a 487 lost for good
 * left an early dialog in the UA for ever.)
 */
describe('B2BUA when the called party rings and then stops answering, with SIPp as caller over UDP', function () {
  this.timeout(30_000);
  let app: TestApp | null = null;
  let callee: ScriptedResponder | null = null;

  before(skipWithoutSipp('the B2BUA SIPp tests'));
  afterEach(async () => {
    await app?.stop();
    await callee?.close();
    app = null;
    callee = null;
  });

  it('answers the caller 487 at once and forgets the ringing B-leg 64*T1 after its CANCEL', async () => {
    const ringsThenVanishes = await startScriptedResponder({
      handle: (request) =>
        request.method === 'INVITE' && !ringsThenVanishes.received.some((r) => r.method === 'CANCEL')
          ? [{ status: 180, reason: 'Ringing', headers: [`Contact: <sip:127.0.0.1:${ringsThenVanishes.port}>`] }]
          : [],
    });
    callee = ringsThenVanishes;
    const server = await startTestApp({
      sip: { port: 0, timers: FAST_TIMERS },
      media: { enabled: false },
      b2bua: { nextHop: `sip:127.0.0.1:${callee.port}`, lingerSeconds: 60 },
    });
    app = server;
    const caller = await runSipp({
      scenario: 'uac-invite-cancel-487.xml',
      transport: 'udp',
      target: { host: '127.0.0.1', port: server.sipPort('udp') },
      serviceUser: PLAIN_CALLED,
      pauseMs: 200,
    });
    assertAllSucceeded({ caller });
    assert.equal(server.calls.values()[0]?.endReason, 'caller cancelled');
    assert.equal(server.sip.ua.counts.dialogs, 1, 'the B-leg early dialog waits for its 487 a while');

    await until(() => server.sip.ua.counts.dialogs === 0, 'the B-leg to be given up', 64 * FAST_TIMERS.t1Ms + 5000);
    const cancels = callee.received.filter((r) => r.method === 'CANCEL').length;
    assert.ok(cancels > 1, `the CANCEL was retransmitted (${cancels})`);
    assert.equal(server.calls.activeCount, 0);
  });
});

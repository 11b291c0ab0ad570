import assert from 'node:assert/strict';
import { systemClock } from '../../../src/clock';
import { SipStack } from '../../../src/sip/sip-stack';
import { startTestApp, testConfig, testLogger, type TestApp } from '../../support/test-app';
import { TEST_SDP } from '../../support/test-uas';
import { until } from '../../support/until';

const CALLED = '+15550002032';

/**
 * A B-leg whose send fails at once (no socket of ours reaches the next hop: an IPv6 one on a server that
 * listens on 127.0.0.1 only) is reported before the session has its INVITE back: the caller must still
 * get its answer then, not when the no-answer timer fires.
 */
describe('a callee leg that cannot be sent', function () {
  this.timeout(20_000);
  let app: TestApp;
  let caller: SipStack;

  before(async () => {
    app = await startTestApp({ b2bua: { nextHop: 'sip:[::1]:5099', noAnswerTimeoutMs: 600_000 } });
    caller = await SipStack.start({ config: testConfig().sip, logger: testLogger(), clock: systemClock, delegate: {} });
  });
  after(async () => {
    await caller?.close();
    await app?.stop();
  });

  it('answers the caller 503 at once and ends the call', async () => {
    const outgoing = await caller.ua.invite(
      caller.ua.createRequest({
        method: 'INVITE',
        uri: `sip:${CALLED}@127.0.0.1:${app.sipPort('udp')}`,
        from: 'sip:+15550002031@127.0.0.1',
        to: `sip:${CALLED}@127.0.0.1`,
        body: TEST_SDP,
        contentType: 'application/sdp',
      }),
    );
    const { response } = await outgoing.result;
    assert.equal(response.status, 503);
    await until(() => app.calls.activeCount === 0, 'the call to end');
  });
});

import assert from 'node:assert/strict';
import { systemClock } from '../../../src/clock';
import { SipStack } from '../../../src/sip/sip-stack';
import { startTestApp, testConfig, testLogger, type TestApp } from '../../support/test-app';
import { TEST_SDP, TestUas } from '../../support/test-uas';

describe('draining for shutdown (SIGTERM)', function () {
  this.timeout(20_000);
  let callee: TestUas;
  let caller: SipStack;
  let app: TestApp;

  beforeEach(async () => {
    callee = await TestUas.start({ kind: 'ring-forever' });
    app = await startTestApp({ b2bua: { nextHop: `sip:127.0.0.1:${callee.port('udp')}` } });
    caller = await SipStack.start({ config: testConfig().sip, logger: testLogger(), clock: systemClock, delegate: {} });
  });
  afterEach(async () => {
    await caller?.close();
    await app?.stop();
    await callee?.stop();
  });

  async function call() {
    const invite = caller.ua.createRequest({
      method: 'INVITE',
      uri: `sip:+15550007777@127.0.0.1:${app.sipPort('udp')}`,
      from: 'sip:+15550006666@127.0.0.1',
      to: 'sip:+15550007777@127.0.0.1',
      body: TEST_SDP,
      contentType: 'application/sdp',
    });
    const outgoing = await caller.ua.invite(invite);
    return outgoing;
  }

  async function ringing() {
    const outgoing = await call();
    await new Promise<void>((resolve) => {
      outgoing.onProvisional = (r) => r.status === 180 && resolve();
    });
    return outgoing;
  }

  it('refuses new calls with 503 and Retry-After while calls in progress go on, then finishes when they end', async () => {
    const first = await ringing();
    const drained = app.drain(10_000);
    let done = false;
    void drained.then(() => (done = true));
    const refused = await (await call()).result;
    assert.equal(refused.response.status, 503);
    assert.match(refused.response.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal(done, false, 'the call in progress holds the drain');
    assert.equal(app.calls.activeCount, 1);
    first.cancel();
    await drained;
    assert.equal(app.calls.activeCount, 0);
  });

  it('hangs up the calls still up when the deadline passes', async () => {
    const first = await ringing();
    await app.drain(200);
    const { response } = await first.result;
    assert.equal(response.status, 487);
    assert.equal(app.calls.activeCount, 0);
  });
});

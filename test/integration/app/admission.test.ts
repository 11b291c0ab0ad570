import assert from 'node:assert/strict';
import { systemClock } from '../../../src/clock';
import { SipStack } from '../../../src/sip/sip-stack';
import { startTestApp, testConfig, testLogger, type TestApp } from '../../support/test-app';
import { TEST_SDP, TestUas } from '../../support/test-uas';

describe('admission of new calls from an untrusted source', function () {
  this.timeout(20_000);
  let callee: TestUas;
  let caller: SipStack;
  let app: TestApp;

  before(async () => {
    callee = await TestUas.start({ kind: 'reject', status: 486 });
    app = await startTestApp({
      b2bua: { nextHop: `sip:127.0.0.1:${callee.port('udp')}`, trustedPeers: [] },
      limits: {
        invitesPerSecondPerSource: 1,
        inviteBurst: 2,
        copiesPerMinutePerRequester: 600,
        maxEventLoopDelayMs: 0,
      },
    });
    caller = await SipStack.start({ config: testConfig().sip, logger: testLogger(), clock: systemClock, delegate: {} });
  });
  after(async () => {
    await caller?.close();
    await app?.stop();
    await callee?.stop();
  });

  async function place(): Promise<{ status: number; retryAfter: string | undefined }> {
    const invite = caller.ua.createRequest({
      method: 'INVITE',
      uri: `sip:+15550005555@127.0.0.1:${app.sipPort('udp')}`,
      from: 'sip:+15550004444@127.0.0.1',
      to: 'sip:+15550005555@127.0.0.1',
      body: TEST_SDP,
      contentType: 'application/sdp',
    });
    const { response } = await (await caller.ua.invite(invite)).result;
    return { status: response.status, retryAfter: response.headers.get('retry-after') };
  }

  it('answers 503 with Retry-After past the per-source budget, and admits again once it refills', async () => {
    const answers = [await place(), await place(), await place()];
    assert.deepEqual(
      answers.map((a) => a.status),
      [486, 486, 503],
    );
    assert.equal(answers[2]?.retryAfter, '1');
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await place()).status, 486);
  });
});

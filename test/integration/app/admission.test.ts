import assert from 'node:assert/strict';
import { systemClock } from '../../../src/clock';
import { SipStack } from '../../../src/sip/sip-stack';
import type { InviteResult, OutgoingInvite } from '../../../src/sip/ua/outgoing-invite';
import { until } from '../sip/transport/transport-harness';
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

describe('calls in progress per untrusted source (limits.maxCallsInProgressPerSource)', function () {
  this.timeout(30_000);
  const TRUSTED_HOST = '127.0.0.2';
  let callee: TestUas;
  let caller: SipStack;
  let trustedCaller: SipStack;
  let app: TestApp;

  before(async () => {
    callee = await TestUas.start({ kind: 'ring-forever' });
    app = await startTestApp({
      b2bua: { nextHop: `sip:127.0.0.1:${callee.port('udp')}`, trustedPeers: [TRUSTED_HOST] },
      limits: {
        invitesPerSecondPerSource: 0,
        inviteBurst: 1,
        maxCallsInProgressPerSource: 2,
        copiesPerMinutePerRequester: 600,
        maxEventLoopDelayMs: 0,
      },
    });
    caller = await SipStack.start({ config: testConfig().sip, logger: testLogger(), clock: systemClock, delegate: {} });
    trustedCaller = await SipStack.start({
      config: testConfig({ sip: { port: 0, host: TRUSTED_HOST } }).sip,
      logger: testLogger(),
      clock: systemClock,
      delegate: {},
    });
  });
  after(async () => {
    await caller?.close();
    await trustedCaller?.close();
    await app?.stop();
    await callee?.stop();
  });

  let seq = 0;

  /** Places a call; resolves once it rings (180) or ends, whichever comes first. */
  async function place(from = caller): Promise<{ outgoing: OutgoingInvite; early: InviteResult | null }> {
    seq++;
    const invite = from.ua.createRequest({
      method: 'INVITE',
      uri: `sip:+1555000${7000 + seq}@127.0.0.1:${app.sipPort('udp')}`,
      from: `sip:+15550004444@${from === caller ? '127.0.0.1' : TRUSTED_HOST}`,
      to: `sip:+1555000${7000 + seq}@127.0.0.1`,
      body: TEST_SDP,
      contentType: 'application/sdp',
    });
    const outgoing = await from.ua.invite(invite);
    const ringing = new Promise<null>((resolve) => (outgoing.onProvisional = (r) => r.status === 180 && resolve(null)));
    return { outgoing, early: await Promise.race([ringing, outgoing.result]) };
  }

  async function refusedWith503(): Promise<void> {
    const { early } = await place();
    assert.equal(early?.response.status, 503, 'a call beyond the cap is refused');
    assert.equal(early?.response.headers.get('retry-after'), '5');
  }

  /** Waits until the server no longer counts calls in progress (their ends reach it a moment after ours). */
  async function untilIdle(): Promise<void> {
    for (let tries = 0; app.calls.activeCount > 0; tries++) {
      if (tries >= 200) throw new Error(`still ${app.calls.activeCount} calls in progress`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('answers 503 with Retry-After past the cap, and frees a slot when the caller cancels', async () => {
    const first = await place();
    const second = await place();
    assert.equal(first.early, null, 'the first call rings');
    assert.equal(second.early, null, 'the second call rings');
    await refusedWith503();

    first.outgoing.cancel();
    assert.equal((await first.outgoing.result).response.status, 487);
    await until(() => app.calls.activeCount === 1, 'the cancelled call to end');
    const third = await place();
    assert.equal(third.early, null, 'a new call rings once one was cancelled');
    second.outgoing.cancel();
    third.outgoing.cancel();
    await Promise.all([second.outgoing.result, third.outgoing.result]);
    await untilIdle();
  });

  it('frees the slot of a call the callee refuses, and of an answered call ended by BYE', async () => {
    callee.set({ kind: 'reject', status: 486 });
    for (let i = 0; i < 4; i++) assert.equal((await place()).early?.response.status, 486, `refused call ${i + 1}`);

    callee.set({ kind: 'answer', ringMs: 0 });
    const answered = [await (await place()).outgoing.result, await (await place()).outgoing.result];
    for (const result of answered) assert.equal(result.response.status, 200);
    await refusedWith503();

    const dialog = answered[0]?.dialog;
    assert.ok(dialog);
    await caller.ua.bye(dialog);
    await until(() => app.calls.activeCount === 1, 'the call hung up by BYE to end');
    const next = await (await place()).outgoing.result;
    assert.equal(next.response.status, 200, 'a new call is admitted after the BYE');
    for (const result of [answered[1], next]) if (result?.dialog) await caller.ua.bye(result.dialog);
    await untilIdle();
  });

  it('exempts trusted peers from the cap', async () => {
    callee.set({ kind: 'ring-forever' });
    const calls = [await place(trustedCaller), await place(trustedCaller), await place(trustedCaller)];
    for (const call of calls) assert.equal(call.early, null, 'a trusted peer call rings');
    for (const call of calls) call.outgoing.cancel();
    await Promise.all(calls.map((call) => call.outgoing.result));
    await untilIdle();
  });
});

describe('calls in progress per source, ended by the no-answer timeout', function () {
  this.timeout(20_000);
  let callee: TestUas;
  let caller: SipStack;
  let app: TestApp;

  before(async () => {
    callee = await TestUas.start({ kind: 'ring-forever' });
    app = await startTestApp({
      b2bua: { nextHop: `sip:127.0.0.1:${callee.port('udp')}`, trustedPeers: [], noAnswerTimeoutMs: 1000 },
      limits: {
        invitesPerSecondPerSource: 0,
        inviteBurst: 1,
        maxCallsInProgressPerSource: 1,
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

  async function call(n: number): Promise<number> {
    const invite = caller.ua.createRequest({
      method: 'INVITE',
      uri: `sip:+1555000810${n}@127.0.0.1:${app.sipPort('udp')}`,
      from: 'sip:+15550004444@127.0.0.1',
      to: `sip:+1555000810${n}@127.0.0.1`,
      body: TEST_SDP,
      contentType: 'application/sdp',
    });
    return (await (await caller.ua.invite(invite)).result).response.status;
  }

  it('frees the slot of a call that timed out unanswered', async () => {
    const first = call(1);
    await until(() => app.calls.activeCount === 1, 'the first call to be in progress');
    assert.equal(await call(2), 503, 'the cap of one is reached');
    assert.equal(await first, 480, 'the first call times out unanswered');
    await until(() => app.calls.activeCount === 0, 'the timed-out call to end');
    const third = call(3);
    await until(() => app.calls.activeCount === 1, 'a new call is admitted');
    assert.equal(await third, 480);
  });
});

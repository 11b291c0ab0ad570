import assert from 'node:assert/strict';
import { systemClock } from '../../../src/clock';
import { DEFAULT_PRIVACY, type Resource } from '../../../src/cmr/model';
import type { Dialog } from '../../../src/sip/dialog/dialog';
import { SipStack } from '../../../src/sip/sip-stack';
import type { IncomingRequest } from '../../../src/sip/ua/incoming-request';
import type { OutgoingInvite } from '../../../src/sip/ua/outgoing-invite';
import { FakeChfServer } from '../../support/fake-chf-server';
import { FakePortalServer } from '../../support/fake-portal-server';
import { startTestApp, testConfig, testLogger, type TestApp } from '../../support/test-app';
import { TEST_SDP, TestUas } from '../../support/test-uas';

const CALLER = '+15550003001';
const OWNER = '+15550003002';
const TONE: Resource = {
  id: 'copy-flow-tone',
  title: 'Copy Flow Tone',
  artist: 'Tests',
  provider: null,
  mediaUri: 'file:///tones/copy-flow.wav',
  kind: 'audio',
  durationSeconds: 30,
  copyable: true,
  price: { amountMinor: 150, currency: 'USD' },
  validFrom: null,
  validUntil: null,
};

interface Caller {
  stack: SipStack;
  messages: { body: string; dialog: Dialog | null }[];
}

async function startCaller(): Promise<Caller> {
  const messages: Caller['messages'] = [];
  const stack = await SipStack.start({
    config: testConfig().sip,
    logger: testLogger(),
    clock: systemClock,
    acceptedBodies: {
      MESSAGE: ['multipart/mixed', 'text/plain'],
      INVITE: ['application/sdp'],
      UPDATE: ['application/sdp'],
    },
    delegate: {
      onRequest: (request: IncomingRequest, dialog: Dialog | null) => {
        if (request.method === 'MESSAGE') messages.push({ body: request.request.body.toString(), dialog });
        request.respond(200);
      },
    },
  });
  return { stack, messages };
}

async function until<T>(what: string, check: () => T | undefined | null | false, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function resultOf(body: string): { kind: string; outcome: string } {
  const json = /\{.*\}/s.exec(body.split('application/vnd.cmr.copy-result+json')[1] ?? '')?.[0] ?? '{}';
  return JSON.parse(json) as { kind: string; outcome: string };
}

describe('online copy by key press during CMR ringing (our own UAs on every leg)', function () {
  this.timeout(30_000);
  let chf: FakeChfServer;
  let portal: FakePortalServer;
  let callee: TestUas;
  let mediaServer: TestUas;
  let app: TestApp;
  let caller: Caller;

  before(async () => {
    chf = await FakeChfServer.start();
    portal = await FakePortalServer.start();
    callee = await TestUas.start({ kind: 'ring-forever' });
    mediaServer = await TestUas.start({ kind: 'answer', ringMs: 0 });
  });
  after(async () => {
    await chf?.close();
    await portal?.close();
    await callee?.stop();
    await mediaServer?.stop();
  });

  beforeEach(async () => {
    app = await startTestApp({
      b2bua: { nextHop: `sip:127.0.0.1:${callee.port('udp')}` },
      media: { server: `sip:127.0.0.1:${mediaServer.port('udp')}` },
      charging: { url: chf.url },
      portal: { url: portal.url, pollIntervalMs: 100 },
    });
    await app.store.putResource(TONE);
    for (const identity of [CALLER, OWNER]) {
      await app.store.putSubscriber({
        identity,
        displayName: null,
        status: 'active',
        cmrEnabled: true,
        libraryCapacity: 10,
        timeZone: 'UTC',
        privacy: DEFAULT_PRIVACY,
      });
    }
    await app.store.putRingingRules(OWNER, {
      rules: [],
      defaultPlaylist: { order: 'sequential', resourceIds: [TONE.id] },
    });
    chf.setBalance(`msisdn-${CALLER.slice(1)}`, 1000);
    caller = await startCaller();
  });
  afterEach(async () => {
    await caller?.stack.close();
    await app?.stop();
  });

  async function ringing(): Promise<{ outgoing: OutgoingInvite; early: Dialog }> {
    const invite = caller.stack.ua.createRequest({
      method: 'INVITE',
      uri: `sip:${OWNER}@127.0.0.1:${app.sipPort('udp')}`,
      from: `sip:${CALLER}@127.0.0.1`,
      to: `sip:${OWNER}@127.0.0.1`,
      body: TEST_SDP,
      contentType: 'application/sdp',
      headers: [['Allow', 'INVITE, ACK, CANCEL, BYE, UPDATE, INFO, MESSAGE']],
    });
    const outgoing = await caller.stack.ua.invite(invite);
    const early = await new Promise<Dialog>((resolve) => {
      outgoing.onProvisional = (response, dialog) => {
        if (response.status === 183 && dialog) resolve(dialog);
      };
    });
    return { outgoing, early };
  }

  const press = (dialog: Dialog, digit: string) =>
    caller.stack.ua.requestInDialog(dialog, 'INFO', {
      body: Buffer.from(`Signal=${digit}\r\nDuration=160\r\n`),
      contentType: 'application/dtmf-relay',
    });

  it('offers the copy on the first key, charges once on the confirmation key, and delivers the record', async () => {
    const debitsBefore = chf.debitsOf(`msisdn-${CALLER.slice(1)}`).length;
    const { outgoing, early } = await ringing();
    assert.equal((await press(early, '*')).status, 200);
    const offer = await until('the offer', () => caller.messages[0]);
    assert.equal(resultOf(offer.body).kind, 'offer');
    assert.match(offer.body, /Copy Flow Tone/);
    assert.equal(chf.debitsOf(`msisdn-${CALLER.slice(1)}`).length, debitsBefore, 'nothing charged before consent');
    assert.equal((await press(early, '1')).status, 200);
    const done = await until('the confirmation', () => caller.messages[1]);
    assert.deepEqual(resultOf(done.body), { ...resultOf(done.body), kind: 'result', outcome: 'copied' });
    assert.equal(chf.debitsOf(`msisdn-${CALLER.slice(1)}`).length, debitsBefore + 1);
    const library = await app.store.listLibrary(CALLER);
    assert.deepEqual(
      library.items.map((e) => [e.resourceId, e.acquisition, e.copiedFrom]),
      [[TONE.id, 'copy', OWNER]],
    );
    await portal.waitForAccepted(1);
    outgoing.cancel();
  });

  it('charges nothing when the caller answers the offer with another key', async () => {
    const debitsBefore = chf.debitsOf(`msisdn-${CALLER.slice(1)}`).length;
    const { outgoing, early } = await ringing();
    await press(early, '*');
    await until('the offer', () => caller.messages[0]);
    await press(early, '5');
    const cancelled = await until('the cancellation', () => caller.messages[1]);
    assert.equal(resultOf(cancelled.body).kind, 'cancelled');
    assert.equal(chf.debitsOf(`msisdn-${CALLER.slice(1)}`).length, debitsBefore);
    assert.equal((await app.store.listLibrary(CALLER)).items.length, 0);
    outgoing.cancel();
  });

  it('tells a caller who already owns the tone so, instead of offering it for money', async () => {
    await app.store.addLibraryEntry({
      owner: CALLER,
      resourceId: TONE.id,
      acquisition: 'provisioned',
      acquiredAt: new Date().toISOString(),
      copiedFrom: null,
      callId: null,
    });
    const debitsBefore = chf.debitsOf(`msisdn-${CALLER.slice(1)}`).length;
    const { outgoing, early } = await ringing();
    assert.equal((await press(early, '*')).status, 200);
    const notice = await until('the notice', () => caller.messages[0]);
    assert.deepEqual([resultOf(notice.body).kind, resultOf(notice.body).outcome], ['result', 'already-owned']);
    assert.equal(chf.debitsOf(`msisdn-${CALLER.slice(1)}`).length, debitsBefore);
    outgoing.cancel();
  });

  it('answers an INFO for an Info Package it did not advertise with 469', async () => {
    const { outgoing, early } = await ringing();
    const response = await caller.stack.ua.requestInDialog(early, 'INFO', {
      body: Buffer.from('Signal=*\r\n'),
      contentType: 'application/dtmf-relay',
      headers: [['Info-Package', 'nosuchpackage']],
    });
    assert.equal(response.status, 469);
    assert.match(response.headers.get('recv-info') ?? '', /infoDtmf/);
    outgoing.cancel();
  });
});

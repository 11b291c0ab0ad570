import assert from 'node:assert/strict';
import { systemClock } from '../../../src/clock';
import type { Resource } from '../../../src/cmr/model';
import { DEFAULT_PRIVACY } from '../../../src/cmr/model';
import type { Dialog } from '../../../src/sip/dialog/dialog';
import { SipStack } from '../../../src/sip/sip-stack';
import type { IncomingInvite } from '../../../src/sip/ua/incoming-invite';
import { httpClient } from '../api/http-client';
import { aResource } from '../../support/cmr-fixtures';
import { startTestApp, testConfig, testLogger, type TestApp } from '../../support/test-app';
import { TEST_SDP, TestUas } from '../../support/test-uas';
import { until } from '../../support/until';

const CALLED = '+15550002002';

function tone(id: string): Resource {
  return aResource(id, { title: `Tone ${id}` });
}

interface CallView {
  id: string;
  phase: string;
  caller: string | null;
  called: string | null;
  answeredAt: string | null;
  endReason: string | null;
  presenting: { resourceId: string; mediaUri: string; endedAt: string | null } | null;
  presentations: { resourceId: string; startedAt: string; endedAt: string | null }[];
}

/** A caller on our own stack that accepts the B2BUA's re-INVITE or UPDATE of the answered call. */
async function startCaller(): Promise<SipStack> {
  return SipStack.start({
    config: testConfig().sip,
    logger: testLogger(),
    clock: systemClock,
    delegate: {
      onRequest: (request) => {
        if (request.method === 'INVITE')
          (request as IncomingInvite).accept({ body: TEST_SDP, contentType: 'application/sdp' });
        else
          request.respond(200, request.method === 'UPDATE' ? { body: TEST_SDP, contentType: 'application/sdp' } : {});
      },
    },
  });
}

describe('GET /v1/calls over a CMR call between our own SIP stacks', function () {
  this.timeout(20_000);
  let app: TestApp;
  let callee: TestUas;
  let mediaServer: TestUas;
  let caller: SipStack;
  let api: ReturnType<typeof httpClient>;

  beforeEach(async () => {
    callee = await TestUas.start({ kind: 'answer', ringMs: 1000 });
    mediaServer = await TestUas.start({ kind: 'answer', ringMs: 0 });
    caller = await startCaller();
    app = await startTestApp({
      b2bua: { nextHop: `sip:127.0.0.1:${callee.port('udp')}`, lingerSeconds: 1 },
      media: { server: `sip:127.0.0.1:${mediaServer.port('udp')}` },
    });
    api = httpClient(app.httpAddress, app.config.http.apiToken);
    await app.store.putResource(tone('tone-a'));
    await app.store.putSubscriber({
      identity: CALLED,
      displayName: null,
      status: 'active',
      cmrEnabled: true,
      libraryCapacity: 10,
      timeZone: 'UTC',
      privacy: DEFAULT_PRIVACY,
    });
    await app.store.putRingingRules(CALLED, {
      rules: [],
      defaultPlaylist: { order: 'sequential', resourceIds: ['tone-a'] },
    });
  });
  afterEach(async () => {
    await app.stop();
    await caller.close();
    await callee.stop();
    await mediaServer.stop();
  });

  async function placeCall(): Promise<{ callId: string; dialog: Promise<Dialog | null> }> {
    const request = caller.ua.createRequest({
      method: 'INVITE',
      uri: `sip:${CALLED}@127.0.0.1:${app.sipPort('udp')}`,
      from: 'sip:+15550002001@127.0.0.1',
      to: `sip:${CALLED}@127.0.0.1`,
      body: TEST_SDP,
      contentType: 'application/sdp',
    });
    const outgoing = await caller.ua.invite(request);
    return { callId: request.callId, dialog: outgoing.result.then((r) => r.dialog) };
  }

  it('shows the live call with the resource presenting while the callee rings, then answered, then gone', async () => {
    const { dialog } = await placeCall();
    await until(() => app.calls.values()[0]?.phase === 'early-media', 'early media');

    const live = await api({ method: 'GET', path: '/v1/calls' });
    assert.equal(live.status, 200);
    const { items, active } = live.json as { items: CallView[]; active: number };
    assert.equal(active, 1);
    assert.equal(items.length, 1);
    const view = items[0]!;
    assert.equal(view.phase, 'early-media');
    assert.equal(view.caller, '+15550002001');
    assert.equal(view.called, CALLED);
    assert.equal(view.presenting?.resourceId, 'tone-a');
    assert.equal(view.presenting?.mediaUri, 'file:///var/media/tones/tone-a.wav');

    const answered = await dialog;
    assert.ok(answered, 'the caller got a 200');
    const one = await api({ method: 'GET', path: `/v1/calls/${encodeURIComponent(view.id)}` });
    const after = one.json as CallView;
    assert.equal(after.phase, 'answered');
    assert.equal(after.presenting, null);
    assert.equal(after.presentations[0]?.endedAt, after.answeredAt, 'the ringing media stopped at the answer');

    await caller.ua.bye(answered);
    await until(() => app.calls.values()[0]?.phase === 'ended', 'the call to end');
    const ended = (await api({ method: 'GET', path: '/v1/calls?ended=true' })).json as { items: CallView[] };
    assert.equal(ended.items[0]?.endReason, 'caller remote BYE');
    assert.deepEqual((await api({ method: 'GET', path: '/v1/calls' })).json, { items: [], active: 0 });
    await until(() => app.calls.size === 0, 'the call to be forgotten after the linger', 4000);
    assert.equal((await api({ method: 'GET', path: `/v1/calls/${encodeURIComponent(view.id)}` })).status, 404);
  });

  it('answers 404 for a call it does not know and 401 without the token', async () => {
    const unknown = await api({ method: 'GET', path: '/v1/calls/no-such-call' });
    assert.equal(unknown.status, 404);
    assert.equal((await api({ method: 'GET', path: '/v1/calls', token: null })).status, 401);
  });
});

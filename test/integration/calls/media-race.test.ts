import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { systemClock } from '../../../src/clock';
import { DEFAULT_PRIVACY } from '../../../src/cmr/model';
import { SipStack } from '../../../src/sip/sip-stack';
import { startTestApp, testConfig, testLogger, type TestApp } from '../../support/test-app';
import { TEST_SDP, TestUas } from '../../support/test-uas';

const CALLED = '+15550002012';

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  for (let i = 0; i < ms / 20; i++) {
    if (check()) return;
    await delay(20);
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('the called party answering while the media-server leg is still starting', function () {
  this.timeout(20_000);
  let callee: TestUas;
  let mediaServer: TestUas;
  let caller: SipStack;
  let app: TestApp;

  before(async () => {
    callee = await TestUas.start({ kind: 'answer', ringMs: 30 });
    mediaServer = await TestUas.start({ kind: 'answer', ringMs: 600 }); // rings first, answers late
    app = await startTestApp({
      b2bua: { nextHop: `sip:127.0.0.1:${callee.port('udp')}` },
      media: { server: `sip:127.0.0.1:${mediaServer.port('udp')}` },
    });
    await app.store.putResource({
      id: 'race-tone',
      title: 'Race',
      artist: 'Tests',
      provider: null,
      mediaUri: 'file:///tones/race.wav',
      kind: 'audio',
      durationSeconds: 30,
      copyable: true,
      price: { amountMinor: 100, currency: 'EUR' },
      validFrom: null,
      validUntil: null,
    });
    await app.store.putSubscriber({
      identity: CALLED,
      displayName: null,
      status: 'active',
      cmrEnabled: true,
      libraryCapacity: 5,
      timeZone: 'UTC',
      privacy: DEFAULT_PRIVACY,
    });
    await app.store.putRingingRules(CALLED, {
      rules: [],
      defaultPlaylist: { order: 'sequential', resourceIds: ['race-tone'] },
    });
    caller = await SipStack.start({ config: testConfig().sip, logger: testLogger(), clock: systemClock, delegate: {} });
  });
  after(async () => {
    await caller?.close();
    await app?.stop();
    await callee?.stop();
    await mediaServer?.stop();
  });

  it('connects A to B directly and leaves no media-server dialog behind', async () => {
    const invite = caller.ua.createRequest({
      method: 'INVITE',
      uri: `sip:${CALLED}@127.0.0.1:${app.sipPort('udp')}`,
      from: 'sip:+15550002011@127.0.0.1',
      to: `sip:${CALLED}@127.0.0.1`,
      body: TEST_SDP,
      contentType: 'application/sdp',
    });
    const outgoing = await caller.ua.invite(invite);
    const { response, dialog } = await outgoing.result;
    assert.equal(response.status, 200);
    assert.ok(dialog);
    const [call] = app.calls.values();
    assert.equal(call?.presentations.length, 0, 'nothing presented: B answered before the media server');
    await until(() => mediaServer.stack.ua.dialogs.size === 0, 'the media server to hold no dialog');
    assert.ok(mediaServer.events.includes('invite'), 'the media server was asked');
    const toCallee = callee.invites[callee.invites.length - 1];
    assert.match(toCallee?.headers.get('allow') ?? '', /UPDATE/, 'the B-leg says what we take in its dialog');
    assert.doesNotMatch(toCallee?.headers.get('contact') ?? '', /transport=/, 'a UDP next hop gets a UDP Contact');
    await caller.ua.bye(dialog);
    await until(() => app.sip.ua.dialogs.size === 0 && app.calls.activeCount === 0, 'the call to end everywhere');
  });
});

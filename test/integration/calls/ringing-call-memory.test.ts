import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { writeHeapSnapshot } from 'node:v8';
import { readHeapSnapshot } from '../../../bench/profile/heap-snapshot-summary';
import { systemClock } from '../../../src/clock';
import { DEFAULT_PRIVACY } from '../../../src/cmr/model';
import type { OutgoingInvite } from '../../../src/sip/ua/outgoing-invite';
import { SipStack } from '../../../src/sip/sip-stack';
import { startTestApp, testConfig, testLogger, type TestApp } from '../../support/test-app';
import { TEST_SDP, TestUas } from '../../support/test-uas';

const CALLED = '+15550002022';

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  for (let i = 0; i < ms / 20; i++) {
    if (check()) return;
    await delay(20);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/**
 * What a ringing call keeps, read from a heap snapshot of this process: a server holds tens of
 * thousands of ringing calls, and the caller's whole INVITE text kept by any one of its parts (a slice
 * of it as a table key, say) is most of what a call costs.
 */
describe('what a ringing call keeps (heap snapshot)', function () {
  this.timeout(60_000);
  let callee: TestUas;
  let mediaServer: TestUas;
  let caller: SipStack;
  let app: TestApp;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cmr-heap-'));
    callee = await TestUas.start({ kind: 'ring-forever' });
    mediaServer = await TestUas.start({ kind: 'answer', ringMs: 0 });
    app = await startTestApp({
      b2bua: { nextHop: `sip:127.0.0.1:${callee.port('udp')}` },
      media: { server: `sip:127.0.0.1:${mediaServer.port('udp')}` },
    });
    await app.store.putResource({
      id: 'heap-tone',
      title: 'Heap',
      artist: 'Tests',
      provider: null,
      mediaUri: 'file:///tones/heap.wav',
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
      defaultPlaylist: { order: 'sequential', resourceIds: ['heap-tone'] },
    });
    caller = await SipStack.start({ config: testConfig().sip, logger: testLogger(), clock: systemClock, delegate: {} });
  });
  after(async () => {
    await caller?.close();
    await app?.stop();
    await callee?.stop();
    await mediaServer?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** An INVITE whose User-Agent (a header the B2BUA neither relays nor reads) is `marker`; not kept here. */
  async function call(marker: string): Promise<OutgoingInvite> {
    const invite = caller.ua.createRequest({
      method: 'INVITE',
      uri: `sip:${CALLED}@127.0.0.1:${app.sipPort('udp')}`,
      from: 'sip:+15550002021@127.0.0.1',
      to: `sip:${CALLED}@127.0.0.1`,
      body: TEST_SDP,
      contentType: 'application/sdp',
    });
    invite.headers.set('User-Agent', marker);
    return caller.ua.invite(invite);
  }

  it("keeps none of the caller's INVITE text once the caller hears the CMR media", async () => {
    const marker = `heap-marker-${randomBytes(8).toString('hex')}`;
    const outgoing = await call(marker);
    const heard: number[] = [];
    outgoing.onProvisional = (response) => heard.push(response.status);
    await until(() => heard.includes(183), 'the 183 with the CMR media');
    await until(() => callee.events.includes('invite'), 'the B-leg to ring');
    const file = writeHeapSnapshot(join(dir, 'ringing.heapsnapshot'));
    const { strings } = await readHeapSnapshot(file);
    assert.ok(strings.some((s) => s.includes(CALLED)), 'the snapshot holds the call');
    // The marker alone is this test's own string; a longer one holding it is a message's text.
    assert.deepEqual(
      strings.filter((s) => s.includes(marker) && s !== marker).map((s) => s.slice(0, 60)),
      [],
      "a string holding the caller's INVITE text is still alive",
    );
    outgoing.cancel();
    const { response } = await outgoing.result;
    assert.equal(response.status, 487);
    await until(() => app.calls.activeCount === 0, 'the call to end');
  });
});

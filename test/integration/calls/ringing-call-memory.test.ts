import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { readHeapSnapshot } from '../../../bench/profile/heap-snapshot-summary';
import type { OutgoingInvite } from '../../../src/sip/ua/outgoing-invite';
import { startInProcessCallRig, type InProcessCallRig } from '../../support/in-process-call';
import { TEST_SDP } from '../../support/test-uas';
import { until } from '../../support/until';

const CALLED = '+15550002022';

/**
 * What a ringing call keeps, read from a heap snapshot of this process: a server holds tens of
 * thousands of ringing calls, and the caller's whole INVITE text kept by any one of its parts (a slice
 * of it as a table key, say) is most of what a call costs.
 */
describe('what a ringing call keeps (heap snapshot)', function () {
  this.timeout(60_000);
  let rig: InProcessCallRig;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cmr-heap-'));
    rig = await startInProcessCallRig({
      callee: { kind: 'ring-forever' },
      mediaServer: { kind: 'answer', ringMs: 0 },
      called: CALLED,
      resourceId: 'heap-tone',
    });
  });
  after(async () => {
    await rig?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** An INVITE whose User-Agent (a header the B2BUA neither relays nor reads) is `marker`; not kept here. */
  async function call(marker: string): Promise<OutgoingInvite> {
    const { caller, app } = rig;
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
    await until(() => rig.callee.events.includes('invite'), 'the B-leg to ring');
    const file = writeHeapSnapshot(join(dir, 'ringing.heapsnapshot'));
    const { strings } = await readHeapSnapshot(file);
    assert.ok(
      strings.some((s) => s.includes(CALLED)),
      'the snapshot holds the call',
    );
    // The marker alone is this test's own string; a longer one holding it is a message's text.
    assert.deepEqual(
      strings.filter((s) => s.includes(marker) && s !== marker).map((s) => s.slice(0, 60)),
      [],
      "a string holding the caller's INVITE text is still alive",
    );
    outgoing.cancel();
    const { response } = await outgoing.result;
    assert.equal(response.status, 487);
    await until(() => rig.app.calls.activeCount === 0, 'the call to end');
  });
});

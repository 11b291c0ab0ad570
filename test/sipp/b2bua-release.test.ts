import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { heapGroups, readHeapSnapshot } from '../../bench/profile/heap-snapshot-summary';
import { skipWithoutSipp } from '../support/sipp';
import { aResource, assertAllSucceeded, B2buaRig, CMR_CALLED, provisionCmr, until } from './b2bua-call-rig';

const CALLS = 20;

describe('B2BUA: what an ended call leaves while its transactions linger, with SIPp over UDP', function () {
  this.timeout(120_000);
  let rig: B2buaRig | null = null;

  before(skipWithoutSipp('the B2BUA release test'));
  after(async () => {
    await rig?.stop();
  });

  it('keeps no call session, INVITE, dialog or parsed response once its call has ended, though its transactions linger 64*T1', async () => {
    rig = await B2buaRig.start({
      transport: 'udp',
      callee: { scenario: 'uas-answer-200.xml', options: { pauseMs: 100, calls: CALLS + 1, timeoutMs: 60_000 } },
      mediaServer: { scenario: 'uas-media-server-200.xml', options: { calls: CALLS + 1, timeoutMs: 60_000 } },
      app: { b2bua: { lingerSeconds: 1 } },
    });
    const app = rig.app;
    await provisionCmr(app, CMR_CALLED, [aResource('tone-a'), aResource('tone-b')]);
    // Counted against what the process held before the calls: earlier suites in the same mocha
    // process may still reach their own objects (a describe block's variables live as long as mocha).
    const before = await countObjects('before');
    assertAllSucceeded({ calls: await rig.call('uac-cmr-call-update-200.xml', { calls: CALLS, rate: 20 }) });
    await until(() => app.calls.size === 0, 'every ended call to leave the registry', 20_000);
    // Timer L and M (RFC 6026) keep each INVITE transaction 32 s, Timer J each BYE's.
    assert.ok(app.sip.transactions.activeServerTransactions >= CALLS, 'the server transactions still linger');
    assert.ok(app.sip.transactions.activeClientTransactions >= CALLS, 'the client transactions still linger');

    const after = await countObjects('after');
    const count = (what: string) => (after.get(what) ?? 0) - (before.get(what) ?? 0);
    assert.ok(
      count('CallSession') <= 0,
      `no session is kept by the handlers of a lingering INVITE (${count('CallSession')} more than before)`,
    );
    assert.ok(
      count('AnnouncementPlayer') <= 0,
      `AnnouncementPlayer kept (${count('AnnouncementPlayer')} more than before)`,
    );
    // What a lingering transaction needs is a few strings and the bytes of one response, or nothing.
    assert.ok(
      count('IncomingInvite') <= 0,
      `an answered INVITE is not kept for CANCEL (${count('IncomingInvite')} more than before)`,
    );
    assert.ok(
      count('OutgoingInvite') <= 0,
      `an answered INVITE is not kept by its transaction (${count('OutgoingInvite')} more than before)`,
    );
    assert.ok(count('Dialog') <= 0, `no dialog is kept once ended (${count('Dialog')} more than before)`);
    assert.ok(count('SipResponse') < CALLS, `no parsed response per call (${count('SipResponse')})`);
    // Of the B and media legs' INVITEs, a fork template (From, To, Call-ID, CSeq, Request-URI) stays
    // 64*T1 for another fork's 2xx (RFC 3261 §13.2.2.4, RFC 6026); their ACKs stay as the bytes sent, for
    // a retransmitted 2xx (80 requests for 20 calls when the ACKs were kept as requests).
    const requests = count('SipRequest');
    assert.ok(requests <= 2 * CALLS + 5, `two fork templates per call, no other request (${requests})`);
  });
});

/** Objects on this process's heap by constructor, from a heap snapshot. */
async function countObjects(label: string): Promise<Map<string, number>> {
  const file = join(tmpdir(), `cmr-release-${process.pid}-${label}.heapsnapshot`);
  writeHeapSnapshot(file);
  try {
    const groups = heapGroups(await readHeapSnapshot(file), 1_000_000);
    return new Map(groups.map((g) => [g.what, g.count]));
  } finally {
    if (!process.env.KEEP_SNAPSHOT) await rm(file, { force: true });
  }
}

import assert from 'node:assert/strict';
import { isSippInstalled, skipWithoutSipp } from '../support/sipp';
import { CopyRig, responsesTo, resultOutcomes, TONE, tracedMessages } from './copy-call-rig';

/**
 * Consent before money and one charge per copy, on the wire: an offer answered with another key or
 * left to lapse charges nothing; two presses and a retransmitted request charge once.
 */
for (const transport of ['udp', 'tcp'] as const) {
  describe(`online copy consent and repeats with SIPp over ${transport.toUpperCase()}`, function () {
    this.timeout(40_000);
    let rig: CopyRig | null = null;

    before(skipWithoutSipp('the copy SIPp tests'));
    afterEach(async () => {
      await rig?.stop();
      rig = null;
    });

    it('cancels the offer when the caller presses another key than 1: no charge, no copy, no record', async () => {
      rig = await CopyRig.start({ transport });
      const caller = await rig.call('uac-cmr-copy-key-other-200.xml');
      await rig.assertCallSucceeded(caller);
      assert.deepEqual(resultOutcomes(caller.messageTrace), ['offer:offered', 'cancelled:declined']);
      assert.match(caller.actionLog, /result: [^\n]*cancelled\. Nothing was charged\./);
      assert.equal(rig.charges().length, 0);
      assert.deepEqual(await rig.library(), []);
      assert.deepEqual(await rig.copies(), [], 'a withdrawn offer is no copy attempt');
      assert.equal(rig.portal.requests.length, 0);
    });

    it('withdraws an unanswered offer after copy.consentTimeoutMs with a word to the caller; a late 1 charges nothing', async () => {
      rig = await CopyRig.start({ transport, copy: { consentTimeoutMs: 1000 } });
      const caller = await rig.call('uac-cmr-copy-key-lapsed-200.xml');
      await rig.assertCallSucceeded(caller);
      assert.deepEqual(resultOutcomes(caller.messageTrace), ['offer:offered', 'cancelled:lapsed']);
      assert.match(caller.actionLog, /lapsed: No confirmation: copy of "Copy Tone" cancelled\. Nothing was charged\./);
      assert.equal(responsesTo(caller.messageTrace, '3 INFO', 200), 1, 'the late key is answered 200');
      assert.equal(rig.charges().length, 0);
      assert.deepEqual(await rig.library(), []);
      assert.deepEqual(await rig.copies(), []);
    });

    it('charges once when the caller presses * twice in single-key mode, and answers both presses with the result', async () => {
      rig = await CopyRig.start({ transport, copy: { requireConfirmation: false } });
      const caller = await rig.call('uac-cmr-copy-key-twice-200.xml');
      await rig.assertCallSucceeded(caller);
      assert.equal(responsesTo(caller.messageTrace, '2 INFO', 200), 1);
      assert.equal(responsesTo(caller.messageTrace, '3 INFO', 200), 1);
      assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:copied', 'result:copied']);
      assert.equal(rig.charges().length, 1, 'one debit for two presses');
      assert.deepEqual(await rig.library(), [TONE.id]);
      assert.equal((await rig.portalRecords(1)).length, 1);
      assert.deepEqual(
        (await rig.copies()).map((c) => c.outcome),
        ['copied'],
      );
    });
  });
}

describe('online copy of a retransmitted request with SIPp over UDP', function () {
  this.timeout(40_000);
  let rig: CopyRig | null = null;

  before(async function () {
    if (!(await isSippInstalled())) this.skip();
  });
  afterEach(async () => {
    await rig?.stop();
    rig = null;
  });

  it('charges once and sends one result when the copy INFO is retransmitted (same branch and CSeq), re-answering it 200', async () => {
    rig = await CopyRig.start({ transport: 'udp' });
    const caller = await rig.call('uac-cmr-copy-info-retransmit-200.xml');
    await rig.assertCallSucceeded(caller);
    const infos = tracedMessages(caller.messageTrace, 'sent').filter((m) => m.startsWith('INFO '));
    assert.equal(infos.length, 2, 'SIPp sent the INFO twice');
    const branches = infos.map((m) => /branch=([^;\s]+)/.exec(m)?.[1]);
    assert.equal(branches[0], branches[1], 'with the same branch');
    assert.equal(
      responsesTo(caller.messageTrace, '2 INFO', 200),
      2,
      'the retransmission is answered with the same 200',
    );
    assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:copied'], 'one result MESSAGE');
    assert.equal(rig.charges().length, 1, 'one debit');
    assert.deepEqual(await rig.library(), [TONE.id]);
    assert.equal((await rig.portalRecords(1)).length, 1);
    assert.equal((await rig.copies()).length, 1, 'one copy record');
  });
});

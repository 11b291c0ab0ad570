import assert from 'node:assert/strict';
import { isSippInstalled, skipWithoutSipp } from '../support/sipp';
import { CALLER, CopyRig, OWNER, resultOutcomes, TONE } from './copy-call-rig';

/**
 * Each way a caller asks for a copy, on the wire with SIPp as caller, called party and media server:
 * SIPp checks the SIP (answers, the offer and result MESSAGEs on the early dialog), the test checks
 * the side effects: one debit at the CHF, the tone in the caller's library (HTTP API), one record at
 * the portal.
 */
for (const transport of ['udp', 'tcp'] as const) {
  describe(`online copy triggers with SIPp as caller, callee and media server over ${transport.toUpperCase()}`, function () {
    this.timeout(40_000);
    let rig: CopyRig | null = null;

    before(skipWithoutSipp('the copy SIPp tests'));
    afterEach(async () => {
      await rig?.stop();
      rig = null;
    });

    /** One debit of the tone's price, the tone in the library, one copy record at the portal. */
    async function assertCopiedOnce(r: CopyRig, trigger: string): Promise<void> {
      const charges = r.charges();
      assert.equal(charges.length, 1, 'one debit at the CHF');
      assert.deepEqual([charges[0]!.amountMinor, charges[0]!.currency], [150, 'USD']);
      assert.deepEqual(await r.library(), [TONE.id], "the tone is in the caller's library");
      const records = await r.portalRecords(1);
      assert.equal(records.length, 1, 'one record at the portal');
      assert.equal(records[0]!.requester, CALLER);
      assert.equal(records[0]!.owner, OWNER);
      assert.equal(records[0]!.resourceId, TONE.id);
      assert.equal(records[0]!.outcome, 'copied');
      assert.equal(records[0]!.chargeReference, charges[0]!.reference);
      assert.deepEqual(
        (await r.copies()).map((c) => [c.trigger, c.outcome]),
        [[trigger, 'copied']],
      );
    }

    it('offers the copy on *, and on 1 charges once, adds the tone to the library and delivers one record', async () => {
      rig = await CopyRig.start({ transport });
      const caller = await rig.call('uac-cmr-copy-key-confirm-200.xml');
      await rig.assertCallSucceeded(caller);
      assert.deepEqual(resultOutcomes(caller.messageTrace), ['offer:offered', 'result:copied']);
      assert.match(caller.actionLog, /offer: Copy "Copy Tone" for 1\.50 USD\? Press 1 to confirm\./);
      await assertCopiedOnce(rig, 'dtmf');
    });

    it('takes the same two key presses under the infoDtmf Info Package', async () => {
      rig = await CopyRig.start({ transport });
      const caller = await rig.call('uac-cmr-copy-info-dtmf-package-200.xml');
      await rig.assertCallSucceeded(caller);
      assert.deepEqual(resultOutcomes(caller.messageTrace), ['offer:offered', 'result:copied']);
      await assertCopiedOnce(rig, 'dtmf');
    });

    it('copies in one step on an INFO of the cmr-copy Info Package with consent, answered 200 on receipt', async () => {
      rig = await CopyRig.start({ transport });
      const caller = await rig.call('uac-cmr-copy-info-package-200.xml');
      await rig.assertCallSucceeded(caller);
      assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:copied']);
      await assertCopiedOnce(rig, 'info');
    });

    it('answers a copy MESSAGE in the early dialog with 200 once copied, then sends the result MESSAGE', async () => {
      rig = await CopyRig.start({ transport });
      const caller = await rig.call('uac-cmr-copy-message-200.xml');
      await rig.assertCallSucceeded(caller);
      assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:copied']);
      await assertCopiedOnce(rig, 'message');
    });

    it("copies for the caller's client app outside the call (Target-Dialog) and tells the caller in the call", async () => {
      rig = await CopyRig.start({ transport });
      const running = await rig.startCall('uac-cmr-copy-notified-200.xml');
      const dialog = await rig.callerDialog();
      const client = await rig.send('uac-cmr-copy-target-dialog-200.xml', {
        globals: { td_call_id: dialog.callId, td_local_tag: dialog.localTag, td_remote_tag: dialog.remoteTag },
      });
      const caller = await running.result;
      await rig.assertCallSucceeded(caller);
      assert.equal(client.exitCode, 0, `the client's MESSAGE was answered 200: ${client.errorTrace.slice(0, 400)}`);
      assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:copied']);
      await assertCopiedOnce(rig, 'message');
    });
  });
}

describe('online copy slower than copy.responseBudgetMs with SIPp over UDP', function () {
  this.timeout(40_000);
  let rig: CopyRig | null = null;

  before(async function () {
    if (!(await isSippInstalled())) this.skip();
  });
  afterEach(async () => {
    await rig?.stop();
    rig = null;
  });

  it('answers a copy MESSAGE 202 within the budget when charging is slow, and tells the outcome in the result MESSAGE', async () => {
    rig = await CopyRig.start({ transport: 'udp', copy: { responseBudgetMs: 200 } });
    rig.chf.delayMs = 700;
    const caller = await rig.call('uac-cmr-copy-message-202.xml');
    await rig.assertCallSucceeded(caller);
    assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:copied']);
    assert.equal(rig.charges().length, 1);
    assert.deepEqual(await rig.library(), [TONE.id]);
    assert.equal((await rig.portalRecords(1)).length, 1);
  });
});

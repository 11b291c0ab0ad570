import assert from 'node:assert/strict';
import type { PrivacySettings } from '../../src/cmr/model';
import { skipWithoutSipp } from '../support/sipp';
import { aSubscriber } from './b2bua-call-rig';
import { CALLER, CopyRig, OWNER, responsesTo, resultOutcomes, STRANGER, TONE, tracedMessages } from './copy-call-rig';

/**
 * Every refusal of a copy, on the wire over UDP: SIPp checks the final response and the result
 * MESSAGE, the test that no money moved, nothing was copied and nothing reached the portal.
 */
describe('online copy refusals with SIPp as caller, callee and media server over UDP', function () {
  this.timeout(40_000);
  let rig: CopyRig | null = null;

  before(skipWithoutSipp('the copy SIPp tests'));
  afterEach(async () => {
    await rig?.stop();
    rig = null;
  });

  async function withOwnerPrivacy(r: CopyRig, privacy: PrivacySettings): Promise<void> {
    await r.rig.app.store.putSubscriber(aSubscriber(OWNER, { privacy }));
  }

  /** No debit, an empty library, nothing at the portal. */
  async function assertNothingMoved(r: CopyRig): Promise<void> {
    assert.equal(r.charges().length, 0, 'no debit');
    assert.deepEqual(await r.library(), [], 'nothing copied');
    assert.equal(r.portal.requests.length, 0, 'nothing sent to the portal');
  }

  for (const [rule, privacy] of [
    ['lets nobody copy', { copy: 'nobody', contacts: [], overrides: [] }],
    [
      'lets only contacts copy and the caller is not one',
      { copy: 'contacts', contacts: ['+15550002099'], overrides: [] },
    ],
  ] as const) {
    it(`refuses with 403 when the owner ${rule}, and records the refusal`, async () => {
      rig = await CopyRig.start({ transport: 'udp' });
      await withOwnerPrivacy(rig, { ...privacy, contacts: [...privacy.contacts], overrides: [] });
      const caller = await rig.call('uac-cmr-copy-message-403.xml');
      await rig.assertCallSucceeded(caller);
      assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:privacy-restricted']);
      assert.match(caller.actionLog, /refused: privacy-restricted/);
      await assertNothingMoved(rig);
      assert.deepEqual(
        (await rig.copies()).map((c) => [c.resourceId, c.outcome]),
        [[TONE.id, 'privacy-restricted']],
      );
    });
  }

  it('answers 403 to an out-of-dialog copy request naming the call from someone other than its caller', async () => {
    rig = await CopyRig.start({ transport: 'udp' });
    // The caller listens 2 s and hangs up; any MESSAGE reaching it would fail its scenario.
    const running = await rig.startCall('uac-cmr-call-cancel-487.xml', { pauseMs: 2000 });
    const dialog = await rig.callerDialog();
    const stranger = await rig.send('uac-cmr-copy-target-dialog-forged-403.xml', {
      globals: { td_call_id: dialog.callId, td_local_tag: dialog.localTag, td_remote_tag: dialog.remoteTag },
    });
    assert.equal(stranger.exitCode, 0, `the forged MESSAGE was answered 403: ${stranger.errorTrace.slice(0, 400)}`);
    assert.match(
      tracedMessages(stranger.messageTrace, 'received')[0] ?? '',
      /^SIP\/2\.0 403 Forbidden \(Not The Caller\)/,
    );
    await rig.assertCallSucceeded(await running.result);
    await assertNothingMoved(rig);
    assert.deepEqual(await rig.library(STRANGER), [], "nothing in the stranger's library either");
    assert.deepEqual(await rig.copies(STRANGER), []);
  });

  it('answers 481 to an out-of-dialog copy request naming a call that has ended', async () => {
    rig = await CopyRig.start({ transport: 'udp' });
    const running = await rig.startCall('uac-cmr-call-cancel-487.xml', { pauseMs: 300 });
    const dialog = await rig.callerDialog();
    await rig.assertCallSucceeded(await running.result);
    const client = await rig.send('uac-cmr-copy-target-dialog-481.xml', {
      globals: { td_call_id: dialog.callId, td_local_tag: dialog.localTag, td_remote_tag: dialog.remoteTag },
    });
    assert.equal(client.exitCode, 0, `answered 481: ${client.errorTrace.slice(0, 400)}`);
    await assertNothingMoved(rig);
  });

  it('answers 404 to a copy asked after the answer, past copy.graceMs, and tells the caller nothing was playing', async () => {
    rig = await CopyRig.start({
      transport: 'udp',
      callee: { scenario: 'uas-answer-200.xml', options: { pauseMs: 300 } },
      copy: { graceMs: 200 },
    });
    const caller = await rig.call('uac-cmr-copy-after-answer-404.xml', { pauseMs: 700 });
    await rig.assertCallSucceeded(caller);
    assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:nothing-presenting']);
    await assertNothingMoved(rig);
  });

  it('answers 409 to a second copy of a tone the caller already owns, without charging again', async () => {
    rig = await CopyRig.start({ transport: 'udp', calls: 2 });
    const first = await rig.call('uac-cmr-copy-message-200.xml');
    assert.equal(first.exitCode, 0, first.errorTrace.slice(0, 400));
    assert.equal(rig.charges().length, 1);
    await rig.portalRecords(1);
    const second = await rig.call('uac-cmr-copy-message-409.xml');
    await rig.assertCallSucceeded(second);
    assert.deepEqual(resultOutcomes(second.messageTrace), ['result:already-owned']);
    assert.match(second.actionLog, /refused: already-owned/);
    assert.equal(rig.charges().length, 1, 'still one debit');
    assert.deepEqual(await rig.library(), [TONE.id]);
    assert.equal(rig.portal.accepted.length, 1, 'still one record at the portal');
    assert.deepEqual(
      (await rig.copies()).map((c) => c.outcome),
      ['already-owned', 'copied'],
    );
  });

  it('answers 402 when the caller has not enough credit, and copies nothing', async () => {
    rig = await CopyRig.start({ transport: 'udp', balanceMinor: 100 });
    const caller = await rig.call('uac-cmr-copy-message-402.xml');
    await rig.assertCallSucceeded(caller);
    assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:no-credit']);
    await assertNothingMoved(rig);
    assert.equal(rig.chf.balanceOf(CALLER), 100, 'the balance is untouched');
    assert.deepEqual(
      (await rig.copies()).map((c) => c.outcome),
      ['no-credit'],
    );
  });

  it('answers 503 with Retry-After when charging is down, and neither copies nor charges', async () => {
    rig = await CopyRig.start({ transport: 'udp' });
    await rig.chf.goDown();
    const caller = await rig.call('uac-cmr-copy-message-503.xml');
    await rig.assertCallSucceeded(caller);
    assert.equal(responsesTo(caller.messageTrace, '2 MESSAGE', 503), 1);
    assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:charging-unavailable']);
    await assertNothingMoved(rig);
    assert.equal(rig.chf.ledger.length, 0);
  });

  it('copies while the portal is down, and delivers the record once the portal is back', async () => {
    rig = await CopyRig.start({ transport: 'udp' });
    await rig.portal.goDown();
    const caller = await rig.call('uac-cmr-copy-message-200.xml');
    await rig.assertCallSucceeded(caller);
    assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:copied']);
    assert.equal(rig.charges().length, 1);
    assert.deepEqual(await rig.library(), [TONE.id]);
    assert.equal(rig.portal.accepted.length, 0);
    await rig.portal.comeBack();
    const [record] = await rig.portalRecords(1, 8000);
    assert.equal(record?.resourceId, TONE.id);
    assert.equal(record?.chargeReference, rig.charges()[0]!.reference);
  });
});

import assert from 'node:assert/strict';
import { isSippInstalled } from '../support/sipp';
import { aResource } from '../support/cmr-fixtures';
import { CopyRig, OWNER, resultOutcomes } from './copy-call-rig';

/**
 * A copy asked while the second item of a playlist presents copies that item, not the first: what
 * presents is the resource the caller's media was moved to, at the instant of the request.
 */
const FIRST = aResource('first-tone', { title: 'First Tone', durationSeconds: 1 });
const SECOND = aResource('second-tone', {
  title: 'Second Tone',
  durationSeconds: 20,
  price: { amountMinor: 250, currency: 'USD' },
});

for (const transport of ['udp', 'tcp'] as const) {
  describe(`online copy within a playlist over ${transport.toUpperCase()}`, function () {
    this.timeout(40_000);
    let rig: CopyRig | null = null;

    before(async function () {
      if (!(await isSippInstalled())) this.skip();
    });
    afterEach(async () => {
      await rig?.stop();
      rig = null;
    });

    it('copies the item presenting when the request comes, and charges its price once', async () => {
      // Two media-server legs (one per item), one callee leg.
      const callee = { scenario: 'uas-no-answer.xml', options: { calls: 1 } };
      rig = await CopyRig.start({ transport, playlist: [FIRST, SECOND], calls: 2, callee });
      const caller = await rig.call('uac-cmr-copy-100rel-second-item-200.xml');
      await rig.assertCallSucceeded(caller);
      assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:copied']);
      assert.deepEqual(await rig.library(), [SECOND.id]);
      const charges = rig.charges();
      assert.deepEqual(
        charges.map((c) => [c.amountMinor, c.currency]),
        [[250, 'USD']],
      );
      const records = await rig.portalRecords(1);
      assert.deepEqual(
        records.map((r) => [r.owner, r.resourceId, r.outcome]),
        [[OWNER, SECOND.id, 'copied']],
      );
    });
  });
}

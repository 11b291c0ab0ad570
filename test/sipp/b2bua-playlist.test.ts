import assert from 'node:assert/strict';
import { isSippInstalled } from '../support/sipp';
import { aResource, assertAllSucceeded, B2buaRig, CMR_CALLED, provisionCmr, startLines, until } from './b2bua-call-rig';

/**
 * A playlist of several resources within one call: the 183 goes reliably (RFC 3262) to a caller that
 * supports 100rel, and as each item's time runs out a new media-server leg plays the next one and an
 * UPDATE in the early dialog moves the caller to it (RFC 3311). What presents, as the API shows it,
 * changes with the caller's media.
 */

interface CallView {
  id: string;
  presenting: { resourceId: string } | null;
  presentations: { resourceId: string }[];
}

/** Two items of two seconds each: the caller hears a, b, a, b... */
const PLAYLIST = [aResource('tone-a', { durationSeconds: 2 }), aResource('tone-b', { durationSeconds: 2 })];

for (const transport of ['udp', 'tcp'] as const) {
  describe(`B2BUA playlists within one call over ${transport.toUpperCase()}`, function () {
    this.timeout(40_000);
    let rig: B2buaRig | null = null;

    before(async function () {
      if (!(await isSippInstalled())) this.skip();
    });
    afterEach(async () => {
      await rig?.stop();
      rig = null;
    });

    async function presenting(): Promise<string | null> {
      const live = await rig!.get('/v1/calls');
      return (live.json as { items: CallView[] }).items[0]?.presenting?.resourceId ?? null;
    }

    async function untilPresenting(resourceId: string): Promise<void> {
      let seen: string | null = null;
      for (let i = 0; i < 300 && seen !== resourceId; i++) {
        seen = await presenting();
        if (seen !== resourceId) await new Promise((r) => setTimeout(r, 20));
      }
      const call = rig!.calls()[0];
      assert.equal(
        seen,
        resourceId,
        `the API to show ${resourceId} presenting; call: ${call?.phase} ${call?.endReason} ${call?.presentations.map((p) => p.resource.id).join()}`,
      );
    }

    it('moves a 100rel caller through the play order with UPDATE, a media-server leg per item, as GET /v1/calls shows', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-no-answer.xml' },
        mediaServer: { scenario: 'uas-media-server-200.xml', options: { calls: 3 } },
      });
      await provisionCmr(rig.app, CMR_CALLED, PLAYLIST);
      const running = await rig.startCall('uac-cmr-call-100rel-playlist-487.xml', { pauseMs: 1000 });

      await untilPresenting('tone-a');
      await untilPresenting('tone-b');
      await untilPresenting('tone-a');

      const caller = await running.result;
      const { callee, mediaServer } = await rig.farEnds();
      assertAllSucceeded({ caller, callee, mediaServer });
      const plays = startLines(mediaServer!.messageTrace, 'received').filter((l) => l.startsWith('INVITE'));
      assert.deepEqual(
        plays.map((l) => /play=file:\/\/\/var\/media\/tones\/([a-z-]+)\.wav/.exec(l)?.[1]),
        ['tone-a', 'tone-b', 'tone-a'],
      );
      const call = rig.calls()[0]!;
      assert.equal(call.endReason, 'caller cancelled');
      assert.deepEqual(
        call.presentations.map((p) => p.resource.id),
        ['tone-a', 'tone-b', 'tone-a'],
      );
      // One after the other, each starting when the one before ended.
      for (let i = 1; i < call.presentations.length; i++) {
        assert.equal(call.presentations[i]!.startedAt, call.presentations[i - 1]!.endedAt);
      }
      await rig.drained();
    });

    it('answers without SDP after the reliable 183, then moves the caller to the callee with UPDATE', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-200.xml', options: { pauseMs: 3000 } },
        mediaServer: { scenario: 'uas-media-server-200.xml', options: { calls: 2 } },
      });
      await provisionCmr(rig.app, CMR_CALLED, PLAYLIST);
      const caller = await rig.call('uac-cmr-call-100rel-update-200.xml', { pauseMs: 200 });
      const { callee, mediaServer } = await rig.farEnds();
      assertAllSucceeded({ caller, callee, mediaServer });
      const call = rig.calls()[0]!;
      assert.deepEqual(
        call.presentations.map((p) => p.resource.id),
        ['tone-a', 'tone-b'],
      );
      assert.equal(call.presentations[1]!.endedAt, call.answeredAt);
      await until(() => rig!.app.calls.activeCount === 0, 'the call to end');
      await rig.drained();
    });

    it('loops the first item for a caller without 100rel', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-200.xml', options: { pauseMs: 2500 } },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      await provisionCmr(rig.app, CMR_CALLED, PLAYLIST);
      const caller = await rig.call('uac-cmr-call-update-200.xml', { pauseMs: 200 });
      assertAllSucceeded({ caller, ...(await rig.farEnds()) });
      assert.deepEqual(
        rig.calls()[0]!.presentations.map((p) => p.resource.id),
        ['tone-a'],
      );
      await rig.drained();
    });
  });
}

import assert from 'node:assert/strict';
import type { Call } from '../../src/calls/call';
import { skipWithoutSipp } from '../support/sipp';
import { aResource, assertAllSucceeded, B2buaRig, CMR_CALLED, provisionCmr, startLines, until } from './b2bua-call-rig';

interface CallView {
  id: string;
  phase: string;
  presenting: { resourceId: string } | null;
  presentations: { resourceId: string; endedAt: string | null }[];
}

function onlyCall(rig: B2buaRig): Call {
  const calls = rig.calls();
  assert.equal(calls.length, 1, 'one call in the registry');
  return calls[0]!;
}

for (const transport of ['udp', 'tcp'] as const) {
  describe(`B2BUA CMR calls with SIPp as caller, callee and media server over ${transport.toUpperCase()}`, function () {
    this.timeout(40_000);
    let rig: B2buaRig | null = null;

    before(skipWithoutSipp('the B2BUA SIPp tests'));
    afterEach(async () => {
      await rig?.stop();
      rig = null;
    });

    it('gives the caller the media server as early media, answers with it, then moves the caller to the callee with UPDATE', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-200.xml', options: { pauseMs: 1000 } },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const running = await rig.startCall('uac-cmr-call-update-200.xml', { pauseMs: 200 });

      await until(() => rig!.calls()[0]?.phase === 'early-media', 'the call to present CMR media');
      const live = await rig.get('/v1/calls');
      const items = (live.json as { items: CallView[] }).items;
      assert.equal(items.length, 1);
      assert.equal(items[0]!.phase, 'early-media');
      assert.equal(items[0]!.presenting?.resourceId, 'tone-a');

      const caller = await running.result;
      const { callee, mediaServer } = await rig.farEnds();
      assertAllSucceeded({ caller, callee, mediaServer });
      assert.deepEqual(startLines(mediaServer!.messageTrace, 'received').map(method), ['INVITE', 'ACK', 'BYE']);
      assert.match(
        mediaServer!.messageTrace,
        /INVITE sip:annc@127\.0\.0\.1:\d+[^ ]*;play=file:\/\/\/var\/media\/tones\/tone-a\.wav;repeat=forever SIP\/2\.0/,
      );
      const call = onlyCall(rig);
      assert.equal(call.phase, 'ended');
      assert.equal(call.endReason, 'caller remote BYE');
      assert.deepEqual(
        call.presentations.map((p) => p.resource.id),
        ['tone-a'],
      );
      assert.ok(call.answeredAt !== null && call.presentations[0]!.endedAt === call.answeredAt);
      await rig.drained();
    });

    it('sends the re-targeting UPDATE again when the caller answers 491 (glare, RFC 3261 §14.1)', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-200.xml', options: { pauseMs: 500 } },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-cmr-call-update-glare-491.xml', { pauseMs: 200 });
      assertAllSucceeded({ caller, ...(await rig.farEnds()) });
      assert.equal(onlyCall(rig).endReason, 'caller remote BYE');
      await rig.drained();
    });

    it('tells the callee by UPDATE when the caller answers the re-targeting from a new media port', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-update-200.xml', options: { pauseMs: 500 } },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-cmr-call-update-moved-200.xml', { pauseMs: 300 });
      const { callee, mediaServer } = await rig.farEnds();
      assertAllSucceeded({ caller, callee, mediaServer });
      const offered = /m=audio (\d+) /.exec(caller.messageTrace)?.[1];
      assert.match(callee!.actionLog, new RegExp(`caller media now: m=audio ${Number(offered) + 2} `));
      await rig.drained();
    });

    it('moves a caller that does not allow UPDATE to the callee with a re-INVITE', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-200.xml', options: { pauseMs: 500 } },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-cmr-call-reinvite-200.xml', { pauseMs: 200 });
      const { callee, mediaServer } = await rig.farEnds();
      assertAllSucceeded({ caller, callee, mediaServer });
      assert.equal(onlyCall(rig).endReason, 'caller remote BYE');
      await rig.drained();
    });

    it('ends every leg when the caller cancels during CMR ringing: 487 to the caller, CANCEL to the callee, BYE to the media server', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-no-answer.xml' },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-cmr-call-cancel-487.xml', { pauseMs: 300 });
      const { callee, mediaServer } = await rig.farEnds();
      assertAllSucceeded({ caller, callee, mediaServer });
      const call = onlyCall(rig);
      assert.equal(call.endReason, 'caller cancelled');
      assert.ok(call.presentations[0]!.endedAt !== null, 'the presentation ended with the call');
      await rig.drained();
    });

    it('ends every leg when the caller hangs up during CMR ringing with a BYE on the early dialog, and answers the INVITE 487', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-no-answer.xml' },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-cmr-call-early-bye-487.xml', { pauseMs: 300 });
      const { callee, mediaServer } = await rig.farEnds();
      assertAllSucceeded({ caller, callee, mediaServer });
      assert.equal(onlyCall(rig).endReason, 'caller remote BYE');
      await rig.drained();
    });

    it('still answers the caller 487 and hangs up the callee when the callee answer crosses our CANCEL', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-cancel-crossing-200.xml' },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-cmr-call-early-bye-487.xml', { pauseMs: 300, recvTimeoutMs: 4000 });
      const { callee, mediaServer } = await rig.farEnds();
      assertAllSucceeded({ caller, callee, mediaServer });
      assert.equal(onlyCall(rig).endReason, 'caller remote BYE');
      await rig.drained();
    });

    it('answers INFO and MESSAGE the caller sends during CMR ringing without passing them to the callee, and goes on with the call', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-200.xml', options: { pauseMs: 1000 } },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-cmr-call-info-200.xml');
      const { callee, mediaServer } = await rig.farEnds();
      assertAllSucceeded({ caller, callee, mediaServer });
      assert.ok(!/INFO|MESSAGE/.test(startLines(callee!.messageTrace, 'received').join()), 'the callee saw neither');
      await rig.drained();
    });

    it('relays the callee declining after CMR ringing as 603 and hangs up the media server', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-ring-decline-603.xml', options: { pauseMs: 500 } },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-cmr-call-decline-603.xml');
      const { callee, mediaServer } = await rig.farEnds();
      assertAllSucceeded({ caller, callee, mediaServer });
      assert.equal(onlyCall(rig).endReason, 'callee 603 after CMR ringing');
      await rig.drained();
    });

    it('answers 480 when the callee rings past the no-answer time, cancels the callee and hangs up the media server', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-no-answer.xml' },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
        app: { b2bua: { noAnswerTimeoutMs: 1000 } },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-invite-no-answer-480.xml');
      const { callee, mediaServer } = await rig.farEnds();
      assertAllSucceeded({ caller, callee, mediaServer });
      assert.deepEqual(startLines(caller.messageTrace, 'received').map(status), ['183', '480']);
      assert.equal(onlyCall(rig).endReason, 'no answer');
      await rig.drained();
    });

    it('presents the next resource of a sequential playlist on the next call, as GET /v1/calls shows', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-200.xml', options: { pauseMs: 300, calls: 2 } },
        mediaServer: { scenario: 'uas-media-server-200.xml', options: { calls: 2 } },
        app: { b2bua: { lingerSeconds: 30 } },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a'), aResource('tone-b', { durationSeconds: 20 })]);
      for (let i = 0; i < 2; i++) assertAllSucceeded({ caller: await rig.call('uac-cmr-call-update-200.xml') });
      assertAllSucceeded(await rig.farEnds());

      const ended = await rig.get('/v1/calls?ended=true');
      const items = (ended.json as { items: CallView[] }).items;
      assert.deepEqual(
        items.map((c) => [c.phase, c.presentations.map((p) => p.resourceId)]),
        [
          ['ended', ['tone-a']],
          ['ended', ['tone-b']],
        ],
      );
      assert.ok(items.every((c) => c.presenting === null && c.presentations.every((p) => p.endedAt !== null)));
      const live = await rig.get('/v1/calls');
      assert.deepEqual((live.json as { items: unknown[] }).items, [], 'ended calls are not live');
    });
  });
}

function method(startLine: string): string {
  return startLine.split(' ')[0] ?? '';
}

function status(startLine: string): string {
  return startLine.split(' ')[1] ?? '';
}

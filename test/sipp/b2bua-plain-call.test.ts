import assert from 'node:assert/strict';
import { skipWithoutSipp } from '../support/sipp';
import {
  aResource,
  assertAllSucceeded,
  B2buaRig,
  CMR_CALLED,
  PLAIN_CALLED,
  provisionCmr,
  SilentPeer,
  startLines,
} from './b2bua-call-rig';

/** The one INVITE a SIPp trace holds, as text up to its blank line. */
function inviteHead(trace: string): string {
  const at = trace.indexOf('INVITE sip:');
  assert.ok(at >= 0, 'an INVITE in the trace');
  return trace.slice(at, trace.indexOf('\n\n', at));
}

function header(head: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(head)?.[1]?.trim();
}

function uriOf(nameAddr: string | undefined): string | undefined {
  return /<([^>]*)>/.exec(nameAddr ?? '')?.[1];
}

for (const transport of ['udp', 'tcp'] as const) {
  describe(`B2BUA plain calls with SIPp as caller and callee over ${transport.toUpperCase()}`, function () {
    this.timeout(40_000);
    let rig: B2buaRig | null = null;
    const silent: SilentPeer[] = [];

    before(skipWithoutSipp('the B2BUA SIPp tests'));
    afterEach(async () => {
      await rig?.stop();
      rig = null;
      await Promise.all(silent.splice(0).map((p) => p.close()));
    });

    it('passes a call from a trusted peer through untouched but for what a B2BUA must change', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-identity-kept-200.xml', options: { pauseMs: 200 } },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      const caller = await rig.call('uac-plain-call-180-200.xml', { serviceUser: PLAIN_CALLED, pauseMs: 200 });
      const { callee, mediaServer } = await rig.stopMediaServer();
      assertAllSucceeded({ caller, callee });
      assert.equal(mediaServer?.messageTrace, '', 'the media server is not involved');

      const sent = inviteHead(caller.messageTrace);
      const received = inviteHead(callee!.messageTrace);
      assert.equal(received.split('\n')[0], sent.split('\n')[0], 'same Request-URI');
      assert.equal(uriOf(header(received, 'From')), uriOf(header(sent, 'From')));
      assert.equal(uriOf(header(received, 'To')), uriOf(header(sent, 'To')));
      assert.notEqual(header(received, 'Call-ID'), header(sent, 'Call-ID'), 'a new Call-ID on the B-leg');
      assert.notEqual(
        /tag=([^;\s]+)/.exec(header(received, 'From') ?? '')?.[1],
        /tag=([^;\s]+)/.exec(header(sent, 'From') ?? '')?.[1],
      );
      assert.equal(header(received, 'P-Asserted-Identity'), header(sent, 'P-Asserted-Identity'));
      assert.equal(header(received, 'P-Charging-Vector'), header(sent, 'P-Charging-Vector'));
      assert.equal(header(received, 'Subject'), 'uac-plain-call-180-200');

      const call = rig.calls()[0]!;
      assert.equal(call.parties.caller, '+15550002001');
      assert.equal(call.parties.called, PLAIN_CALLED);
      assert.ok(call.icid?.startsWith('cmr-icid-'), `icid ${call.icid}`);
      assert.deepEqual(call.presentations, []);
      assert.equal(call.endReason, 'caller remote BYE');
      await rig.drained();
    });

    it('strips P-Asserted-Identity from a call that comes from an untrusted peer', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-identity-stripped-200.xml', options: { pauseMs: 200 } },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
        app: { b2bua: { trustedPeers: [] } },
      });
      const caller = await rig.call('uac-plain-call-180-200.xml', { serviceUser: PLAIN_CALLED });
      const { callee } = await rig.stopMediaServer();
      assertAllSucceeded({ caller, callee });
      const call = rig.calls()[0]!;
      assert.equal(call.parties.callerUri.startsWith('sip:+15550002001@127.0.0.1:'), true, call.parties.callerUri);
      await rig.drained();
    });

    it('relays the callee hanging up as a BYE to the caller', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-bye-200.xml', options: { pauseMs: 200 } },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      const caller = await rig.call('uac-invite-remote-bye-200.xml', { serviceUser: PLAIN_CALLED });
      const { callee } = await rig.stopMediaServer();
      assertAllSucceeded({ caller, callee });
      assert.equal(rig.calls()[0]!.endReason, 'callee remote BYE');
      await rig.drained();
    });

    it('holds the BYE for the caller until its ACK when the callee hangs up first (RFC 3261 §15)', async function () {
      if (transport === 'tcp') this.skip(); // the scenario needs SIPp to absorb 2xx retransmissions
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-bye-200.xml', options: { pauseMs: 200 } },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      const caller = await rig.call('uac-invite-late-ack-remote-bye-200.xml', { serviceUser: PLAIN_CALLED });
      const { callee } = await rig.stopMediaServer();
      assertAllSucceeded({ caller, callee });
      assert.equal(rig.calls()[0]!.endReason, 'callee remote BYE');
      await rig.drained();
    });

    it('relays INFO, UPDATE and re-INVITE from the caller to the callee in a confirmed call, and the answers back', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-in-dialog-relay-200.xml', options: { pauseMs: 200 } },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      const caller = await rig.call('uac-invite-in-dialog-relay-200.xml', { serviceUser: PLAIN_CALLED });
      const { callee } = await rig.stopMediaServer();
      assertAllSucceeded({ caller, callee });
      assert.equal(rig.calls()[0]!.endReason, 'caller remote BYE');
      await rig.drained();
    });

    it('relays a busy callee as 486 to the caller', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-busy-486.xml' },
        mediaServer: { scenario: 'uas-media-server-200.xml' },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-invite-busy-486.xml');
      const { callee } = await rig.stopMediaServer();
      assertAllSucceeded({ caller, callee });
      assert.equal(rig.calls()[0]!.endReason, 'callee 486');
      await rig.drained();
    });

    it('falls back to plain ringing when the media server refuses the announcement', async () => {
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-200.xml', options: { pauseMs: 500 } },
        mediaServer: { scenario: 'uas-media-server-486.xml' },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-plain-call-180-200.xml');
      const { callee, mediaServer } = await rig.farEnds();
      assertAllSucceeded({ caller, callee, mediaServer });
      const call = rig.calls()[0]!;
      assert.deepEqual(call.presentations, [], 'nothing was presented');
      assert.equal(call.endReason, 'caller remote BYE');
      await rig.drained();
    });

    it('falls back to plain ringing when the media server never answers (Timer B)', async () => {
      const peer = await SilentPeer.start(transport);
      silent.push(peer);
      rig = await B2buaRig.start({
        transport,
        callee: { scenario: 'uas-answer-200.xml', options: { pauseMs: 2500 } },
        mediaServer: peer,
        app: { sip: { timers: { t1Ms: 25, t2Ms: 200, t4Ms: 250 } } },
      });
      await provisionCmr(rig.app, CMR_CALLED, [aResource('tone-a')]);
      const caller = await rig.call('uac-plain-call-180-200.xml');
      const { callee } = await rig.farEnds();
      assertAllSucceeded({ caller, callee });
      assert.ok(peer.invites >= 1, 'the media server was asked');
      assert.deepEqual(startLines(caller.messageTrace, 'received').slice(-3, -1), [
        'SIP/2.0 180 Ringing',
        'SIP/2.0 200 OK',
      ]);
      assert.deepEqual(rig.calls()[0]!.presentations, []);
      await rig.drained();
    });
  });
}

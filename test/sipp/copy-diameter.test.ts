import assert from 'node:assert/strict';
import { findAvps, findValue, readAvp } from '../../src/charging/diameter/avp-codec';
import { AVP } from '../../src/charging/diameter/diameter-dictionary';
import { CreditControlServer } from '../support/diameter/credit-control-server';
import { FreeDiameterRelay, freeDiameterInstallation } from '../support/diameter/freediameter';
import { isSippInstalled, type SippTransport } from '../support/sipp';
import { CALLER, CopyRig, OWNER, responsesTo, resultOutcomes, TONE, type ChargingOverrides } from './copy-call-rig';

/**
 * Online copy charged over Diameter Ro: the server's `charging.kind` is `diameter`, its one peer is
 * Debian's freeDiameterd relaying to the test credit-control server (server → relay → OCS). SIPp
 * checks the wire; the test checks the OCS ledger, the relay path (the CCR's Route-Record), the
 * caller's library and the portal. The same scenarios with the HTTP adapter are in copy-triggers and
 * copy-refusals.
 */

/** The server's Diameter identity; the relay admits `*.client.test` (acl_wl). */
const AS_NODE = { originHost: 'cmr-as.client.test', originRealm: 'client.test' };
const RELAY_REALM = 'relay.test';
const OPEN_TIMEOUT_MS = 10_000;
/** The caller's balance at the OCS (minor units): enough for TONE (1.50 USD) unless a test lowers it. */
const BALANCE = 1000;

/** The caller as the OCS keys it: the Subscription-Id-Data, E.164 digits without `+`. */
const CALLER_DIGITS = CALLER.slice(1);

/** `charging.*` for a server whose one Diameter peer is `relay`, with short test timers. */
function diameterCharging(relay: FreeDiameterRelay, ccs: CreditControlServer): ChargingOverrides {
  return {
    kind: 'diameter',
    diameter: {
      ...AS_NODE,
      peers: [`127.0.0.1:${relay.port}`],
      destinationRealm: ccs.originRealm,
      destinationHost: '',
      txMs: 1000,
      twMs: 6000,
      connectTimeoutMs: 1000,
      reconnectMinMs: 100,
      reconnectMaxMs: 1000,
    },
  };
}

for (const transport of ['udp', 'tcp'] as const satisfies readonly SippTransport[]) {
  describe(`online copy charged over Diameter through freeDiameterd with SIPp over ${transport.toUpperCase()}`, function () {
    this.timeout(40_000);
    let ccs: CreditControlServer | null = null;
    let relay: FreeDiameterRelay | null = null;
    let rig: CopyRig | null = null;
    let relays = 0;

    before(async function () {
      const installation = freeDiameterInstallation();
      if ('missing' in installation) {
        console.warn(`${installation.missing}: skipping the copy-over-Diameter SIPp tests`);
        this.skip();
      }
      if (!(await isSippInstalled())) {
        console.warn('SIPp is not installed (set CMR_SIPP_BIN): skipping the copy-over-Diameter SIPp tests');
        this.skip();
      }
      ccs = await CreditControlServer.start();
    });

    after(async () => {
      await stopRigAndRelay(); // in case a failed beforeEach left them
      await ccs?.stop();
      ccs = null;
    });

    /**
     * A fresh relay in front of the OCS, then the copy rig charging through it; returns once the
     * relay holds an open connection (CER/CEA done) from the server.
     */
    beforeEach(async () => {
      const ocs = ccs!;
      ocs.reset();
      ocs.setBalance(CALLER, BALANCE);
      relays += 1;
      relay = await FreeDiameterRelay.start({
        identity: `relay${relays}-${transport}.${RELAY_REALM}`,
        realm: RELAY_REALM,
        allowedPeers: [`*.${AS_NODE.originRealm}`],
        upstream: { identity: ocs.originHost, port: ocs.port },
      });
      await ocs.waitForPeer(relay.identity, OPEN_TIMEOUT_MS);
      rig = await CopyRig.start({ transport, charging: diameterCharging(relay, ocs) });
      // freeDiameter logs `'<old state>'\t-> 'STATE_OPEN'\t'<peer>'` once it has answered the CER.
      await relay.waitForOutput(`-> 'STATE_OPEN'\t'${AS_NODE.originHost}'`, OPEN_TIMEOUT_MS);
    });

    async function stopRigAndRelay(): Promise<void> {
      const [running, relaying] = [rig, relay];
      rig = null;
      relay = null;
      try {
        await running?.stop();
      } finally {
        await relaying?.stop();
      }
    }

    afterEach(stopRigAndRelay);

    /** No debit at the OCS or the CHF, an empty library, nothing at the portal. */
    async function assertNothingMoved(r: CopyRig, ocs: CreditControlServer): Promise<void> {
      assert.deepEqual(ocs.ledger, [], 'nothing in the OCS ledger');
      assert.equal(r.charges().length, 0, 'nothing at the HTTP CHF either');
      assert.deepEqual(await r.library(), [], 'nothing copied');
      assert.equal(r.portal.requests.length, 0, 'nothing sent to the portal');
    }

    it('offers the copy on *, and on 1 debits once at the OCS through the relay, adds the tone and delivers one record', async () => {
      const [r, ocs, via] = [rig!, ccs!, relay!];
      const caller = await r.call('uac-cmr-copy-key-confirm-200.xml');
      await r.assertCallSucceeded(caller);
      assert.deepEqual(resultOutcomes(caller.messageTrace), ['offer:offered', 'result:copied']);

      assert.deepEqual(
        ocs.ledger.map((e) => [e.kind, e.subscriber, e.amountMinor, e.currency]),
        [['debit', CALLER_DIGITS, 150, 'USD']],
        'one debit of the tone price in the OCS ledger',
      );
      assert.equal(ocs.balanceOf(CALLER), BALANCE - 150);
      assert.equal(ocs.received.length, 1, 'one CCR reached the OCS');
      const ccr = ocs.received[0]!;
      assert.equal(ccr.via, via.identity, 'over the relay connection');
      assert.equal(ccr.retransmit, false);
      assert.equal(findValue(ccr.message.avps, AVP.ORIGIN_HOST), AS_NODE.originHost);
      const routeRecords = findAvps(ccr.message.avps, AVP.ROUTE_RECORD).map((a) => readAvp(AVP.ROUTE_RECORD, a));
      assert.deepEqual(routeRecords, [AS_NODE.originHost], 'the relay recorded the hop from the server');
      assert.equal(r.charges().length, 0, 'the HTTP CHF was not used');

      assert.deepEqual(await r.library(), [TONE.id], "the tone is in the caller's library");
      const records = await r.portalRecords(1);
      assert.equal(records.length, 1, 'one record at the portal');
      assert.deepEqual(
        [records[0]!.requester, records[0]!.owner, records[0]!.resourceId, records[0]!.outcome],
        [CALLER, OWNER, TONE.id, 'copied'],
      );
      assert.ok(
        String(records[0]!.chargeReference).startsWith(ocs.ledger[0]!.sessionId),
        `the record's charge reference is the CCR's Session-Id: ${String(records[0]!.chargeReference)}`,
      );
      assert.deepEqual(
        (await r.copies()).map((c) => [c.trigger, c.outcome]),
        [['dtmf', 'copied']],
      );
    });

    it('answers a copy MESSAGE 402 when the OCS finds no credit, and copies nothing', async () => {
      const [r, ocs] = [rig!, ccs!];
      ocs.setBalance(CALLER, 100);
      const caller = await r.call('uac-cmr-copy-message-402.xml');
      await r.assertCallSucceeded(caller);
      assert.equal(responsesTo(caller.messageTrace, '2 MESSAGE', 402), 1);
      assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:no-credit']);
      assert.equal(ocs.received.length, 1, 'the CCR reached the OCS and was refused');
      assert.equal(ocs.balanceOf(CALLER), 100, 'the balance is untouched');
      await assertNothingMoved(r, ocs);
      assert.deepEqual(
        (await r.copies()).map((c) => c.outcome),
        ['no-credit'],
      );
    });

    it('answers a copy MESSAGE 503 with Retry-After when the relay is down, and neither copies nor debits', async () => {
      const [r, ocs, down] = [rig!, ccs!, relay!];
      relay = null;
      await down.stop();
      const caller = await r.call('uac-cmr-copy-message-503.xml');
      await r.assertCallSucceeded(caller);
      assert.equal(responsesTo(caller.messageTrace, '2 MESSAGE', 503), 1);
      assert.deepEqual(resultOutcomes(caller.messageTrace), ['result:charging-unavailable']);
      assert.equal(ocs.received.length, 0, 'no CCR reached the OCS');
      assert.equal(ocs.balanceOf(CALLER), BALANCE);
      await assertNothingMoved(r, ocs);
    });
  });
}

import assert from 'node:assert/strict';
import { findAvps, findValue, readAvp } from '../../../../src/charging/diameter/avp-codec';
import type {
  DiameterChargingGateway,
  DiameterChargingOptions,
} from '../../../../src/charging/diameter/diameter-charging.adapter';
import { AVP } from '../../../../src/charging/diameter/diameter-dictionary';
import type { ChargeResult } from '../../../../src/cmr/ports/charging-gateway.port';
import { CreditControlServer } from '../../../support/diameter/credit-control-server';
import { aCharge, aGateway, CLIENT_NODE, REQUESTER } from '../../../support/diameter/diameter-test-fixtures';
import { FreeDiameterRelay, freeDiameterInstallation, freePort } from '../../../support/diameter/freediameter';
import { LogLines } from '../../../unit/portal/log-lines';

/**
 * The Diameter adapter through a real Diameter agent: Debian's freeDiameterd relays between our
 * client and the test credit-control server (client → relay1 | relay2 → OCS).
 */

const RELAY_REALM = 'relay.test';
const referenceOf = (r: ChargeResult): string => (r.status === 'charged' ? r.reference : assert.fail(r.status));

describe('Diameter charging through freeDiameter relays', function () {
  this.timeout(30_000);
  let ccs: CreditControlServer;
  let relay1: FreeDiameterRelay;
  let relay2: FreeDiameterRelay;
  let gateway: DiameterChargingGateway | null;
  let log: LogLines;

  async function startRelay(identity: string, upstreamPort: number): Promise<FreeDiameterRelay> {
    return FreeDiameterRelay.start({
      identity,
      realm: RELAY_REALM,
      allowedPeers: [`*.${CLIENT_NODE.originRealm}`],
      upstream: { identity: ccs.originHost, port: upstreamPort },
    });
  }

  /** A gateway towards `relays` (primary first) once every connection to them is open. */
  async function openGateway(
    relays: FreeDiameterRelay[],
    over: Partial<DiameterChargingOptions> = {},
  ): Promise<DiameterChargingGateway> {
    const open = new Set<string>();
    let wake: () => void = () => undefined;
    const built = aGateway(
      relays.map((r) => ({ host: '127.0.0.1', port: r.port })),
      log,
      {
        onPeerStateChange: (peer, state) => {
          if (state === 'open') open.add(peer);
          else open.delete(peer);
          wake();
        },
        ...over,
      },
    );
    gateway = built;
    built.start();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`relays not open: ${JSON.stringify(built.peerStates())}`)),
        10_000,
      );
      wake = () => {
        if (open.size < relays.length) return;
        clearTimeout(timer);
        resolve();
      };
    });
    return built;
  }

  before(async function () {
    const installation = freeDiameterInstallation();
    if ('missing' in installation) {
      console.log(`      skipped: ${installation.missing}`);
      this.skip();
    }
    ccs = await CreditControlServer.start();
    relay1 = await startRelay('relay1.relay.test', ccs.port);
    relay2 = await startRelay('relay2.relay.test', ccs.port);
    await ccs.waitForPeer(relay1.identity, 10_000);
    await ccs.waitForPeer(relay2.identity, 10_000);
  });

  after(async () => {
    await relay1?.stop();
    await relay2?.stop();
    await ccs?.stop();
  });

  beforeEach(async () => {
    log = new LogLines();
    gateway = null;
    ccs.reset();
    ccs.setBalance(REQUESTER, 1000);
  });

  afterEach(async () => {
    await gateway?.close();
  });

  it('charges once through the relay, which forwards the CCR with a Route-Record and relays the answer', async () => {
    const gw = await openGateway([relay1, relay2]);
    const result = await gw.debit(aCharge({ icid: 'icid-relay-1' }));
    assert.equal(result.status, 'charged');
    assert.equal(ccs.balanceOf(REQUESTER), 801);
    assert.equal(ccs.ledger.length, 1);
    assert.equal(ccs.ledger[0]!.icid, 'icid-relay-1');
    const [received] = ccs.received;
    assert.equal(received!.via, relay1.identity);
    assert.equal(findValue(received!.message.avps, AVP.ORIGIN_HOST), CLIENT_NODE.originHost);
    const routeRecords = findAvps(received!.message.avps, AVP.ROUTE_RECORD).map((a) => readAvp(AVP.ROUTE_RECORD, a));
    assert.deepEqual(routeRecords, [CLIENT_NODE.originHost]);
  });

  it('refuses with no-credit and with unknown-user as the OCS answers through the relay', async () => {
    const gw = await openGateway([relay1]);
    ccs.setBalance(REQUESTER, 50);
    const poor = await gw.debit(aCharge());
    const unknown = await gw.debit(aCharge({ requester: '+15557777777' }));
    assert.equal(poor.status === 'refused' && poor.reason, 'no-credit');
    assert.equal(unknown.status === 'refused' && unknown.reason, 'unknown-user');
    assert.equal(ccs.ledger.length, 0);
  });

  it('refunds a debit through the relay', async () => {
    const gw = await openGateway([relay1]);
    const charge = aCharge();
    const debit = await gw.debit(charge);
    const refund = await gw.refund(charge, referenceOf(debit));
    assert.equal(refund.status, 'charged');
    assert.equal(ccs.balanceOf(REQUESTER), 1000);
  });

  it('sends the CCR to the secondary relay with the T flag when the primary relay hangs past Tx, and the late original does not debit twice', async () => {
    const gw = await openGateway([relay1, relay2]);
    relay1.pause();
    try {
      const result = await gw.debit(aCharge());
      assert.equal(result.status, 'charged');
      assert.equal(ccs.received.length, 1);
      assert.equal(ccs.received[0]!.via, relay2.identity);
      assert.equal(ccs.received[0]!.retransmit, true, 'freeDiameter keeps the T flag');
    } finally {
      relay1.resume();
    }
    await ccs.waitForCcrs(2, 5000); // relay1 wakes up and forwards the original
    assert.equal(ccs.received[1]!.via, relay1.identity);
    assert.equal(ccs.duplicates, 1);
    assert.equal(ccs.ledger.length, 1);
    assert.equal(ccs.balanceOf(REQUESTER), 801);
  });

  it('sends the CCR to the secondary relay with the T flag when the primary relay dies with it in flight', async () => {
    const gw = await openGateway([relay1, relay2]);
    const pending = gw.debit(aCharge());
    const dead = relay1;
    process.kill(dead.pid, 'SIGKILL');
    const result = await pending;
    await dead.stop();
    relay1 = await startRelay('relay1.relay.test', ccs.port);
    await ccs.waitForPeer(relay1.identity, 10_000);
    assert.equal(result.status, 'charged');
    assert.equal(ccs.received.length, 1);
    assert.equal(ccs.received[0]!.via, relay2.identity);
    assert.equal(ccs.received[0]!.retransmit, true);
    assert.ok(log.at('warn').some((l) => l.message === 'charging request failing over' && l.meta['reason'] === 'lost'));
  });

  it('does not debit twice when the answer is lost and the retransmission comes through the other relay', async () => {
    const gw = await openGateway([relay1, relay2]);
    ccs.dropAnswers = 1;
    const result = await gw.debit(aCharge());
    assert.equal(result.status, 'charged');
    assert.deepEqual(
      ccs.received.map((r) => [r.via, r.retransmit]),
      [
        [relay1.identity, false],
        [relay2.identity, true],
      ],
    );
    assert.equal(ccs.duplicates, 1);
    assert.equal(ccs.ledger.length, 1);
    assert.equal(ccs.balanceOf(REQUESTER), 801);
  });

  it('is unavailable when the OCS answers after Tx, and a retry of the same copy gets the first answer', async () => {
    const gw = await openGateway([relay1]);
    ccs.primary.answerDelayMs = 1000;
    const charge = aCharge();
    const slow = await gw.debit(charge);
    assert.equal(slow.status, 'unavailable');
    assert.match(slow.status === 'unavailable' ? slow.detail : '', /primary: no answer within 500 ms/);
    ccs.primary.answerDelayMs = 0;
    const retried = await gw.debit(charge);
    assert.equal(retried.status, 'charged');
    assert.equal(ccs.ledger.length, 1);
    assert.equal(ccs.balanceOf(REQUESTER), 801);
  });

  it('fails over when a relay cannot reach the OCS and answers 3002 DIAMETER_UNABLE_TO_DELIVER', async () => {
    const stranded = await startRelay('relay3.relay.test', await freePort());
    try {
      const gw = await openGateway([stranded, relay2]);
      const result = await gw.debit(aCharge());
      assert.equal(result.status, 'charged');
      const failover = log.at('warn').find((l) => l.message === 'charging request failing over');
      assert.equal(failover?.meta['reason'], 'Result-Code 3002');
      assert.equal(ccs.received.length, 1);
      assert.equal(ccs.received[0]!.retransmit, true);
    } finally {
      await gateway?.close();
      gateway = null;
      await stranded.stop();
    }
  });
});

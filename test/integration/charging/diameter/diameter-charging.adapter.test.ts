import assert from 'node:assert/strict';
import { findAvp, findValue, readAvp } from '../../../../src/charging/diameter/avp-codec';
import { chargeSessionId } from '../../../../src/charging/diameter/credit-control-request';
import type { DiameterChargingGateway } from '../../../../src/charging/diameter/diameter-charging.adapter';
import { createDiameterChargingGateway } from '../../../../src/charging/diameter/diameter-charging.adapter';
import { DIAMETER_CHARGING_DEFAULTS } from '../../../../src/config/diameter-charging-schema';
import { AVP, RESULT } from '../../../../src/charging/diameter/diameter-dictionary';
import type { ChargeResult } from '../../../../src/cmr/ports/charging-gateway.port';
import { CreditControlServer, type CcsEndpoint } from '../../../support/diameter/credit-control-server';
import { aCharge, aGateway, CLIENT_NODE, REQUESTER } from '../../../support/diameter/diameter-test-fixtures';
import { freePort } from '../../../support/diameter/freediameter';
import { LogLines } from '../../../unit/portal/log-lines';

const at = (endpoint: CcsEndpoint) => ({ host: '127.0.0.1', port: endpoint.port });
const referenceOf = (r: ChargeResult): string => (r.status === 'charged' ? r.reference : assert.fail(r.status));

describe('Diameter charging gateway against the test credit-control server', () => {
  let ccs: CreditControlServer;
  let secondary: CcsEndpoint;
  let log: LogLines;
  let gateway: DiameterChargingGateway;

  beforeEach(async () => {
    ccs = await CreditControlServer.start();
    secondary = await ccs.addEndpoint();
    ccs.setBalance(REQUESTER, 1000);
    log = new LogLines();
    gateway = aGateway([at(ccs.primary), at(secondary)], log);
    assert.equal(await gateway.waitUntilReady(2000), true);
  });

  afterEach(async () => {
    await gateway.close();
    await ccs.stop();
  });

  it('debits the requester once and returns the Session-Id (with the Refund-Information) as reference', async () => {
    const charge = aCharge();
    const result = await gateway.debit(charge);
    assert.equal(ccs.balanceOf(REQUESTER), 801);
    assert.equal(ccs.ledger.length, 1);
    const sessionId = chargeSessionId(CLIENT_NODE.originHost, charge.idempotencyKey, 'debit');
    assert.ok(referenceOf(result).startsWith(`${sessionId}#ri=`));
    assert.equal(ccs.ledger[0]!.sessionId, sessionId);
  });

  it('sends the ICID, the subscriber, the price and the event type the OCS needs', async () => {
    const charge = aCharge({ icid: 'icid-abc' });
    await gateway.debit(charge);
    const [entry] = ccs.ledger;
    assert.deepEqual(
      { subscriber: entry!.subscriber, amountMinor: entry!.amountMinor, currency: entry!.currency, icid: entry!.icid },
      { subscriber: '15550001002', amountMinor: 199, currency: 'USD', icid: 'icid-abc' },
    );
    const [received] = ccs.received;
    assert.equal(received!.via, CLIENT_NODE.originHost);
    assert.equal(findValue(received!.message.avps, AVP.CC_REQUEST_TYPE), 4);
    assert.equal(findValue(received!.message.avps, AVP.REQUESTED_ACTION), 0);
    assert.equal(received!.retransmit, false);
  });

  it('refuses with no-credit when the balance is short, debiting nothing', async () => {
    ccs.setBalance(REQUESTER, 100);
    const result = await gateway.debit(aCharge());
    assert.deepEqual(result, {
      status: 'refused',
      reason: 'no-credit',
      detail: 'DIAMETER_CREDIT_LIMIT_REACHED (4012)',
    });
    assert.equal(ccs.balanceOf(REQUESTER), 100);
  });

  it('refuses an unknown subscriber with unknown-user (5030)', async () => {
    const result = await gateway.debit(aCharge({ requester: '+15559999999' }));
    assert.equal(result.status === 'refused' && result.reason, 'unknown-user');
  });

  it('refuses a barred subscriber (5003) and one denied the service (4010)', async () => {
    ccs.setBalance(REQUESTER, 1000, 'barred');
    const barred = await gateway.debit(aCharge());
    ccs.setBalance(REQUESTER, 1000, 'denied');
    const denied = await gateway.debit(aCharge());
    assert.equal(barred.status === 'refused' && barred.reason, 'barred');
    assert.equal(denied.status === 'refused' && denied.reason, 'denied');
    assert.equal(ccs.ledger.length, 0);
  });

  it('identifies a SIP URI requester by END_USER_SIP_URI', async () => {
    ccs.setBalance('sip:bob@example.com', 500);
    const result = await gateway.debit(aCharge({ requester: 'sip:bob@example.com' }));
    assert.equal(result.status, 'charged');
    assert.equal(ccs.balanceOf('sip:bob@example.com'), 301);
  });

  it('never debits twice for the same copy asked twice: same Session-Id, the first answer again', async () => {
    const charge = aCharge();
    const first = await gateway.debit(charge);
    const again = await gateway.debit({ ...charge });
    assert.deepEqual(again, first);
    assert.equal(ccs.ledger.length, 1);
    assert.equal(ccs.duplicates, 1);
    assert.equal(ccs.balanceOf(REQUESTER), 801);
  });

  it('refunds a debit with REFUND_ACCOUNT, sending back its Refund-Information', async () => {
    const charge = aCharge();
    const debit = await gateway.debit(charge);
    const refund = await gateway.refund(charge, referenceOf(debit));
    assert.equal(refund.status, 'charged');
    assert.equal(ccs.balanceOf(REQUESTER), 1000);
    assert.deepEqual(
      ccs.ledger.map((e) => [e.kind, e.refundInformation]),
      [
        ['debit', 'ledger-1'],
        ['refund', 'ledger-1'],
      ],
    );
  });

  it('goes to the secondary without the T flag when the primary is down before sending', async () => {
    const down = { host: '127.0.0.1', port: await freePort() };
    const failover = aGateway([down, at(secondary)], log);
    assert.equal(await failover.waitUntilReady(2000), true);
    const result = await failover.debit(aCharge());
    await failover.close();
    assert.equal(result.status, 'charged');
    assert.equal(ccs.received.length, 1);
    assert.equal(ccs.received[0]!.retransmit, false);
  });

  it('resends to the secondary with the T flag, same Session-Id and End-to-End id, when the primary is silent past Tx', async () => {
    ccs.primary.silent = true;
    const started = Date.now();
    const result = await gateway.debit(aCharge());
    assert.equal(result.status, 'charged');
    assert.ok(Date.now() - started >= 500, 'waited Tx on the primary');
    const [first, resent] = ccs.received;
    assert.equal(first!.retransmit, false);
    assert.equal(resent!.retransmit, true);
    assert.equal(resent!.sessionId, first!.sessionId);
    assert.equal(resent!.endToEndId, first!.endToEndId);
    assert.equal(ccs.ledger.length, 1);
    assert.ok(
      log.at('warn').some((l) => l.message === 'charging request failing over' && l.meta['peer'] === 'primary'),
    );
  });

  it('does not debit twice when the answer is lost after the debit and the retransmission reaches the secondary', async () => {
    ccs.dropAnswers = 1;
    const result = await gateway.debit(aCharge());
    assert.equal(result.status, 'charged');
    assert.equal(ccs.ledger.length, 1);
    assert.equal(ccs.duplicates, 1);
    assert.equal(ccs.balanceOf(REQUESTER), 801);
    assert.deepEqual(
      ccs.received.map((r) => r.retransmit),
      [false, true],
    );
  });

  it('sets the T flag from the first transmission of a recovered charge, and the OCS answers from its first decision', async () => {
    const charge = aCharge();
    const first = await gateway.debit(charge);
    const recovered = await gateway.debit({ ...charge, retransmission: true });
    assert.deepEqual(recovered, first);
    assert.deepEqual(
      ccs.received.map((r) => r.retransmit),
      [false, true],
    );
    assert.equal(ccs.ledger.length, 1);
    assert.equal(ccs.duplicates, 1);
  });

  it('resends at once with the T flag when the primary connection drops with the CCR in flight', async () => {
    ccs.primary.silent = true;
    const pending = gateway.debit(aCharge());
    await ccs.waitForCcrs(1, 2000);
    ccs.primary.dropConnections();
    const result = await pending;
    assert.equal(result.status, 'charged');
    assert.equal(ccs.received[1]!.retransmit, true);
  });

  it('is unavailable when neither peer answers within Tx', async () => {
    ccs.primary.silent = true;
    secondary.silent = true;
    const result = await gateway.debit(aCharge());
    assert.equal(result.status, 'unavailable');
    assert.match(result.status === 'unavailable' ? result.detail : '', /primary: no answer.*secondary: no answer/);
    assert.equal(ccs.ledger.length, 0);
  });

  it('fails over on 3004 DIAMETER_TOO_BUSY and gives up at once on 5012 DIAMETER_UNABLE_TO_COMPLY', async () => {
    ccs.forcedResultCode = RESULT.TOO_BUSY;
    const busy = await gateway.debit(aCharge());
    assert.equal(busy.status, 'unavailable');
    assert.equal(ccs.received.length, 2);
    ccs.forcedResultCode = RESULT.UNABLE_TO_COMPLY;
    const broken = await gateway.debit(aCharge());
    assert.equal(broken.status, 'unavailable');
    assert.equal(ccs.received.length, 3);
  });

  it('is unavailable with no peer at all reachable, after the connect deadline', async () => {
    const closed = aGateway([{ host: '127.0.0.1', port: await freePort() }], log, { connectTimeoutMs: 200 });
    const result = await closed.debit(aCharge());
    await closed.close();
    assert.equal(result.status, 'unavailable');
    assert.match(result.status === 'unavailable' ? result.detail : '', /not sent/);
  });

  it('is unavailable for a currency it cannot express, sending nothing', async () => {
    const result = await gateway.debit(aCharge({ price: { amountMinor: 5, currency: 'XTS' } }));
    assert.equal(result.status, 'unavailable');
    assert.equal(ccs.received.length, 0);
  });

  it('answers unavailable once closed, after a DPR to each peer', async () => {
    await gateway.close();
    assert.equal((await gateway.debit(aCharge())).status, 'unavailable');
  });

  it('logs outcomes with the requester masked and no idempotency key', async () => {
    const charge = aCharge();
    await gateway.debit(charge);
    const line = log.lines.find((l) => l.message === 'charge debited');
    assert.ok(line);
    assert.equal(line.meta['requester'], '+********002');
    assert.equal(line.meta['resultCode'], 2001);
    assert.ok(!JSON.stringify(log.lines).includes('15550001002'));
    assert.ok(!JSON.stringify(log.lines).includes(charge.idempotencyKey));
  });

  it('is built and started from the configuration section by the factory', async () => {
    const built = createDiameterChargingGateway(
      { ...DIAMETER_CHARGING_DEFAULTS, peers: [`127.0.0.1:${ccs.port}`], destinationRealm: 'ocs.test' },
      log,
    );
    assert.equal(await built.waitUntilReady(2000), true);
    const result = await built.debit(aCharge());
    await built.close();
    assert.equal(result.status, 'charged');
    const service = findAvp(ccs.received[0]!.message.avps, AVP.SERVICE_INFORMATION);
    assert.ok(service && readAvp(AVP.SERVICE_INFORMATION, service).length === 1);
  });
});

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChargingGateway } from '../../../src/charging/create-charging-gateway';
import { DIAMETER_CHARGING_DEFAULTS } from '../../../src/config/diameter-charging-schema';
import { HttpChargingGateway } from '../../../src/charging/http-charging.adapter';
import { copyIdempotencyKey } from '../../../src/cmr/model';
import type { ChargeRequest } from '../../../src/cmr/ports/charging-gateway.port';
import { FakeChfServer } from '../../support/fake-chf-server';
import { LogLines } from '../../unit/portal/log-lines';

const A = '+15550001001';
const B = '+15550001002';

function aCharge(over: Partial<ChargeRequest> = {}): ChargeRequest {
  const callId = over.callId ?? `call-${Math.random().toString(16).slice(2)}@127.0.0.1`;
  const requester = over.requester ?? B;
  return {
    idempotencyKey: copyIdempotencyKey(callId, requester, 'summer-breeze'),
    requester,
    owner: A,
    resourceId: 'summer-breeze',
    title: 'Summer Breeze',
    price: { amountMinor: 199, currency: 'EUR' },
    callId,
    icid: 'icid-1234',
    requestedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('HTTP charging gateway against the test CHF', () => {
  let chf: FakeChfServer;
  let log: LogLines;
  let gateway: HttpChargingGateway;

  beforeEach(async () => {
    chf = await FakeChfServer.start();
    log = new LogLines();
    gateway = new HttpChargingGateway({ url: chf.url, timeoutMs: 500, logger: log });
    chf.setBalance(B, 1000);
  });

  afterEach(async () => {
    await gateway.close();
    await chf.close();
  });

  it('debits the requester once and returns the charging data reference', async () => {
    const result = await gateway.debit(aCharge());
    assert.equal(result.status, 'charged');
    assert.equal(chf.balanceOf(B), 801);
    assert.equal(chf.ledger.length, 1);
    assert.equal(result.status === 'charged' && result.reference, chf.ledger[0]!.reference);
  });

  it('takes the reference from the body when the CHF answers 200', async () => {
    chf.successStatus = 200;
    const result = await gateway.debit(aCharge());
    assert.deepEqual(result, { status: 'charged', reference: chf.ledger[0]!.reference });
  });

  it('sends the Nchf one-time event with the idempotency key, the ICID, the price and the Call-ID', async () => {
    const charge = aCharge();
    await gateway.debit(charge);
    const [sent] = chf.requests;
    assert.equal(sent!.path, '/nchf-convergedcharging/v3/chargingdata');
    assert.equal(sent!.headers['idempotency-key'], charge.idempotencyKey);
    assert.equal(sent!.headers['content-type'], 'application/json');
    const body = sent!.body as Record<string, unknown>;
    assert.equal(body['subscriberIdentifier'], 'msisdn-15550001002');
    assert.equal(body['oneTimeEventType'], 'IEC');
    assert.deepEqual(body['iMSChargingInformation'], {
      iMSNodeFunctionality: 'AS',
      roleOfNode: 'ORIGINATING',
      iMSChargingIdentifier: 'icid-1234',
    });
    assert.deepEqual(chf.ledger[0]!.callId, charge.callId);
    assert.deepEqual(chf.ledger[0]!.icid, 'icid-1234');
  });

  it('debits once when the same copy is charged twice, even at the same time, and answers the same both times', async () => {
    const charge = aCharge();
    const [first, second] = await Promise.all([gateway.debit(charge), gateway.debit(charge)]);
    const third = await gateway.debit(charge);
    assert.equal(first.status, 'charged');
    assert.deepEqual(second, first);
    assert.deepEqual(third, first);
    assert.equal(chf.ledger.length, 1);
    assert.equal(chf.balanceOf(B), 801);
  });

  it('is refused with no-credit when the balance is short, and nothing is debited', async () => {
    chf.setBalance(B, 100);
    const result = await gateway.debit(aCharge());
    assert.equal(result.status === 'refused' && result.reason, 'no-credit');
    assert.equal(chf.balanceOf(B), 100);
    assert.equal(chf.ledger.length, 0);
  });

  it('is refused with barred, denied or unknown-user as the CHF says', async () => {
    chf.setStanding(B, 'barred');
    const barred = await gateway.debit(aCharge());
    chf.setStanding(B, 'denied');
    const denied = await gateway.debit(aCharge());
    const unknown = await gateway.debit(aCharge({ requester: 'sip:nobody@example.com' }));
    assert.deepEqual(
      [barred, denied, unknown].map((r) => r.status === 'refused' && r.reason),
      ['barred', 'denied', 'unknown-user'],
    );
    assert.equal(chf.ledger.length, 0);
  });

  it('is unavailable when the CHF does not answer in time', async () => {
    chf.delayMs = 1000;
    const started = Date.now();
    const result = await gateway.debit(aCharge());
    assert.equal(result.status, 'unavailable');
    assert.match(result.status === 'unavailable' ? result.detail : '', /timeout/);
    assert.ok(Date.now() - started < 900, 'gave up at timeoutMs');
    await chf.idle();
    assert.equal(chf.ledger.length, 0, 'the CHF dropped the abandoned request');
  });

  it('finds a late debit again when the timed-out charge is retried with the same key', async () => {
    chf.delayMs = 700;
    chf.abandonWhenClientGone = false;
    const charge = aCharge();
    assert.equal((await gateway.debit(charge)).status, 'unavailable');
    await chf.idle();
    assert.equal(chf.ledger.length, 1, 'the slow CHF debited after all');
    chf.delayMs = 0;
    assert.deepEqual(await gateway.debit(charge), { status: 'charged', reference: chf.ledger[0]!.reference });
    assert.equal(chf.ledger.length, 1);
  });

  it('is unavailable when nothing listens at the URL', async () => {
    const refused = new HttpChargingGateway({
      url: `http://127.0.0.1:${await closedPort()}`,
      timeoutMs: 500,
      logger: log,
    });
    const result = await refused.debit(aCharge());
    await refused.close();
    assert.equal(result.status, 'unavailable');
    assert.match(result.status === 'unavailable' ? result.detail : '', /ECONNREFUSED/);
  });

  it('is unavailable when the CHF goes down, and charges again once it is back', async () => {
    await gateway.debit(aCharge());
    await chf.goDown();
    assert.equal((await gateway.debit(aCharge())).status, 'unavailable');
    await chf.comeBack();
    assert.equal((await gateway.debit(aCharge())).status, 'charged');
    assert.equal(chf.ledger.length, 2);
  });

  it('is unavailable for a 503 and for an answer that is not JSON', async () => {
    chf.failWith(503);
    assert.equal((await gateway.debit(aCharge())).status, 'unavailable');
    chf.failWith(null);
    chf.answerWith({ status: 200, body: 'this is not json' });
    assert.equal((await gateway.debit(aCharge())).status, 'unavailable');
    assert.equal(log.at('error')[0]?.message, 'charging answered success without a reference');
    assert.equal(chf.ledger.length, 0);
  });

  it('refunds a debit once under the idempotency key with :refund', async () => {
    const charge = aCharge();
    const debit = await gateway.debit(charge);
    assert.equal(debit.status, 'charged');
    const reference = debit.status === 'charged' ? debit.reference : '';
    const refund = await gateway.refund(charge, reference);
    const again = await gateway.refund(charge, reference);
    assert.deepEqual(refund, { status: 'charged', reference });
    assert.deepEqual(again, refund);
    assert.equal(chf.balanceOf(B), 1000);
    assert.deepEqual(
      chf.ledger.map((e) => e.kind),
      ['debit', 'refund'],
    );
    const release = chf.requests.at(-1)!;
    assert.equal(release.path, `/nchf-convergedcharging/v3/chargingdata/${encodeURIComponent(reference)}/release`);
    assert.equal(release.headers['idempotency-key'], `${charge.idempotencyKey}:refund`);
  });

  it('is refused when refunding a reference the CHF does not know', async () => {
    const result = await gateway.refund(aCharge(), 'no-such-ref');
    assert.equal(result.status, 'refused');
  });

  it('logs outcomes at info with the number masked', async () => {
    await gateway.debit(aCharge());
    chf.setBalance(B, 0);
    await gateway.debit(aCharge());
    const info = log.at('info');
    assert.deepEqual(
      info.map((l) => l.message),
      ['charge debited', 'charge refused'],
    );
    for (const line of info) assert.equal(line.meta['requester'], '+********002');
    assert.ok(!JSON.stringify(log.lines).includes('15550001002'), 'the full number never appears');
  });

  it('is built by the factory from the charging configuration', async () => {
    const built = createChargingGateway(
      { kind: 'http', url: chf.url, timeoutMs: 500, diameter: DIAMETER_CHARGING_DEFAULTS },
      log,
    );
    assert.equal((await built.debit(aCharge())).status, 'charged');
    await built.close();
  });
});

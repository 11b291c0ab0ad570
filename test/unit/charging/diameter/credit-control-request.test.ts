import assert from 'node:assert/strict';
import {
  decodeAvps,
  encodeAvps,
  findAvp,
  findValue,
  readAvp,
  type Avp,
} from '../../../../src/charging/diameter/avp-codec';
import {
  ccMoneyAvp,
  chargeSessionId,
  creditControlRequest,
  DEFAULT_SERVICE_CONTEXT_ID,
  subscriptionIdAvp,
} from '../../../../src/charging/diameter/credit-control-request';
import { AVP } from '../../../../src/charging/diameter/diameter-dictionary';
import { copyIdempotencyKey } from '../../../../src/cmr/model';
import type { ChargeRequest } from '../../../../src/cmr/ports/charging-gateway.port';

const CONTEXT = {
  originHost: 'cmr-as.client.test',
  originRealm: 'client.test',
  destinationRealm: 'ocs.test',
  destinationHost: '',
  serviceContextId: DEFAULT_SERVICE_CONTEXT_ID,
};

function aCharge(over: Partial<ChargeRequest> = {}): ChargeRequest {
  return {
    idempotencyKey: copyIdempotencyKey('call-1@127.0.0.1', '+15550001002', 'summer-breeze'),
    requester: '+15550001002',
    owner: '+15550001001',
    resourceId: 'summer-breeze',
    title: 'Summer Breeze',
    price: { amountMinor: 199, currency: 'USD' },
    callId: 'call-1@127.0.0.1',
    icid: 'icid-0001',
    requestedAt: '2026-01-01T10:00:00.000Z',
    ...over,
  };
}

function build(charge: ChargeRequest, purpose: 'debit' | 'refund' = 'debit', refundInformation: Buffer | null = null) {
  const built = creditControlRequest(CONTEXT, charge, {
    purpose,
    sessionId: chargeSessionId(CONTEXT.originHost, charge.idempotencyKey, purpose),
    endToEndId: 77,
    refundInformation,
  });
  assert.ok('request' in built);
  // Through the wire format, so grouped members are what a peer would decode.
  return { ...built.request, avps: decodeAvps(encodeAvps(built.request.avps)) };
}

function members(avps: readonly Avp[], ...path: (typeof AVP)[keyof typeof AVP][]): readonly Avp[] {
  let current = avps;
  for (const definition of path) {
    const found = findAvp(current, definition);
    assert.ok(found, `missing ${definition.name}`);
    current = readAvp(definition as typeof AVP.SERVICE_INFORMATION, found);
  }
  return current;
}

describe('Ro credit-control request of a copy', () => {
  describe('Session-Id', () => {
    it('has the RFC 6733 §8.8 form <origin-host>;<high>;<low>;<optional>', () => {
      const id = chargeSessionId('cmr-as.client.test', 'key-1', 'debit');
      assert.match(id, /^cmr-as\.client\.test;\d{1,10};\d{1,10};cmr-debit-[0-9a-f]{16}$/);
    });

    it('is the same for the same idempotency key, and differs by key and by purpose', () => {
      const a = chargeSessionId('h', 'key-1', 'debit');
      assert.equal(chargeSessionId('h', 'key-1', 'debit'), a);
      assert.notEqual(chargeSessionId('h', 'key-2', 'debit'), a);
      assert.notEqual(chargeSessionId('h', 'key-1', 'refund'), a);
    });

    it('does not reveal the idempotency key (which names the caller)', () => {
      assert.ok(!chargeSessionId('h', '["c","+15550001002","r"]', 'debit').includes('1555'));
    });
  });

  it('identifies a +number by its E.164 digits and anything else as a SIP URI', () => {
    const e164 = readAvp(AVP.SUBSCRIPTION_ID, subscriptionIdAvp('+15550001002'));
    assert.equal(findValue(e164, AVP.SUBSCRIPTION_ID_TYPE), 0);
    assert.equal(findValue(e164, AVP.SUBSCRIPTION_ID_DATA), '15550001002');
    const sip = readAvp(AVP.SUBSCRIPTION_ID, subscriptionIdAvp('sip:alice@example.com'));
    assert.equal(findValue(sip, AVP.SUBSCRIPTION_ID_TYPE), 2);
    assert.equal(findValue(sip, AVP.SUBSCRIPTION_ID_DATA), 'sip:alice@example.com');
  });

  it('expresses the price as CC-Money with the currency minor units as exponent and the ISO 4217 number', () => {
    const money = (amountMinor: number, currency: string) => {
      const avp = ccMoneyAvp({ amountMinor, currency });
      assert.ok(avp);
      const unit = members(readAvp(AVP.CC_MONEY, avp), AVP.UNIT_VALUE);
      return [
        findValue(unit, AVP.VALUE_DIGITS),
        findValue(unit, AVP.EXPONENT),
        findValue(readAvp(AVP.CC_MONEY, avp), AVP.CURRENCY_CODE),
      ];
    };
    assert.deepEqual(money(199, 'USD'), [199n, -2, 840]);
    assert.deepEqual(money(300, 'JPY'), [300n, 0, 392]);
    assert.deepEqual(money(1500, 'KWD'), [1500n, -3, 414]);
  });

  it('cannot express a currency outside the table or a negative amount', () => {
    assert.equal(ccMoneyAvp({ amountMinor: 1, currency: 'XXX' }), null);
    assert.equal(ccMoneyAvp({ amountMinor: -1, currency: 'EUR' }), null);
    const built = creditControlRequest(CONTEXT, aCharge({ price: { amountMinor: 1, currency: 'ZZZ' } }), {
      purpose: 'debit',
      sessionId: 's',
      endToEndId: 1,
      refundInformation: null,
    });
    assert.ok('problem' in built && built.problem.includes('ZZZ'));
  });

  it('is a proxiable CCR of application 4 with an EVENT_REQUEST, request number 0 and DIRECT_DEBITING', () => {
    const ccr = build(aCharge());
    assert.equal(ccr.commandCode, 272);
    assert.equal(ccr.applicationId, 4);
    assert.equal(ccr.request, true);
    assert.equal(ccr.proxiable, true);
    assert.equal(ccr.retransmit, false);
    assert.equal(ccr.endToEndId, 77);
    assert.equal(ccr.avps[0]?.code, 263, 'Session-Id comes first');
    assert.equal(findValue(ccr.avps, AVP.AUTH_APPLICATION_ID), 4);
    assert.equal(findValue(ccr.avps, AVP.SERVICE_CONTEXT_ID), '32260@3gpp.org');
    assert.equal(findValue(ccr.avps, AVP.CC_REQUEST_TYPE), 4);
    assert.equal(findValue(ccr.avps, AVP.CC_REQUEST_NUMBER), 0);
    assert.equal(findValue(ccr.avps, AVP.REQUESTED_ACTION), 0);
    assert.equal(findValue(ccr.avps, AVP.DESTINATION_REALM), 'ocs.test');
    assert.equal(findValue(ccr.avps, AVP.DESTINATION_HOST), undefined);
    assert.deepEqual(findValue(ccr.avps, AVP.EVENT_TIMESTAMP), new Date('2026-01-01T10:00:00.000Z'));
    assert.equal(findValue(members(ccr.avps, AVP.SUBSCRIPTION_ID), AVP.SUBSCRIPTION_ID_DATA), '15550001002');
    const unit = members(ccr.avps, AVP.REQUESTED_SERVICE_UNIT, AVP.CC_MONEY, AVP.UNIT_VALUE);
    assert.equal(findValue(unit, AVP.VALUE_DIGITS), 199n);
  });

  it('carries the ICID, the parties and the resource in Service-Information/IMS-Information', () => {
    const ims = members(build(aCharge()).avps, AVP.SERVICE_INFORMATION, AVP.IMS_INFORMATION);
    assert.equal(findValue(ims, AVP.IMS_CHARGING_IDENTIFIER), 'icid-0001');
    assert.equal(findValue(ims, AVP.NODE_FUNCTIONALITY), 6, 'AS');
    assert.equal(findValue(ims, AVP.CALLING_PARTY_ADDRESS), 'tel:+15550001002');
    assert.equal(findValue(ims, AVP.CALLED_PARTY_ADDRESS), 'tel:+15550001001');
    assert.equal(findValue(members(ims, AVP.SERVICE_SPECIFIC_INFO), AVP.SERVICE_SPECIFIC_DATA), 'summer-breeze');
    const serviceInformation = findAvp(build(aCharge()).avps, AVP.SERVICE_INFORMATION);
    assert.equal(serviceInformation?.vendorId, 10415);
  });

  it('leaves the ICID out when the call had no P-Charging-Vector', () => {
    const ims = members(build(aCharge({ icid: null })).avps, AVP.SERVICE_INFORMATION, AVP.IMS_INFORMATION);
    assert.equal(findValue(ims, AVP.IMS_CHARGING_IDENTIFIER), undefined);
  });

  it('names a Destination-Host when one is configured', () => {
    const built = creditControlRequest({ ...CONTEXT, destinationHost: 'ocs1.ocs.test' }, aCharge(), {
      purpose: 'debit',
      sessionId: 's',
      endToEndId: 1,
      refundInformation: null,
    });
    assert.ok('request' in built);
    assert.equal(findValue(built.request.avps, AVP.DESTINATION_HOST), 'ocs1.ocs.test');
  });

  it('asks for REFUND_ACCOUNT with the refund Session-Id and the debit Refund-Information', () => {
    const charge = aCharge();
    const ccr = build(charge, 'refund', Buffer.from('ledger-7'));
    assert.equal(findValue(ccr.avps, AVP.REQUESTED_ACTION), 1);
    assert.equal(
      findValue(ccr.avps, AVP.SESSION_ID),
      chargeSessionId(CONTEXT.originHost, charge.idempotencyKey, 'refund'),
    );
    assert.deepEqual(findValue(ccr.avps, AVP.REFUND_INFORMATION), Buffer.from('ledger-7'));
    assert.equal(findValue(build(charge).avps, AVP.REFUND_INFORMATION), undefined);
  });
});

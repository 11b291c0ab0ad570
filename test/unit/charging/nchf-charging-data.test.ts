import assert from 'node:assert/strict';
import type { HttpExchange } from '../../../src/http/http-json-post';
import {
  chargingDataRequest,
  interpretDebitAnswer,
  interpretRefundAnswer,
  referenceFromLocation,
  subscriberIdentifier,
} from '../../../src/charging/nchf-charging-data';
import type { ChargeRequest } from '../../../src/cmr/ports/charging-gateway.port';

const request: ChargeRequest = {
  idempotencyKey: '["call-1","+15550001002","summer-breeze"]',
  requester: '+15550001002',
  owner: '+15550001001',
  resourceId: 'summer-breeze',
  title: 'Summer Breeze',
  price: { amountMinor: 199, currency: 'EUR' },
  callId: 'call-1@127.0.0.1',
  icid: 'icid-value-1',
  requestedAt: '2026-01-01T00:00:00.000Z',
};

function response(status: number, body: unknown, headers: Record<string, string> = {}): HttpExchange {
  return {
    kind: 'response',
    status,
    headers,
    text: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

const problem = (status: number, cause: string): HttpExchange => response(status, { status, cause, title: cause });

describe('Nchf charging data', () => {
  describe('the request', () => {
    it('names a phone number as msisdn and keeps a SIP URI as it is', () => {
      assert.equal(subscriberIdentifier('+15550001002'), 'msisdn-15550001002');
      assert.equal(subscriberIdentifier('sip:alice@example.com'), 'sip:alice@example.com');
    });

    it('asks for one IEC one-time event with the ICID, the price, the resource, the owner and the Call-ID', () => {
      const body = chargingDataRequest(
        request,
        { nfName: 'cmr-copy-as', ratingGroup: 700, invocationTimeStamp: '2026-01-01T00:00:01.000Z' },
        'debit',
      );
      assert.deepEqual(body, {
        subscriberIdentifier: 'msisdn-15550001002',
        nfConsumerIdentification: { nodeFunctionality: 'AS', nFName: 'cmr-copy-as' },
        invocationTimeStamp: '2026-01-01T00:00:01.000Z',
        invocationSequenceNumber: 1,
        oneTimeEvent: true,
        oneTimeEventType: 'IEC',
        serviceSpecificationInfo: 'OMA-CMR-online-copy',
        multipleUnitUsage: [{ ratingGroup: 700, requestedUnit: { serviceSpecificUnits: 1 } }],
        iMSChargingInformation: {
          iMSNodeFunctionality: 'AS',
          roleOfNode: 'ORIGINATING',
          iMSChargingIdentifier: 'icid-value-1',
        },
        cmrCopyInformation: {
          action: 'debit',
          resourceId: 'summer-breeze',
          title: 'Summer Breeze',
          owner: '+15550001001',
          price: { amountMinor: 199, currency: 'EUR' },
          callId: 'call-1@127.0.0.1',
          requestedAt: '2026-01-01T00:00:00.000Z',
        },
      });
    });

    it('leaves the ICID out when the call had none and numbers a refund as the second invocation', () => {
      const body = chargingDataRequest(
        { ...request, icid: null },
        { nfName: 'x', ratingGroup: 1, invocationTimeStamp: 't' },
        'refund',
      );
      assert.deepEqual(body['iMSChargingInformation'], { iMSNodeFunctionality: 'AS', roleOfNode: 'ORIGINATING' });
      assert.equal(body['invocationSequenceNumber'], 2);
      assert.equal((body['cmrCopyInformation'] as { action: string }).action, 'refund');
    });
  });

  describe('the answer to a debit', () => {
    it('is charged with the reference from the Location of a 201', () => {
      const answer = response(
        201,
        { invocationSequenceNumber: 1 },
        { location: 'http://chf/nchf-convergedcharging/v3/chargingdata/cdr%2F42' },
      );
      assert.deepEqual(interpretDebitAnswer(answer), { status: 'charged', reference: 'cdr/42' });
    });

    it('is charged with the chargingDataRef of a 200 body', () => {
      assert.deepEqual(interpretDebitAnswer(response(200, { chargingDataRef: 'cdr-7' })), {
        status: 'charged',
        reference: 'cdr-7',
      });
    });

    const refusals = [
      [403, 'QUOTA_LIMIT_REACHED', 'no-credit'],
      [403, 'END_USER_REQUEST_DENIED', 'denied'],
      [403, 'USER_UNKNOWN', 'unknown-user'],
      [403, 'END_USER_SERVICE_DENIED', 'barred'],
      [403, 'CHARGING_NOT_APPLICABLE', 'denied'],
      [404, 'USER_UNKNOWN', 'unknown-user'],
    ] as const;
    for (const [status, cause, reason] of refusals) {
      it(`is refused as ${reason} for ${status} ${cause}`, () => {
        const result = interpretDebitAnswer(problem(status, cause));
        assert.equal(result.status, 'refused');
        assert.equal(result.status === 'refused' && result.reason, reason);
      });
    }

    it('is refused when a 200 carries a unit result other than SUCCESS', () => {
      const answer = response(200, {
        chargingDataRef: 'cdr-1',
        multipleUnitInformation: [{ resultCode: 'QUOTA_LIMIT_REACHED', ratingGroup: 700 }],
      });
      assert.deepEqual(interpretDebitAnswer(answer), {
        status: 'refused',
        reason: 'no-credit',
        detail: 'unit result QUOTA_LIMIT_REACHED',
      });
    });

    const unusable: [string, HttpExchange][] = [
      ['a 503', problem(503, 'SYSTEM_FAILURE')],
      ['a 500 without a body', response(500, '')],
      ['a 400', problem(400, 'MANDATORY_IE_MISSING')],
      ['a 404 that is not about the subscriber (a wrong URL)', problem(404, 'RESOURCE_NOT_FOUND')],
      ['a 404 page that is not JSON', response(404, '<html>not found</html>')],
      ['a 200 that is not JSON', response(200, '<html>oops</html>')],
      ['a 201 without Location or reference', response(201, {})],
      ['a timeout', { kind: 'failure', reason: 'timeout', detail: 'no answer within 100 ms' }],
      ['a refused connection', { kind: 'failure', reason: 'network', detail: 'ECONNREFUSED' }],
      ['an oversized answer', { kind: 'failure', reason: 'too-large', detail: 'over 65536 bytes' }],
    ];
    for (const [what, exchange] of unusable) {
      it(`is unavailable for ${what}`, () => {
        assert.equal(interpretDebitAnswer(exchange).status, 'unavailable');
      });
    }
  });

  describe('the answer to a refund', () => {
    it('is done for 204 and 200, with the debit reference', () => {
      assert.deepEqual(interpretRefundAnswer(response(204, ''), 'cdr-1'), { status: 'charged', reference: 'cdr-1' });
      assert.deepEqual(interpretRefundAnswer(response(200, {}), 'cdr-1'), { status: 'charged', reference: 'cdr-1' });
    });

    it('is refused for an unknown reference and unavailable for a 503 or a timeout', () => {
      assert.equal(interpretRefundAnswer(problem(404, 'CHARGING_DATA_REF_NOT_FOUND'), 'x').status, 'refused');
      assert.equal(interpretRefundAnswer(problem(503, 'SYSTEM_FAILURE'), 'x').status, 'unavailable');
      assert.equal(
        interpretRefundAnswer({ kind: 'failure', reason: 'timeout', detail: '' }, 'x').status,
        'unavailable',
      );
    });
  });

  it('reads the reference only from a chargingdata Location', () => {
    assert.equal(referenceFromLocation('/nchf-convergedcharging/v3/chargingdata/abc'), 'abc');
    assert.equal(referenceFromLocation('http://h/nchf-convergedcharging/v3/chargingdata/abc/'), 'abc');
    assert.equal(referenceFromLocation('http://h/elsewhere'), undefined);
    assert.equal(referenceFromLocation(undefined), undefined);
  });
});

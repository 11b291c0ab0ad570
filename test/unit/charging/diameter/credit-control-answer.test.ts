import assert from 'node:assert/strict';
import { avp, rawAvp, type Avp } from '../../../../src/charging/diameter/avp-codec';
import {
  chargeReference,
  interpretCreditControlAnswer,
  refundInformationOf,
} from '../../../../src/charging/diameter/credit-control-answer';
import { AVP } from '../../../../src/charging/diameter/diameter-dictionary';
import type { DiameterMessage } from '../../../../src/charging/diameter/diameter-message';

const SESSION = 'cmr-as.client.test;1;2;cmr-debit-00';

function cca(resultCode: number | null, extra: Avp[] = [], over: Partial<DiameterMessage> = {}): DiameterMessage {
  return {
    commandCode: 272,
    applicationId: 4,
    request: false,
    proxiable: true,
    error: resultCode !== null && resultCode >= 3000 && resultCode < 4000,
    retransmit: false,
    hopByHopId: 1,
    endToEndId: 2,
    avps: [
      avp(AVP.SESSION_ID, SESSION),
      ...(resultCode === null ? [] : [avp(AVP.RESULT_CODE, resultCode)]),
      avp(AVP.ORIGIN_HOST, 'ccs.ocs.test'),
      ...extra,
    ],
    ...over,
  };
}

describe('Ro credit-control answer mapping', () => {
  it('maps 2001 to charged with the Session-Id as reference', () => {
    const verdict = interpretCreditControlAnswer(cca(2001), SESSION);
    assert.deepEqual(verdict, { kind: 'final', resultCode: 2001, result: { status: 'charged', reference: SESSION } });
  });

  it('keeps a Refund-Information in the reference so a refund can send it back', () => {
    const verdict = interpretCreditControlAnswer(cca(2001, [avp(AVP.REFUND_INFORMATION, 'ledger-1')]), SESSION);
    assert.equal(verdict.kind, 'final');
    const result = verdict.kind === 'final' ? verdict.result : null;
    assert.equal(result?.status, 'charged');
    const reference = result?.status === 'charged' ? result.reference : '';
    assert.ok(reference.startsWith(SESSION));
    assert.deepEqual(refundInformationOf(reference), Buffer.from('ledger-1'));
    assert.equal(refundInformationOf(SESSION), null);
    assert.deepEqual(refundInformationOf(chargeReference(SESSION, Buffer.from([0, 255]))), Buffer.from([0, 255]));
  });

  const refusals: [number, string][] = [
    [4012, 'no-credit'],
    [5030, 'unknown-user'],
    [4010, 'denied'],
    [5031, 'denied'],
    [5003, 'barred'],
  ];
  for (const [code, reason] of refusals) {
    it(`maps ${code} to a refusal for ${reason}`, () => {
      const verdict = interpretCreditControlAnswer(cca(code), SESSION);
      assert.equal(verdict.kind, 'final');
      assert.equal(verdict.kind === 'final' && verdict.result.status, 'refused');
      assert.equal(verdict.kind === 'final' && verdict.result.status === 'refused' && verdict.result.reason, reason);
    });
  }

  it('maps 4011 CREDIT_CONTROL_NOT_APPLICABLE to charged (free of charge)', () => {
    const verdict = interpretCreditControlAnswer(cca(4011), SESSION);
    assert.deepEqual(verdict.kind === 'final' && verdict.result, { status: 'charged', reference: SESSION });
  });

  it('reads a 3GPP Experimental-Result-Code', () => {
    const experimental = avp(AVP.EXPERIMENTAL_RESULT, [
      avp(AVP.VENDOR_ID, 10415),
      avp(AVP.EXPERIMENTAL_RESULT_CODE, 5030),
    ]);
    const verdict = interpretCreditControlAnswer(cca(null, [experimental]), SESSION);
    assert.equal(
      verdict.kind === 'final' && verdict.result.status === 'refused' && verdict.result.reason,
      'unknown-user',
    );
  });

  for (const code of [3002, 3004, 3005, 4001]) {
    it(`fails over to the next peer on ${code}`, () => {
      assert.equal(interpretCreditControlAnswer(cca(code), SESSION).kind, 'try-next');
    });
  }

  for (const code of [5004, 5005, 5012, 2002]) {
    it(`gives up at once as unavailable on ${code}, since another peer would answer the same`, () => {
      const verdict = interpretCreditControlAnswer(cca(code), SESSION);
      assert.equal(verdict.kind === 'final' && verdict.result.status, 'unavailable');
    });
  }

  it('fails over on an answer without a result, for another session, or with a malformed Result-Code', () => {
    assert.equal(interpretCreditControlAnswer(cca(null), SESSION).kind, 'try-next');
    assert.equal(interpretCreditControlAnswer(cca(2001), 'another;1;2').kind, 'try-next');
    const broken = cca(null, [rawAvp({ code: 268, vendorId: 0, mandatory: true, data: Buffer.from([7]) })]);
    const verdict = interpretCreditControlAnswer(broken, SESSION);
    assert.equal(verdict.kind, 'try-next');
    assert.match(verdict.kind === 'try-next' ? verdict.detail : '', /malformed/);
  });
});

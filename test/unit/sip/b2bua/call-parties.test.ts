import assert from 'node:assert/strict';
import { callParties, chargingId } from '../../../../src/sip/b2bua/call-parties';
import { basicRequest, sipRequest } from '../../../support/sip-text';

function invite(extra: string[], uri = 'sip:+15550002002@as.example.com', to = '<sip:+15550002002@as.example.com>') {
  return sipRequest([
    `INVITE ${uri} SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.2:5080;branch=z9hG4bK-test-1',
    'Max-Forwards: 70',
    'From: "Alice" <sip:+15550002001@pcscf.example.com>;tag=a1',
    `To: ${to}`,
    'Call-ID: call-1@127.0.0.2',
    'CSeq: 1 INVITE',
    ...extra,
  ]);
}

describe('call parties (who calls whom, as an AS reads it)', () => {
  it('takes the caller from P-Asserted-Identity and the called party from P-Served-User of a trusted peer', () => {
    const parties = callParties(
      invite([
        'P-Asserted-Identity: <sip:+15550009999@ims.example.com>',
        'P-Served-User: <sip:+15550003003@ims.example.com>;sescase=term',
      ]),
      true,
    );
    assert.equal(parties.caller, '+15550009999');
    assert.equal(parties.called, '+15550003003');
    assert.equal(parties.callerUri, 'sip:+15550009999@ims.example.com');
  });

  it('prefers the tel: URI when P-Asserted-Identity carries a SIP and a tel: identity', () => {
    const both = callParties(invite(['P-Asserted-Identity: <sip:alice@ims.example.com>, <tel:+15550004004>']), true);
    assert.equal(both.caller, '+15550004004');
    const twoFields = callParties(
      invite(['P-Asserted-Identity: <sip:alice@ims.example.com>', 'P-Asserted-Identity: <tel:+15550004004>']),
      true,
    );
    assert.equal(twoFields.caller, '+15550004004');
  });

  it('ignores P-Asserted-Identity and P-Served-User from an untrusted peer', () => {
    const parties = callParties(
      invite(['P-Asserted-Identity: <tel:+15550009999>', 'P-Served-User: <sip:+15550003003@ims.example.com>']),
      false,
    );
    assert.equal(parties.caller, '+15550002001');
    assert.equal(parties.called, '+15550002002');
    assert.equal(parties.calledUri, 'sip:+15550002002@as.example.com');
  });

  it('falls back to From and the Request-URI when a trusted peer sends neither header', () => {
    const parties = callParties(invite([]), true);
    assert.equal(parties.caller, '+15550002001');
    assert.equal(parties.called, '+15550002002');
  });

  it('ignores an unreadable identity header as if absent', () => {
    const parties = callParties(invite(['P-Asserted-Identity: not a name-addr <<']), true);
    assert.equal(parties.caller, '+15550002001');
  });

  it('reads the called party from To when the Request-URI is not a SIP or tel URI', () => {
    const parties = callParties(invite([], 'urn:service:sos', '<tel:+15550005005>'), false);
    assert.equal(parties.called, '+15550005005');
  });

  it('has no caller identity for an anonymous caller (RFC 3323), but keeps the URI', () => {
    const request = basicRequest('INVITE', [], '', 'sip:+15550002002@as.example.com');
    request.headers.set('From', '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=x');
    const parties = callParties(request, false);
    assert.equal(parties.callerUri, 'sip:anonymous@anonymous.invalid');
    assert.equal(parties.caller, null);
    assert.equal(parties.called, '+15550002002');
  });

  it('still believes a trusted P-Asserted-Identity when the From is anonymous', () => {
    const request = invite(['P-Asserted-Identity: <tel:+15550009999>', 'Privacy: id']);
    request.headers.set('From', '<sip:anonymous@anonymous.invalid>;tag=x');
    assert.equal(callParties(request, true).caller, '+15550009999');
    assert.equal(callParties(request, false).caller, null);
  });
});

describe('charging id', () => {
  it('reads icid-value from P-Charging-Vector, quoted or not', () => {
    assert.equal(
      chargingId(invite(['P-Charging-Vector: icid-value=AyretyU0dm+6O2IrT5tAFrbHLso=;orig-ioi=home1.net'])),
      'AyretyU0dm+6O2IrT5tAFrbHLso=',
    );
    assert.equal(chargingId(invite(['P-Charging-Vector: orig-ioi=home1.net; icid-value="abc123"'])), 'abc123');
  });

  it('is null without a P-Charging-Vector or an icid-value in it', () => {
    assert.equal(chargingId(invite([])), null);
    assert.equal(chargingId(invite(['P-Charging-Vector: orig-ioi=home1.net'])), null);
  });
});

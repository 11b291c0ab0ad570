import assert from 'node:assert/strict';
import { isPhoneIdentity, normalizeIdentity, parseIdentity } from '../../../src/cmr/identity';

describe('identity normalisation', () => {
  const canonical: [string, string][] = [
    ['tel:+15550001001', '+15550001001'],
    ['TEL:+1-555-000-1001', '+15550001001'],
    ['tel:+1.555.(000).1001', '+15550001001'],
    ['tel:+15550001001;ext=12', '+15550001001'],
    ['tel:0001001;phone-context=+1-555', '+15550001001'],
    ['tel:000-1001;phone-context=+1555', '+15550001001'],
    ['+1 (555) 000-1001', '+15550001001'],
    ['sip:+15550001001@ims.example.com;user=phone', '+15550001001'],
    ['sip:+1-555-000-1001@ims.example.com', '+15550001001'],
    ['sips:+15550001001@ims.example.com:5061;user=phone?subject=x', '+15550001001'],
    ['sip:0001001;phone-context=+1555@ims.example.com;user=phone', '+15550001001'],
    ['sip:alice@Example.COM', 'sip:alice@example.com'],
    ['sips:alice@example.com:5061;transport=tls', 'sip:alice@example.com'],
    ['sip:alice:secret@example.com', 'sip:alice@example.com'],
    ['sip:Alice.Smith@example.com', 'sip:Alice.Smith@example.com'],
    ['sip:5550001001@10.0.0.1:5060', 'sip:5550001001@10.0.0.1'],
    ['sip:bob@[2001:db8::1]:5060', 'sip:bob@[2001:db8::1]'],
    ['"Alice" <sip:alice@example.com;transport=udp>;tag=a1b2', 'sip:alice@example.com'],
    ['  <tel:+15550001001>  ', '+15550001001'],
  ];
  for (const [raw, expected] of canonical) {
    it(`turns ${JSON.stringify(raw)} into ${expected}`, () => {
      assert.equal(normalizeIdentity(raw), expected);
    });
  }

  it('gives the same identity for a tel URI and a SIP URI with the same number', () => {
    assert.equal(
      normalizeIdentity('tel:+44-20-7946-0000'),
      normalizeIdentity('sip:+442079460000@operator.example;user=phone'),
    );
  });

  it('keeps a SIP user part that is digits without user=phone as a SIP identity', () => {
    assert.equal(normalizeIdentity('sip:5550001001@example.com'), 'sip:5550001001@example.com');
  });

  const rejected: [string, RegExp][] = [
    ['', /empty/],
    ['   ', /empty/],
    ['garbage', /expected a tel: or sip: URI/],
    ['mailto:alice@example.com', /unsupported URI scheme/],
    ['tel:', /no number/],
    ['tel:abc', /characters other than digits/],
    ['tel:5550001001', /needs a phone-context/],
    ['tel:0001001;phone-context=example.com', /no E.164 form/],
    ['tel:+0123456', /E.164/],
    ['tel:+1234567890123456', /E.164/],
    ['+12', /E.164/],
    ['sip:alice', /no user part/],
    ['sip:@example.com', /no user part/],
    ['sip:example.com', /no user part/],
    ['sip:alice@', /no valid host/],
    ['sip:alice@exa mple.com', /spaces/],
    ['sip:al<ice@example.com', /invalid characters/],
    ['sip:alice@-bad-.example', /no valid host/],
    ['sip:5550001001@example.com;user=phone', /needs a phone-context/],
    ['sip:' + 'a'.repeat(300) + '@example.com', /longer than/],
  ];
  for (const [raw, why] of rejected) {
    it(`rejects ${JSON.stringify(raw.length > 40 ? raw.slice(0, 40) + '…' : raw)} and says why`, () => {
      const r = parseIdentity(raw);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.problem, why);
      assert.equal(normalizeIdentity(raw), null);
    });
  }

  it('is idempotent on canonical identities', () => {
    for (const [, expected] of canonical) assert.equal(normalizeIdentity(expected), expected);
  });

  it('tells phone identities from SIP identities', () => {
    assert.equal(isPhoneIdentity('+15550001001'), true);
    assert.equal(isPhoneIdentity('sip:alice@example.com'), false);
  });
});

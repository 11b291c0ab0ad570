import assert from 'node:assert/strict';
import { SipParseError } from '../../../../src/sip/message/sip-parse-error';
import { formatVia, parseVia } from '../../../../src/sip/message/via';

describe('parseVia', () => {
  it('reads transport, sent-by and parameters', () => {
    const via = parseVia('SIP/2.0/udp PC33.Example.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;rport');
    assert.equal(via.protocol, 'UDP');
    assert.equal(via.host, 'pc33.example.com');
    assert.equal(via.port, 5066);
    assert.deepEqual(
      [...via.params],
      [
        ['branch', 'z9hG4bK776asdhds'],
        ['received', '192.0.2.1'],
        ['rport', null],
      ],
    );
  });

  it('allows LWS around the slashes, the semicolons and the equals signs', () => {
    const via = parseVia('SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8  ');
    assert.equal(via.protocol, 'TCP');
    assert.equal(via.host, 'spindle.example.com');
    assert.equal(via.params.get('branch'), 'z9hG4bK9ikj8');
  });

  it('reads IPv6 sent-by and an unbracketed IPv6 received, and stores parameter names lower-case', () => {
    const via = parseVia('SIP/2.0/TCP [2001:db8::9]:5070;Branch=z9hG4bKx;RECEIVED=2001:db8::7;rport=5071');
    assert.equal(via.host, '[2001:db8::9]');
    assert.equal(via.port, 5070);
    assert.equal(via.params.get('branch'), 'z9hG4bKx');
    assert.equal(via.params.get('received'), '2001:db8::7');
    assert.equal(via.params.get('rport'), '5071');
  });

  it('accepts unknown transports and sent-by without a port', () => {
    const via = parseVia('SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en');
    assert.equal(via.protocol, 'UNKNOWN');
    assert.equal(via.port, null);
  });

  const invalid = [
    ['another version', 'SIP/7.0/UDP host'],
    ['no transport', 'SIP/2.0/ host'],
    ['no sent-by', 'SIP/2.0/UDP'],
    ['empty parameters', 'SIP/2.0/UDP 192.0.2.15;;'],
    ['bad port', 'SIP/2.0/UDP host:99999'],
    ['unclosed IPv6', 'SIP/2.0/UDP [::1;branch=z9hG4bK1'],
    ['junk after host', 'SIP/2.0/UDP host junk'],
  ] as const;
  for (const [what, text] of invalid) {
    it(`throws SipParseError on ${what}`, () => {
      assert.throws(() => parseVia(text), SipParseError);
    });
  }
});

describe('formatVia', () => {
  it('writes the canonical form and round-trips', () => {
    const text = 'SIP/2.0/TCP [::1]:5060;branch=z9hG4bK1;rport=5060;received=127.0.0.1';
    assert.equal(formatVia(parseVia(text)), text);
    assert.equal(formatVia(parseVia('SIP / 2.0 / udp  h ; branch = x')), 'SIP/2.0/UDP h;branch=x');
  });
});

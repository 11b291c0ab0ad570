import assert from 'node:assert/strict';
import { formatNameAddr, parseNameAddr } from '../../../../src/sip/message/name-addr';
import { SipParseError } from '../../../../src/sip/message/sip-parse-error';

describe('parseNameAddr', () => {
  it('reads a quoted display name with escapes, the URI and header parameters', () => {
    const v = parseNameAddr('"Quoted \\"Name\\"" <sip:a@b;lr>;tag=x;expires=60');
    assert.equal(v.displayName, 'Quoted "Name"');
    assert.equal(v.uri.host, 'b');
    assert.equal(v.uri.params.has('lr'), true);
    assert.deepEqual(
      [...v.params],
      [
        ['tag', 'x'],
        ['expires', '60'],
      ],
    );
  });

  it('reads bare token display names, with or without LWS before <', () => {
    assert.equal(parseNameAddr('Alice  Smith <sip:a@b>').displayName, 'Alice Smith');
    assert.equal(parseNameAddr('caller<sip:caller@example.com>;tag=323').displayName, 'caller');
    assert.equal(parseNameAddr('<sip:a@b>').displayName, null);
  });

  it('gives the ; parameters of an addr-spec to the header, not to the URI (RFC 3261 §20)', () => {
    const v = parseNameAddr('sip:+19725552222@gw1.example.net;unknownparam;tag=9');
    assert.equal(v.uri.params.size, 0);
    assert.deepEqual(
      [...v.params],
      [
        ['unknownparam', null],
        ['tag', '9'],
      ],
    );
  });

  it('allows LWS around ; and = and keeps quoted parameter values with their quotes', () => {
    const v = parseNameAddr('  <sip:a@b>  ;  tag  =  98asjd8 ; note="a;b, c" ');
    assert.equal(v.params.get('tag'), '98asjd8');
    assert.equal(v.params.get('note'), '"a;b, c"');
  });

  it('reads IPv6 hosts and non-SIP URIs', () => {
    assert.equal(parseNameAddr('<sip:[2001:db8::5]:5062>').uri.port, 5062);
    assert.equal(parseNameAddr('isbn:2983792873').uri.scheme, 'isbn');
    assert.equal(parseNameAddr('<http://www.example.com>;tag=1').uri.opaque, '//www.example.com');
  });

  const invalid = [
    ['unterminated quote', '"Mr. J. User <sip:j.user@example.com>'],
    ['non-token unquoted display name', 'Bell, Alexander <sip:a.g.bell@example.com>'],
    ['spaces inside <>', '< sip:t.watson@example.org >'],
    ['missing >', '<sip:a@b'],
    ['empty parameters', '"Joe" <sip:joe@example.org>;;;;'],
    ['URI headers outside <>', 'sip:user@example.com?Route=%3Csip:x%3E'],
    ['trailing garbage', '<sip:a@b> junk'],
    ['empty value', '<sip:a@b>;tag='],
    ['empty text', '   '],
  ] as const;
  for (const [what, text] of invalid) {
    it(`throws SipParseError on ${what}`, () => {
      assert.throws(() => parseNameAddr(text), SipParseError);
    });
  }
});

describe('formatNameAddr', () => {
  it('quotes display names that are not tokens and always brackets the URI', () => {
    assert.equal(formatNameAddr(parseNameAddr('"A \\"B\\", C" <sip:a@b>;tag=1')), '"A \\"B\\", C" <sip:a@b>;tag=1');
    assert.equal(formatNameAddr(parseNameAddr('Alice <sip:a@b>')), 'Alice <sip:a@b>');
    assert.equal(formatNameAddr(parseNameAddr('sip:a@b;tag=1')), '<sip:a@b>;tag=1');
  });

  it('round-trips through parse', () => {
    const text = '"Bob" <sips:bob@[::1]:5061;transport=tcp>;tag=abc;q=0.5';
    assert.deepEqual(parseNameAddr(formatNameAddr(parseNameAddr(text))), parseNameAddr(text));
  });
});

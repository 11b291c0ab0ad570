import assert from 'node:assert/strict';
import { SipParseError } from '../../../../src/sip/message/sip-parse-error';
import { formatUri, parseUri } from '../../../../src/sip/message/sip-uri';
import { uriEquals } from '../../../../src/sip/message/uri-equals';

describe('parseUri', () => {
  it('reads user, password, host, port, parameters and headers of a SIP URI', () => {
    const uri = parseUri('sip:alice:secret@Example.COM:5070;transport=TCP;lr?Subject=x&Priority=urgent');
    assert.equal(uri.scheme, 'sip');
    assert.equal(uri.user, 'alice');
    assert.equal(uri.password, 'secret');
    assert.equal(uri.host, 'example.com');
    assert.equal(uri.port, 5070);
    assert.deepEqual(
      [...uri.params],
      [
        ['transport', 'TCP'],
        ['lr', null],
      ],
    );
    assert.deepEqual(
      [...uri.headers],
      [
        ['Subject', 'x'],
        ['Priority', 'urgent'],
      ],
    );
  });

  it('reads sips, IPv4 and IPv6 references with and without a port', () => {
    assert.deepEqual(
      [parseUri('sips:[2001:DB8::1]:5061').host, parseUri('sips:[2001:DB8::1]:5061').port],
      ['[2001:db8::1]', 5061],
    );
    assert.equal(parseUri('sip:[::1]').host, '[::1]');
    assert.equal(parseUri('sip:[::ffff:192.0.2.1];lr').host, '[::ffff:192.0.2.1]');
    assert.equal(parseUri('sip:192.0.2.1:5060').port, 5060);
    assert.equal(parseUri('sip:host.example.com').port, null);
  });

  it('lower-cases the scheme and parameter names but keeps values and escapes as written', () => {
    const uri = parseUri('SIP:%61lice@h;MAddr=Proxy.Example.com;Foo=%41');
    assert.equal(uri.scheme, 'sip');
    assert.equal(uri.user, '%61lice');
    assert.equal(uri.params.get('maddr'), 'Proxy.Example.com');
    assert.equal(uri.params.get('foo'), '%41');
  });

  it('accepts a user part holding ; ? / and the like (RFC 4475 §3.1.1.9)', () => {
    const uri = parseUri('sip:user;par=u%40example.net@example.com');
    assert.equal(uri.user, 'user;par=u%40example.net');
    assert.equal(uri.host, 'example.com');
    assert.equal(uri.params.size, 0);
  });

  it('reads tel URIs with global and local numbers, keeping visual separators', () => {
    const global = parseUri('tel:+1-201-555-0123;ext=1234');
    assert.equal(global.scheme, 'tel');
    assert.equal(global.user, '+1-201-555-0123');
    assert.equal(global.host, '');
    assert.equal(global.params.get('ext'), '1234');
    const local = parseUri('tel:7042;phone-context=example.com');
    assert.equal(local.user, '7042');
    assert.equal(local.params.get('phone-context'), 'example.com');
  });

  it('keeps other schemes opaque', () => {
    const uri = parseUri('soap.beep://192.0.2.103:3002');
    assert.equal(uri.scheme, 'soap.beep');
    assert.equal(uri.opaque, '//192.0.2.103:3002');
    assert.equal(formatUri(uri), 'soap.beep://192.0.2.103:3002');
  });

  const invalid = [
    ['no scheme', 'alice@example.com'],
    ['angle brackets', '<sip:a@b>'],
    ['empty host', 'sip:alice@'],
    ['empty host before params', 'sip:;lr'],
    ['space in host', 'sip:a@exa mple.com'],
    ['bad port', 'sip:a@b:70000'],
    ['port not digits', 'sip:a@b:50x'],
    ['empty port', 'sip:a@b:'],
    ['unclosed IPv6', 'sip:[2001:db8::1'],
    ['IPv6 not hex', 'sip:[2001:db8::g]'],
    ['IPv6 two double colons', 'sip:[1::2::3]'],
    ['empty parameter', 'sip:a@b;;lr'],
    ['bad escape in user', 'sip:a%4@b'],
    ['header without =', 'sip:a@b?Subject'],
    ['tel local number without context', 'tel:7042'],
    ['tel with letters', 'tel:+1-800-FLOWERS'],
    ['tel with headers', 'tel:+1234?x=y'],
    ['empty opaque part', 'urn:'],
  ] as const;
  for (const [what, text] of invalid) {
    it(`throws SipParseError on ${what}: ${text}`, () => {
      assert.throws(() => parseUri(text), SipParseError);
    });
  }
});

describe('formatUri', () => {
  it('writes back what it parsed (names lower-case)', () => {
    for (const text of [
      'sip:alice:pw@example.com:5070;transport=tcp;lr?subject=x&h=y',
      'sips:[2001:db8::1]:5061;maddr=10.0.0.1',
      'sip:%00@host5.example.com',
      'tel:+1-201-555-0123;ext=1234',
      'sip:example.com',
    ]) {
      assert.equal(formatUri(parseUri(text)), text);
    }
  });
});

describe('uriEquals (RFC 3261 §19.1.4)', () => {
  const eq = (a: string, b: string): boolean => uriEquals(parseUri(a), parseUri(b));

  it('treats the RFC examples of equivalent URIs as equal', () => {
    assert.ok(eq('sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'));
    assert.ok(eq('sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'));
    assert.ok(eq('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;newparam=5'));
    assert.ok(
      eq(
        'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
        'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
      ),
    );
    assert.ok(
      eq(
        'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
        'sip:alice@atlanta.com?priority=urgent&subject=project%20x',
      ),
    );
  });

  it('treats the RFC examples of different URIs as different', () => {
    assert.ok(!eq('SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'));
    assert.ok(!eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'));
    assert.ok(!eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'));
    assert.ok(!eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'));
    assert.ok(!eq('sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'));
    assert.ok(!eq('sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'));
    assert.ok(!eq('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'));
    assert.ok(!eq('sip:a@b', 'sips:a@b'));
  });

  it('compares tel numbers without visual separators', () => {
    assert.ok(eq('tel:+1-201-555-0123', 'tel:+1(201)5550123'));
    assert.ok(!eq('tel:+1-201-555-0123', 'tel:+1-201-555-0124'));
    assert.ok(!eq('tel:+12015550123;ext=1', 'tel:+12015550123'));
  });
});

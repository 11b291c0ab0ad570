import assert from 'node:assert/strict';
import {
  endpointKey,
  hostReference,
  ipFamily,
  sameIp,
  stripBrackets,
  unmapIpv4,
} from '../../../../src/sip/transport/ip-address';

describe('ip-address helpers', () => {
  it('takes the brackets off an IPv6 reference and leaves other hosts alone', () => {
    assert.equal(stripBrackets('[2001:db8::1]'), '2001:db8::1');
    assert.equal(stripBrackets('192.0.2.1'), '192.0.2.1');
    assert.equal(stripBrackets('[]'), '');
  });

  it('puts an IPv6 address in brackets for a sent-by and leaves IPv4 and names alone', () => {
    assert.equal(hostReference('::1'), '[::1]');
    assert.equal(hostReference('[::1]'), '[::1]');
    assert.equal(hostReference('127.0.0.1'), '127.0.0.1');
    assert.equal(hostReference('sip.example.com'), 'sip.example.com');
  });

  it('turns an IPv4-mapped IPv6 address back into IPv4 and leaves real IPv6 alone', () => {
    assert.equal(unmapIpv4('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(unmapIpv4('::FFFF:192.0.2.7'), '192.0.2.7');
    assert.equal(unmapIpv4('::ffff:abcd'), '::ffff:abcd');
    assert.equal(unmapIpv4('2001:db8::1'), '2001:db8::1');
  });

  it('tells IPv4, IPv6 (bracketed or not) and domain names apart', () => {
    assert.equal(ipFamily('10.0.0.1'), 4);
    assert.equal(ipFamily('[::1]'), 6);
    assert.equal(ipFamily('fe80::1'), 6);
    assert.equal(ipFamily('example.com'), 0);
  });

  it('compares addresses whatever the IPv6 spelling, brackets or IPv4 mapping', () => {
    assert.ok(sameIp('::1', '0:0:0:0:0:0:0:1'));
    assert.ok(sameIp('[2001:DB8::1]', '2001:db8:0:0::1'));
    assert.ok(sameIp('::ffff:10.1.2.3', '10.1.2.3'));
    assert.ok(sameIp('::a01:203', '::10.1.2.3'));
    assert.ok(!sameIp('10.1.2.3', '10.1.2.4'));
    assert.ok(!sameIp('2001:db8::1', '2001:db8::2'));
    assert.ok(!sameIp('example.com', 'example.com'), 'a domain name is never the same IP');
  });

  it('keys endpoints so that spellings of one address meet', () => {
    assert.equal(endpointKey('::ffff:127.0.0.1', 5060), endpointKey('127.0.0.1', 5060));
    assert.equal(endpointKey('[2001:DB8::1]', 5060), endpointKey('2001:db8::1', 5060));
    assert.notEqual(endpointKey('127.0.0.1', 5060), endpointKey('127.0.0.1', 5061));
  });
});

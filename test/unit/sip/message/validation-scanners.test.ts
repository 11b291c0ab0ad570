import assert from 'node:assert/strict';
import { commonNameAddrParam, commonViaParam } from '../../../../src/sip/message/common-form-params';
import { isCommonNameAddr, isCommonRequestUri, isCommonVia } from '../../../../src/sip/message/common-forms';
import { scanHeaderList } from '../../../../src/sip/message/header-list-scanner';
import { scanHeaderParams } from '../../../../src/sip/message/header-params-scanner';
import { isIpv4, isIpv6 } from '../../../../src/sip/message/ip-address';
import { scanContact, scanNameAddr } from '../../../../src/sip/message/name-addr-scanner';
import { scanUri } from '../../../../src/sip/message/uri-scanner';
import { scanVia } from '../../../../src/sip/message/via-scanner';

const whole =
  (scan: (text: string, start: number, end: number) => boolean) =>
  (text: string): boolean =>
    scan(text, 0, text.length);

/** Each value scanned alone, and again inside a longer string, where the scanner must stay in its range. */
function checkAll(
  scan: (text: string, start: number, end: number) => boolean,
  values: readonly string[],
  want: boolean,
): void {
  for (const value of values) {
    assert.equal(scan(value, 0, value.length), want, value);
    const padded = `>>"[${value},;?@]"<<`;
    assert.equal(scan(padded, 4, 4 + value.length), want, `${value} inside ${padded}`);
  }
}

describe('scanVia', () => {
  it('passes what parseVia reads: LWS around slashes, IPv6, ports, quoted and host parameter values', () => {
    checkAll(
      scanVia,
      [
        'SIP/2.0/UDP pc33.example.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;rport',
        'SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8',
        'sip/2.0/udp h',
        'SIP/2.0/TCP [2001:db8::9]:5070;Branch=z9hG4bKx;RECEIVED=2001:db8::7;rport=5071',
        'SIP/2.0/UDP host :5060;branch=z9hG4bK1',
        'SIP/2.0/UDP [::1] : 5060',
        'SIP/2.0/UDP h;x="quoted ; value"',
        'SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en',
      ],
      true,
    );
  });

  it('refuses what parseVia refuses', () => {
    checkAll(
      scanVia,
      [
        'SIP/7.0/UDP host',
        'SIP/2.0/ host',
        'SIP/2.0/UDP',
        'SIP/2.0/UDP 192.0.2.15;;',
        'SIP/2.0/UDP host:99999',
        'SIP/2.0/UDP [::1;branch=z9hG4bK1',
        'SIP/2.0/UDP host junk',
        'SIP/2.0/UDPhost',
        'SIP/2.0/UDP host:5060 :5061',
        'SIP/2.0/UDP host : ',
        'SIP/2.0/UDP h;x="unterminated',
        'SIP/2.0/UDP h;x=',
        'SIP/2.0/UDP ho$t',
        'SIP/2.0/UDP [::1]x',
        'SIP/2.0/UDP h;branch=a\u00e9',
      ],
      false,
    );
  });
});

describe('scanNameAddr and scanContact', () => {
  it('passes quoted and token display names, addr-specs and parameters', () => {
    checkAll(
      scanNameAddr,
      [
        '"Quoted \\"Name\\"" <sip:a@b;lr>;tag=x;expires=60',
        'Alice  Smith <sip:a@b>',
        'caller<sip:caller@example.com>;tag=323',
        'sip:+19725552222@gw1.example.net;unknownparam;tag=9',
        '  <sip:a@b>  ;  tag  =  98asjd8 ; note="a;b, c" ',
        '<sip:[2001:db8::5]:5062>',
        'isbn:2983792873',
        '<http://www.example.com>;tag=1',
        '"Jos\u00e9" <tel:+1-201-555-0123>',
        '<sip:user;par=u%40example.net@example.com>',
      ],
      true,
    );
  });

  it('refuses what parseNameAddr refuses', () => {
    checkAll(
      scanNameAddr,
      [
        '"Mr. J. User <sip:j.user@example.com>',
        'Bell, Alexander <sip:a.g.bell@example.com>',
        '< sip:t.watson@example.org >',
        '<sip:a@b',
        '"Joe" <sip:joe@example.org>;;;;',
        'sip:user@example.com?Route=%3Csip:x%3E',
        '<sip:a@b> junk',
        '<sip:a@b>;tag=',
        '   ',
        '',
        '"Joe"sip:a@b',
        'sip:a@b <sip:c@d>',
        '<sip:a%4@b>',
        '<sip:a@b:70000>',
      ],
      false,
    );
  });

  it('passes the Contact `*` element only as a Contact', () => {
    assert.equal(scanContact('*', 0, 1), true);
    assert.equal(scanNameAddr('*', 0, 1), false);
  });
});

describe('scanUri', () => {
  it('passes SIP, SIPS, tel and other absolute URIs', () => {
    checkAll(
      (t, s, e) => scanUri(t, s, e, true),
      [
        'sip:alice:secret@Example.COM:5070;transport=TCP;lr?Subject=x&Priority=urgent',
        'sips:[2001:DB8::1]:5061',
        'sip:[::ffff:192.0.2.1];lr',
        'SIP:%61lice@h;MAddr=Proxy.Example.com;Foo=%41',
        'sip:user;par=u%40example.net@example.com',
        'tel:+1-201-555-0123;ext=1234',
        'tel:7042;Phone-Context=example.com',
        'soap.beep://192.0.2.103:3002',
        'sip:a@b?h=',
        'sip:alice:@host',
      ],
      true,
    );
  });

  it('refuses what parseUri refuses', () => {
    checkAll(
      (t, s, e) => scanUri(t, s, e, true),
      [
        'alice@example.com',
        '<sip:a@b>',
        'sip:alice@',
        'sip:;lr',
        'sip:a@exa mple.com',
        'sip:a@b:70000',
        'sip:a@b:50x',
        'sip:a@b:',
        'sip:[2001:db8::1',
        'sip:[2001:db8::g]',
        'sip:[1::2::3]',
        'sip:a@b;;lr',
        'sip:a%4@b',
        'sip:a@b?Subject',
        'sip:a@b?h=1&',
        'tel:7042',
        'tel:+1-800-FLOWERS',
        'tel:+1234?x=y',
        'urn:',
        'urn:a b',
        '1sip:a@b',
        'sip:@b',
        'sip:a:b:c@d',
        'sip:a@b;x=',
      ],
      false,
    );
  });

  it('refuses headers in a Request-URI and leaves non-ASCII opaque URIs to the parser', () => {
    assert.equal(scanUri('sip:a@b?h=1', 0, 11, false), false);
    assert.equal(scanUri('sip:a@b;lr', 0, 10, false), true);
    assert.equal(scanUri('urn:\u00e9', 0, 5, true), false);
  });
});

describe('scanHeaderParams and scanHeaderList', () => {
  it('reads parameters with LWS and quoted values, refusing empty names and values', () => {
    assert.equal(whole(scanHeaderParams)(' ; a = b ;c;d="x;y" '), true);
    assert.equal(whole(scanHeaderParams)(''), true);
    for (const bad of [';', ';=b', ';a=', ';a="x', 'a', ';a b', ';a=b c'])
      assert.equal(whole(scanHeaderParams)(bad), false, bad);
  });

  it('splits on commas outside quotes and <>, trims and skips empty elements', () => {
    const seen: string[] = [];
    const record = (text: string, start: number, end: number): boolean => {
      seen.push(text.slice(start, end));
      return true;
    };
    assert.equal(scanHeaderList(' a , "b,c" <d,e> ,, f\u000b', record), true);
    assert.deepEqual(seen, ['a', '"b,c" <d,e>', 'f']);
    assert.equal(scanHeaderList('SIP/2.0/UDP a, SIP/2.0/UDP b;x=', scanVia), false);
    assert.equal(scanHeaderList(' , ', scanVia), true);
  });
});

describe('isIpv6 and isIpv4 by index', () => {
  it('read an address inside a longer string', () => {
    assert.equal(isIpv6('[2001:db8::1]', 1, 12), true);
    assert.equal(isIpv6('[::ffff:192.0.2.1]', 1, 17), true);
    assert.equal(isIpv6('[1:2:3:4:5:6:7:8:9]', 1, 18), false);
    assert.equal(isIpv6('x1::2::3', 1, 8), false);
    assert.equal(isIpv4('a192.0.2.1b', 1, 10), true);
    assert.equal(isIpv4('192.0.2.256', 0, 11), false);
    assert.equal(isIpv4('1.2.3', 0, 5), false);
  });
});

describe('common forms', () => {
  it('match the usual Via, name-addr and Request-URI', () => {
    assert.ok(isCommonVia('SIP/2.0/UDP scscf.ims.example.net:6060;branch=z9hG4bK-1;rport;received=192.0.2.10'));
    assert.ok(isCommonNameAddr('"Alice" <sip:+15550001002@ims.example.net;user=phone>;tag=1928301774'));
    assert.ok(isCommonNameAddr('<sip:a@198.51.100.7:5060;transport=udp>;+g.3gpp.icsi-ref="urn%3Aurn-7"'));
    assert.ok(isCommonRequestUri('sip:+15550001001@as.cmr.example.net:5060;user=phone'));
  });

  it('leave to the scanners what they do not cover, and never match what the parsers refuse', () => {
    for (const uncommon of [
      'SIP / 2.0 / UDP h',
      'SIP/2.0/UDP [::1]',
      'SIP/2.0/UDP h:65536',
      'SIP/2.0/UDP h, SIP/2.0/UDP i',
    ]) {
      assert.equal(isCommonVia(uncommon), false, uncommon);
    }
    for (const uncommon of [
      'Alice <sip:a@b>',
      'sip:a@b',
      '<tel:+1234>',
      '<sip:a@b>;tag=',
      '<sip:a%zz@b>',
      '"x <sip:a@b>',
    ]) {
      assert.equal(isCommonNameAddr(uncommon), false, uncommon);
    }
    for (const uncommon of ['sip:a@b?h=1', 'sip:a@b:99999', 'tel:+1234', 'sip:a@b;x=']) {
      assert.equal(isCommonRequestUri(uncommon), false, uncommon);
    }
  });

  it('read the first parameter of a name, in any case, as the parsers do', () => {
    assert.equal(commonViaParam('SIP/2.0/UDP h;rport;BRANCH=z9hG4bK1;branch=z9hG4bK2', 'branch'), 'z9hG4bK1');
    assert.equal(commonViaParam('SIP/2.0/UDP h;branch', 'branch'), null);
    assert.equal(commonViaParam('SIP/2.0/UDP h:5060', 'branch'), null);
    assert.equal(commonViaParam('SIP / 2.0 / UDP h;branch=x', 'branch'), undefined);
    assert.equal(commonNameAddrParam('"a>b;tag=no" <sip:a@b;tag=uri>;x="q;tag=no";Tag=yes', 'tag'), 'yes');
    assert.equal(commonNameAddrParam('<sip:a@b>;x="q"', 'x'), '"q"');
    assert.equal(commonNameAddrParam('<sip:a@b>', 'tag'), null);
    assert.equal(commonNameAddrParam('sip:a@b;tag=1', 'tag'), undefined);
  });
});

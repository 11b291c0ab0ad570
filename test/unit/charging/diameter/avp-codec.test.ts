import assert from 'node:assert/strict';
import {
  avp,
  decodeAvps,
  encodeAvp,
  encodeAvps,
  findValue,
  rawAvp,
  readAvp,
  type Avp,
} from '../../../../src/charging/diameter/avp-codec';
import { AVP, type AvpDefinition, type AvpType } from '../../../../src/charging/diameter/diameter-dictionary';
import { DiameterError } from '../../../../src/charging/diameter/diameter-error';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function roundTrip<T extends AvpType>(definition: AvpDefinition<T>, a: Avp) {
  const [decoded] = decodeAvps(encodeAvp(a));
  assert.ok(decoded);
  return readAvp(definition, decoded);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DiameterError, `expected a DiameterError, got ${String(err)}`);
    return err.code;
  }
  return undefined;
}

function resultCodeOfError(fn: () => unknown): number | null {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DiameterError);
    return err.resultCode;
  }
  assert.fail('expected a DiameterError');
}

describe('Diameter AVP codec', () => {
  describe('known byte sequences', () => {
    it('encodes a DiameterIdentity with the M flag and zero padding to 4 bytes', () => {
      assert.deepEqual(encodeAvp(avp(AVP.ORIGIN_HOST, 'a.b')), hex('00000108 4000000b 612e6200'));
    });

    it('encodes a 3GPP AVP with the V and M flags, the vendor id 10415 and padding', () => {
      assert.deepEqual(encodeAvp(avp(AVP.IMS_CHARGING_IDENTIFIER, 'ab')), hex('00000349 c000000e 000028af 61620000'));
    });

    it('encodes an Unsigned32 Result-Code', () => {
      assert.deepEqual(encodeAvp(avp(AVP.RESULT_CODE, 2001)), hex('0000010c 4000000c 000007d1'));
    });

    it('encodes an IPv4 Address with address family 1 and pads it', () => {
      assert.deepEqual(encodeAvp(avp(AVP.HOST_IP_ADDRESS, '127.0.0.1')), hex('00000101 4000000e 00017f00 00010000'));
    });

    it('encodes a Time as NTP seconds since 1900', () => {
      const encoded = encodeAvp(avp(AVP.EVENT_TIMESTAMP, new Date('2026-01-01T00:00:00Z')));
      assert.deepEqual(encoded, hex('00000037 4000000c ed003780'));
    });

    it('encodes a grouped AVP as its padded members, its length covering them', () => {
      const group = avp(AVP.SUBSCRIPTION_ID, [avp(AVP.SUBSCRIPTION_ID_TYPE, 0), avp(AVP.SUBSCRIPTION_ID_DATA, '123')]);
      assert.deepEqual(
        encodeAvp(group),
        hex('000001bb 40000020  000001c2 4000000c 00000000  000001bc 4000000b 31323300'),
      );
    });

    it('leaves the M flag clear where the flag rules forbid it (Product-Name)', () => {
      assert.equal(encodeAvp(avp(AVP.PRODUCT_NAME, 'x'))[4], 0x00);
    });

    it('sets the P flag when asked', () => {
      assert.equal(encodeAvp(avp(AVP.USER_NAME, 'x', { protected: true }))[4], 0x60);
    });
  });

  describe('round trips', () => {
    it('keeps OctetString bytes, including from a string', () => {
      assert.deepEqual(
        roundTrip(AVP.PROXY_STATE, avp(AVP.PROXY_STATE, Buffer.from([0, 1, 255]))),
        Buffer.from([0, 1, 255]),
      );
      assert.deepEqual(roundTrip(AVP.PROXY_STATE, avp(AVP.PROXY_STATE, 'é')), Buffer.from('é', 'utf8'));
    });

    it('keeps UTF8String text with multi-byte characters', () => {
      assert.equal(roundTrip(AVP.USER_NAME, avp(AVP.USER_NAME, 'Zoë ✓ 漢字')), 'Zoë ✓ 漢字');
    });

    it('keeps the limits of Unsigned32, Integer32 and Enumerated', () => {
      assert.equal(roundTrip(AVP.VENDOR_ID, avp(AVP.VENDOR_ID, 0xffffffff)), 0xffffffff);
      assert.equal(roundTrip(AVP.EXPONENT, avp(AVP.EXPONENT, -2147483648)), -2147483648);
      assert.equal(roundTrip(AVP.EXPONENT, avp(AVP.EXPONENT, 2147483647)), 2147483647);
      assert.equal(roundTrip(AVP.CC_REQUEST_TYPE, avp(AVP.CC_REQUEST_TYPE, 4)), 4);
    });

    it('keeps 64-bit values as bigint, from a number or a bigint', () => {
      assert.equal(roundTrip(AVP.VALUE_DIGITS, avp(AVP.VALUE_DIGITS, -123)), -123n);
      assert.equal(roundTrip(AVP.VALUE_DIGITS, avp(AVP.VALUE_DIGITS, -(1n << 63n))), -(1n << 63n));
      const u64 = { ...AVP.VALUE_DIGITS, type: 'Unsigned64' } as AvpDefinition<'Unsigned64'>;
      assert.equal(roundTrip(u64, avp(u64, (1n << 64n) - 1n)), (1n << 64n) - 1n);
    });

    it('keeps Float32 and Float64 values', () => {
      const f32 = { ...AVP.VENDOR_ID, type: 'Float32' } as AvpDefinition<'Float32'>;
      const f64 = { ...AVP.VALUE_DIGITS, type: 'Float64' } as AvpDefinition<'Float64'>;
      assert.equal(roundTrip(f32, avp(f32, 1.5)), 1.5);
      assert.equal(roundTrip(f64, avp(f64, -0.1)), -0.1);
    });

    it('keeps IPv6 addresses, compressed as RFC 5952 says, and IPv4-mapped ones', () => {
      assert.equal(roundTrip(AVP.HOST_IP_ADDRESS, avp(AVP.HOST_IP_ADDRESS, '2001:db8:0:0:0:0:0:1')), '2001:db8::1');
      assert.equal(roundTrip(AVP.HOST_IP_ADDRESS, avp(AVP.HOST_IP_ADDRESS, '::1')), '::1');
      assert.equal(roundTrip(AVP.HOST_IP_ADDRESS, avp(AVP.HOST_IP_ADDRESS, '::ffff:10.0.0.1')), '::ffff:a00:1');
    });

    it('keeps times to the second, after the 2036 NTP rollover too', () => {
      const now = new Date('2026-03-04T05:06:07Z');
      assert.deepEqual(roundTrip(AVP.EVENT_TIMESTAMP, avp(AVP.EVENT_TIMESTAMP, now)), now);
      const later = new Date('2040-01-01T00:00:00Z');
      assert.deepEqual(encodeAvp(avp(AVP.EVENT_TIMESTAMP, later)).subarray(8), hex('0754fd00'));
      assert.deepEqual(roundTrip(AVP.EVENT_TIMESTAMP, avp(AVP.EVENT_TIMESTAMP, later)), later);
    });

    it('decodes nested grouped AVPs of the dictionary into members', () => {
      const money = avp(AVP.CC_MONEY, [
        avp(AVP.UNIT_VALUE, [avp(AVP.VALUE_DIGITS, 199), avp(AVP.EXPONENT, -2)]),
        avp(AVP.CURRENCY_CODE, 840),
      ]);
      const [decoded] = decodeAvps(encodeAvp(avp(AVP.REQUESTED_SERVICE_UNIT, [money])));
      const cc = readAvp(AVP.REQUESTED_SERVICE_UNIT, decoded!);
      const ccMoney = readAvp(AVP.CC_MONEY, cc[0]!);
      const unitValue = readAvp(AVP.UNIT_VALUE, ccMoney[0]!);
      assert.equal(findValue(unitValue, AVP.VALUE_DIGITS), 199n);
      assert.equal(findValue(unitValue, AVP.EXPONENT), -2);
      assert.equal(findValue(ccMoney, AVP.CURRENCY_CODE), 840);
    });

    it('keeps AVPs outside the dictionary as raw bytes with their flags and vendor', () => {
      const unknown = rawAvp({ code: 99999, vendorId: 12345, mandatory: true, data: Buffer.from('xyz') });
      const [decoded] = decodeAvps(encodeAvp(unknown));
      assert.deepEqual(decoded, { ...unknown, data: Buffer.from('xyz') });
      assert.equal(decoded!.members, null);
    });

    it('decodes several AVPs in a row across their padding', () => {
      const avps = [avp(AVP.SESSION_ID, 'a'), avp(AVP.ORIGIN_HOST, 'bb.c'), avp(AVP.RESULT_CODE, 5030)];
      const decoded = decodeAvps(encodeAvps(avps));
      assert.deepEqual(
        decoded.map((a) => a.code),
        [263, 264, 268],
      );
      assert.equal(findValue(decoded, AVP.ORIGIN_HOST), 'bb.c');
    });

    it('tolerates a grouped AVP whose last member lacks its padding', () => {
      // Subscription-Id (length 8 + 12 + 11 = 31) whose Subscription-Id-Data "123" is not padded.
      const [decoded] = decodeAvps(hex('000001bb 4000001f 000001c2 4000000c 00000000 000001bc 4000000b 313233 00'));
      assert.equal(findValue(readAvp(AVP.SUBSCRIPTION_ID, decoded!), AVP.SUBSCRIPTION_ID_DATA), '123');
    });
  });

  describe('malformed input', () => {
    it('rejects a truncated AVP header with 5014 DIAMETER_INVALID_AVP_LENGTH', () => {
      assert.equal(
        codeOf(() => decodeAvps(hex('00000108 4000'))),
        'DIAMETER.MALFORMED',
      );
      assert.equal(
        resultCodeOfError(() => decodeAvps(hex('00000108 4000'))),
        5014,
      );
    });

    it('rejects an AVP length shorter than its header', () => {
      assert.equal(
        codeOf(() => decodeAvps(hex('00000108 40000007 00000000'))),
        'DIAMETER.MALFORMED',
      );
      // V flag set: the header is 12 bytes, so a length of 10 is short.
      assert.equal(
        codeOf(() => decodeAvps(hex('00000349 c000000a 000028af 0000'))),
        'DIAMETER.MALFORMED',
      );
    });

    it('rejects an AVP length running past the data', () => {
      assert.equal(
        codeOf(() => decodeAvps(hex('00000108 40000020 612e6200'))),
        'DIAMETER.MALFORMED',
      );
    });

    it('rejects a malformed member inside a grouped AVP', () => {
      assert.equal(
        codeOf(() => decodeAvps(hex('000001bb 40000010 000001c2 40000030'))),
        'DIAMETER.MALFORMED',
      );
    });

    it('rejects grouped AVPs nested deeper than the limit', () => {
      let nested = avp(AVP.SUBSCRIPTION_ID_DATA, 'x');
      for (let i = 0; i < 5; i += 1) nested = avp(AVP.PROXY_INFO, [nested]);
      const bytes = encodeAvp(nested);
      assert.equal(
        codeOf(() => decodeAvps(bytes, { maxAvps: 100, maxDepth: 3 })),
        'DIAMETER.TOO_LARGE',
      );
      assert.equal(decodeAvps(bytes, { maxAvps: 100, maxDepth: 5 }).length, 1);
    });

    it('rejects more AVPs than the limit, counting members', () => {
      const bytes = encodeAvps(Array.from({ length: 11 }, () => avp(AVP.RESULT_CODE, 1)));
      assert.equal(
        codeOf(() => decodeAvps(bytes, { maxAvps: 10, maxDepth: 4 })),
        'DIAMETER.TOO_LARGE',
      );
    });

    it('reports wrong data lengths for fixed-size types as invalid AVPs', () => {
      const short = rawAvp({ code: 268, vendorId: 0, mandatory: true, data: hex('0007d1') });
      assert.equal(
        codeOf(() => readAvp(AVP.RESULT_CODE, short)),
        'DIAMETER.INVALID_AVP',
      );
      const longTime = rawAvp({ code: 55, vendorId: 0, mandatory: true, data: hex('0000000000') });
      assert.equal(
        codeOf(() => readAvp(AVP.EVENT_TIMESTAMP, longTime)),
        'DIAMETER.INVALID_AVP',
      );
    });

    it('reports invalid UTF-8 with 5004 DIAMETER_INVALID_AVP_VALUE', () => {
      const bad = rawAvp({ code: 1, vendorId: 0, mandatory: true, data: hex('c328') });
      assert.equal(
        codeOf(() => readAvp(AVP.USER_NAME, bad)),
        'DIAMETER.INVALID_AVP',
      );
      assert.equal(
        resultCodeOfError(() => readAvp(AVP.USER_NAME, bad)),
        5004,
      );
    });

    it('reports an address of an unknown family or the wrong size', () => {
      const e164 = rawAvp({ code: 257, vendorId: 0, mandatory: true, data: hex('0008 3135 3535') });
      assert.equal(
        codeOf(() => readAvp(AVP.HOST_IP_ADDRESS, e164)),
        'DIAMETER.INVALID_AVP',
      );
      const shortV4 = rawAvp({ code: 257, vendorId: 0, mandatory: true, data: hex('0001 7f00 00') });
      assert.equal(
        codeOf(() => readAvp(AVP.HOST_IP_ADDRESS, shortV4)),
        'DIAMETER.INVALID_AVP',
      );
    });

    it('reports a DiameterIdentity with spaces or non-ASCII bytes', () => {
      const spaced = rawAvp({ code: 264, vendorId: 0, mandatory: true, data: Buffer.from('a b') });
      assert.equal(
        codeOf(() => readAvp(AVP.ORIGIN_HOST, spaced)),
        'DIAMETER.INVALID_AVP',
      );
    });
  });

  describe('values that cannot be encoded', () => {
    it('refuses integers outside their type and non-integers', () => {
      assert.equal(
        codeOf(() => avp(AVP.RESULT_CODE, -1)),
        'DIAMETER.ENCODE',
      );
      assert.equal(
        codeOf(() => avp(AVP.RESULT_CODE, 2 ** 32)),
        'DIAMETER.ENCODE',
      );
      assert.equal(
        codeOf(() => avp(AVP.EXPONENT, 1.5)),
        'DIAMETER.ENCODE',
      );
      assert.equal(
        codeOf(() => avp(AVP.VALUE_DIGITS, 1n << 63n)),
        'DIAMETER.ENCODE',
      );
      assert.equal(
        codeOf(() => avp(AVP.VALUE_DIGITS, 2 ** 60)),
        'DIAMETER.ENCODE',
      );
    });

    it('refuses an address that is not IPv4 or IPv6 and an identity with spaces', () => {
      assert.equal(
        codeOf(() => avp(AVP.HOST_IP_ADDRESS, 'localhost')),
        'DIAMETER.ENCODE',
      );
      assert.equal(
        codeOf(() => avp(AVP.ORIGIN_HOST, 'a b')),
        'DIAMETER.ENCODE',
      );
    });

    it('refuses times outside the 32-bit NTP range and invalid dates', () => {
      assert.equal(
        codeOf(() => avp(AVP.EVENT_TIMESTAMP, new Date('1950-01-01T00:00:00Z'))),
        'DIAMETER.ENCODE',
      );
      assert.equal(
        codeOf(() => avp(AVP.EVENT_TIMESTAMP, new Date('2110-01-01T00:00:00Z'))),
        'DIAMETER.ENCODE',
      );
      assert.equal(
        codeOf(() => avp(AVP.EVENT_TIMESTAMP, new Date('nope'))),
        'DIAMETER.ENCODE',
      );
    });

    it('refuses data beyond the 24-bit AVP length', () => {
      assert.equal(
        codeOf(() => encodeAvp(avp(AVP.PROXY_STATE, Buffer.alloc(0xffffff)))),
        'DIAMETER.ENCODE',
      );
    });
  });
});

import assert from 'node:assert/strict';
import { avp, findValue } from '../../../../src/charging/diameter/avp-codec';
import { deviceWatchdogRequest } from '../../../../src/charging/diameter/diameter-base-messages';
import { AVP } from '../../../../src/charging/diameter/diameter-dictionary';
import { DiameterError } from '../../../../src/charging/diameter/diameter-error';
import {
  decodeHeader,
  decodeMessage,
  encodeMessage,
  type DiameterMessage,
} from '../../../../src/charging/diameter/diameter-message';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A DWR from `a.b`/`b` with hop-by-hop 0x11223344 and end-to-end 0x55667788, built byte by byte. */
const DWR_BYTES = hex(`
  01 000038 80 000118 00000000 11223344 55667788
  00000108 4000000b 612e6200
  00000128 40000009 62000000
  00000116 4000000c 00000007
`);

function errorOf(fn: () => unknown): DiameterError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DiameterError, `expected a DiameterError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a DiameterError');
}

/** A small deterministic PRNG so the mutation test is repeatable. */
function prng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

describe('Diameter message codec', () => {
  it('encodes a DWR to the bytes RFC 6733 §3 and §5.5.1 describe', () => {
    const dwr = deviceWatchdogRequest({ originHost: 'a.b', originRealm: 'b' }, 7, {
      hopByHopId: 0x11223344,
      endToEndId: 0x55667788,
    });
    assert.deepEqual(encodeMessage(dwr), DWR_BYTES);
  });

  it('decodes the same bytes back to the header fields and AVPs', () => {
    const message = decodeMessage(DWR_BYTES);
    assert.equal(message.commandCode, 280);
    assert.equal(message.applicationId, 0);
    assert.equal(message.request, true);
    assert.equal(message.proxiable, false);
    assert.equal(message.hopByHopId, 0x11223344);
    assert.equal(message.endToEndId, 0x55667788);
    assert.equal(findValue(message.avps, AVP.ORIGIN_HOST), 'a.b');
    assert.equal(findValue(message.avps, AVP.ORIGIN_STATE_ID), 7);
  });

  it('round-trips every flag, a 32-bit application id and ids with the top bit set', () => {
    const message: DiameterMessage = {
      commandCode: 272,
      applicationId: 0xffffffff,
      request: false,
      proxiable: true,
      error: true,
      retransmit: true,
      hopByHopId: 0xfffffffe,
      endToEndId: 0x80000001,
      avps: [avp(AVP.RESULT_CODE, 3002)],
    };
    const bytes = encodeMessage(message);
    assert.equal(bytes[4], 0x70);
    assert.deepEqual(decodeMessage(bytes), { ...message, avps: decodeMessage(bytes).avps });
    assert.equal(findValue(decodeMessage(bytes).avps, AVP.RESULT_CODE), 3002);
  });

  it('sets the T flag bit 0x10 on a retransmitted request', () => {
    const dwr = deviceWatchdogRequest({ originHost: 'a.b', originRealm: 'b' }, 7, { hopByHopId: 1, endToEndId: 2 });
    assert.equal(encodeMessage({ ...dwr, retransmit: true })[4], 0x90);
  });

  it('ignores the reserved flag bits', () => {
    const bytes = Buffer.from(DWR_BYTES);
    bytes[4] = 0x8f;
    assert.equal(decodeMessage(bytes).request, true);
  });

  it('rejects a version other than 1 with 5011 DIAMETER_UNSUPPORTED_VERSION', () => {
    const bytes = Buffer.from(DWR_BYTES);
    bytes[0] = 2;
    const err = errorOf(() => decodeMessage(bytes));
    assert.equal(err.code, 'DIAMETER.UNSUPPORTED_VERSION');
    assert.equal(err.resultCode, 5011);
  });

  it('rejects a length that is not a multiple of 4, below the header, or unlike the bytes given', () => {
    const odd = Buffer.from(DWR_BYTES);
    odd.writeUIntBE(0x33, 1, 3);
    assert.equal(errorOf(() => decodeMessage(odd)).resultCode, 5015);
    const tiny = Buffer.from(DWR_BYTES);
    tiny.writeUIntBE(16, 1, 3);
    assert.equal(errorOf(() => decodeMessage(tiny)).code, 'DIAMETER.MALFORMED');
    assert.equal(errorOf(() => decodeMessage(DWR_BYTES.subarray(0, 48))).code, 'DIAMETER.MALFORMED');
    assert.equal(errorOf(() => decodeMessage(DWR_BYTES.subarray(0, 12))).code, 'DIAMETER.MALFORMED');
  });

  it('rejects a message longer than the configured maximum', () => {
    const err = errorOf(() => decodeMessage(DWR_BYTES, { maxMessageBytes: 48, maxAvps: 10, maxDepth: 2 }));
    assert.equal(err.code, 'DIAMETER.TOO_LARGE');
  });

  it('rejects a request with the E bit with 3008 DIAMETER_INVALID_HDR_BITS, yet its header stays readable', () => {
    const bytes = Buffer.from(DWR_BYTES);
    bytes[4] = 0xa0;
    assert.equal(errorOf(() => decodeMessage(bytes)).resultCode, 3008);
    assert.equal(decodeHeader(bytes, 1024).hopByHopId, 0x11223344);
  });

  it('rejects an AVP overrunning the message with 5014', () => {
    const bytes = Buffer.from(DWR_BYTES);
    bytes.writeUIntBE(0x40, 49, 3); // the last AVP (at 44) claims 64 bytes
    assert.equal(errorOf(() => decodeMessage(bytes)).resultCode, 5014);
  });

  it('throws nothing but DiameterError for thousands of random mutations of a valid message', () => {
    const random = prng(0xd1a3e7e5);
    let rejected = 0;
    for (let i = 0; i < 3000; i += 1) {
      const bytes = Buffer.from(DWR_BYTES);
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f += 1) {
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      try {
        decodeMessage(bytes);
      } catch (err) {
        assert.ok(err instanceof DiameterError, `mutation ${i} threw ${String(err)}`);
        rejected += 1;
      }
    }
    assert.ok(rejected > 0);
  });
});

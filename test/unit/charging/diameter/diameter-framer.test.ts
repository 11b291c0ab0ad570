import assert from 'node:assert/strict';
import { avp } from '../../../../src/charging/diameter/avp-codec';
import { deviceWatchdogRequest } from '../../../../src/charging/diameter/diameter-base-messages';
import { AVP } from '../../../../src/charging/diameter/diameter-dictionary';
import { DiameterFramer } from '../../../../src/charging/diameter/diameter-framer';
import { decodeMessage, encodeMessage } from '../../../../src/charging/diameter/diameter-message';

function message(endToEndId: number, padding = 0): Buffer {
  const dwr = deviceWatchdogRequest({ originHost: 'as.client.test', originRealm: 'client.test' }, 1, {
    hopByHopId: endToEndId,
    endToEndId,
  });
  return encodeMessage({
    ...dwr,
    avps: [...dwr.avps, ...(padding ? [avp(AVP.PROXY_STATE, Buffer.alloc(padding))] : [])],
  });
}

const ids = (frames: Buffer[]): number[] => frames.map((f) => decodeMessage(f).endToEndId);

describe('Diameter stream framer', () => {
  it('returns a message that arrives whole in one chunk', () => {
    const framer = new DiameterFramer(65_536);
    const out = framer.push(message(1));
    assert.equal(out.error, null);
    assert.deepEqual(ids(out.messages), [1]);
    assert.equal(framer.bufferedBytes, 0);
  });

  it('keeps partial reads until the message is complete, even one byte at a time', () => {
    const framer = new DiameterFramer(65_536);
    const bytes = message(7, 37);
    const frames: Buffer[] = [];
    for (const byte of bytes) frames.push(...framer.push(Buffer.from([byte])).messages);
    assert.deepEqual(ids(frames), [7]);
    assert.deepEqual(frames[0], bytes);
  });

  it('returns every message of a chunk holding several, and keeps the start of the next', () => {
    const framer = new DiameterFramer(65_536);
    const third = message(3);
    const chunk = Buffer.concat([message(1), message(2, 5), third.subarray(0, 10)]);
    assert.deepEqual(ids(framer.push(chunk).messages), [1, 2]);
    assert.equal(framer.bufferedBytes, 10);
    assert.deepEqual(ids(framer.push(third.subarray(10)).messages), [3]);
  });

  it('handles a header split across chunks', () => {
    const framer = new DiameterFramer(65_536);
    const bytes = message(9);
    assert.deepEqual(framer.push(bytes.subarray(0, 2)).messages, []);
    assert.deepEqual(framer.push(bytes.subarray(2, 3)).messages, []);
    assert.deepEqual(ids(framer.push(bytes.subarray(3)).messages), [9]);
  });

  it('reports a message over the maximum as soon as its length is known, before it arrives', () => {
    const framer = new DiameterFramer(256);
    const out = framer.push(message(1, 400).subarray(0, 4));
    assert.equal(out.error?.code, 'DIAMETER.TOO_LARGE');
  });

  it('returns the messages before a bad header, then reports the error on every later push', () => {
    const framer = new DiameterFramer(65_536);
    const bad = Buffer.from(message(2));
    bad[0] = 9;
    const out = framer.push(Buffer.concat([message(1), bad]));
    assert.deepEqual(ids(out.messages), [1]);
    assert.equal(out.error?.code, 'DIAMETER.UNSUPPORTED_VERSION');
    const later = framer.push(message(3));
    assert.deepEqual(later.messages, []);
    assert.equal(later.error?.code, 'DIAMETER.UNSUPPORTED_VERSION');
  });

  it('reports a length that is not a multiple of 4 or shorter than the header', () => {
    const odd = Buffer.from(message(1));
    odd.writeUIntBE(odd.length - 1, 1, 3);
    assert.equal(new DiameterFramer(65_536).push(odd).error?.code, 'DIAMETER.MALFORMED');
    const short = Buffer.from(message(1));
    short.writeUIntBE(8, 1, 3);
    assert.equal(new DiameterFramer(65_536).push(short).error?.code, 'DIAMETER.MALFORMED');
  });
});

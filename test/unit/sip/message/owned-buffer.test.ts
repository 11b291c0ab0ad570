import assert from 'node:assert/strict';
import { ownedBuffer } from '../../../../src/sip/message/owned-buffer';

describe('ownedBuffer', () => {
  it('holds exactly the UTF-8 bytes of the text, in an ArrayBuffer of that size', () => {
    for (const text of ['', 'v=0\r\n', 's=Café ☎\r\n', 'x'.repeat(5000)]) {
      const out = ownedBuffer(text);
      assert.deepEqual(out, Buffer.from(text, 'utf8'));
      assert.equal(out.buffer.byteLength, Buffer.byteLength(text, 'utf8'));
    }
  });
});

import assert from 'node:assert/strict';
import { freeMediaPort, isFree, MEDIA_PORTS } from '../../support/sipp/free-port';

describe('SIPp harness: media ports', () => {
  it('hands out media port pairs below the ephemeral range, free, and never the same twice in a row of SIPps', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 20; i++) ports.push(await freeMediaPort('127.0.0.1'));
    assert.equal(new Set(ports).size, ports.length, 'each SIPp its own pair');
    for (const port of ports) {
      // Below 32768: no bind to port 0 can take one between our check and SIPp's bind.
      assert.ok(port >= MEDIA_PORTS.first && port + 2 <= MEDIA_PORTS.last + 2, `${port} in range`);
      assert.ok(port + 2 < 32_768);
      assert.ok(await isFree('udp', '127.0.0.1', port + 2));
    }
  });
});

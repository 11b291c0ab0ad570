import assert from 'node:assert/strict';
import { freeMediaPort, freeSippPort, isFree, SIPP_PORTS } from '../../support/sipp/free-port';

describe('SIPp harness: ports', () => {
  it('hands SIPp its ports from below the ephemeral range, free, and never the same port to two SIPps', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 10; i++) {
      ports.push(await freeMediaPort('127.0.0.1'));
      ports.push(await freeSippPort(i % 2 === 0 ? 'udp' : 'tcp', '127.0.0.1'));
    }
    assert.equal(new Set(ports).size, ports.length, 'no port handed out twice');
    for (const port of ports) {
      // Below 32768: no bind to port 0 can take one between our check and SIPp's bind.
      assert.ok(port >= SIPP_PORTS.first && port + 2 <= SIPP_PORTS.last + 2, `${port} in range`);
      assert.ok(port + 2 < 32_768);
    }
    const media = await freeMediaPort('127.0.0.1');
    for (const port of [media, media + 2]) {
      assert.ok(await isFree('udp', '127.0.0.1', port), `${port} free`);
    }
  });
});

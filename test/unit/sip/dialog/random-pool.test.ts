import assert from 'node:assert/strict';
import { newBranch } from '../../../../src/sip/transaction/branch';
import { newCallId, newTag } from '../../../../src/sip/dialog/identifiers';
import { RandomPool } from '../../../../src/sip/dialog/random-pool';

describe('random identifiers from a pooled CSPRNG buffer', () => {
  it('never hands out the same bytes twice, across refills of the pool', () => {
    const pool = new RandomPool(64);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(pool.hex(8)); // 1600 bytes: 25 refills of 64
    assert.equal(seen.size, 200);
  });

  it('encodes the asked number of bytes: hex 2 characters a byte, base64url token characters', () => {
    const pool = new RandomPool(32);
    assert.match(pool.hex(8), /^[0-9a-f]{16}$/);
    assert.match(pool.base64url(12), /^[A-Za-z0-9_-]{16}$/);
    assert.throws(() => pool.hex(33), RangeError);
  });

  it('makes tags of 64 bits, Call-IDs of 128 bits at our host, branches with the magic cookie', () => {
    assert.match(newTag(), /^[0-9a-f]{16}$/);
    assert.match(newCallId('[::1]'), /^[0-9a-f]{32}@::1$/);
    assert.match(newBranch(), /^z9hG4bK[A-Za-z0-9_-]{16}$/);
    assert.notEqual(newTag(), newTag());
  });
});

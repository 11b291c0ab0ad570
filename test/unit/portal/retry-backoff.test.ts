import assert from 'node:assert/strict';
import { retryDelayMs } from '../../../src/portal/retry-backoff';

describe('retry backoff', () => {
  const policy = { initialMs: 1000, maxMs: 300_000 };

  it('doubles the ceiling after each failed attempt and never exceeds the maximum', () => {
    const ceilings = [0, 1, 2, 3, 8, 9, 50, 10_000].map((n) => retryDelayMs(n, policy, () => 1));
    assert.deepEqual(ceilings, [1000, 2000, 4000, 8000, 256_000, 300_000, 300_000, 300_000]);
  });

  it('draws the delay between half the ceiling and the ceiling', () => {
    assert.equal(
      retryDelayMs(2, policy, () => 0),
      2000,
    );
    assert.equal(
      retryDelayMs(2, policy, () => 0.5),
      3000,
    );
    for (let i = 0; i < 200; i++) {
      const delay = retryDelayMs(4, policy, Math.random);
      assert.ok(delay >= 8000 && delay <= 16_000, `${delay}`);
    }
  });

  it('treats a negative or fractional attempt count as the first attempt and clamps a bad random value', () => {
    assert.equal(
      retryDelayMs(-3, policy, () => 1),
      1000,
    );
    assert.equal(
      retryDelayMs(0.7, policy, () => 1),
      1000,
    );
    assert.equal(
      retryDelayMs(0, policy, () => 7),
      1000,
    );
  });
});

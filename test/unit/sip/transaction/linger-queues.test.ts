import assert from 'node:assert/strict';
import { LingerQueues, type Lingering } from '../../../../src/sip/transaction/linger-queues';
import { FakeClock } from '../../../support/fake-clock';

function recorder(clock: FakeClock, ended: string[], name: string): Lingering {
  return { lingerOver: () => ended.push(`${name}@${clock.now()}`) };
}

describe('LingerQueues: the fixed last waits of transactions (Timers D, I, J, K, L, M)', () => {
  it('ends each wait exactly when it is over, one Node timer per length of wait', () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const queues = new LingerQueues(clock);
    const ended: string[] = [];
    queues.add(32_000, recorder(clock, ended, 'J1'));
    queues.add(5_000, recorder(clock, ended, 'K1'));
    clock.advance(1_000);
    queues.add(32_000, recorder(clock, ended, 'J2'));
    assert.equal(clock.timersPending, 2, 'one timer per length');
    clock.advance(3_999);
    assert.deepEqual(ended, []);
    clock.advance(1);
    clock.advance(26_999);
    assert.deepEqual(ended, [`K1@${t0 + 5_000}`]);
    clock.advance(1);
    assert.deepEqual(ended.slice(1), [`J1@${t0 + 32_000}`]);
    clock.advance(1_000);
    assert.deepEqual(ended.slice(2), [`J2@${t0 + 33_000}`]);
    assert.equal(queues.size, 0);
    assert.equal(clock.timersPending, 0);
  });

  it('ends thousands of waits in order, and takes new ones while ending others', () => {
    const clock = new FakeClock();
    const queues = new LingerQueues(clock);
    const ended: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      queues.add(100, {
        lingerOver: () => {
          ended.push(i);
          if (i === 0) queues.add(100, { lingerOver: () => ended.push(-1) }); // added while firing
        },
      });
      if (i % 1000 === 999) clock.advance(10);
    }
    clock.advance(50); // t = 100: the first thousand are due
    assert.deepEqual(ended.slice(0, 3), [0, 1, 2]);
    assert.equal(ended.length, 1_000);
    clock.advance(20); // t = 120: three thousand ended, more than half the queue (it is compacted)
    assert.equal(ended.length, 3_000);
    clock.advance(80);
    assert.equal(ended.length, 5_001);
    assert.deepEqual(ended, [...Array.from({ length: 5_000 }, (_, i) => i), -1]);
    assert.equal(clock.timersPending, 0);
  });

  it('forgets every wait when cleared', () => {
    const clock = new FakeClock();
    const queues = new LingerQueues(clock);
    const ended: string[] = [];
    queues.add(1_000, recorder(clock, ended, 'L'));
    queues.clear();
    clock.advance(2_000);
    assert.deepEqual(ended, []);
    assert.equal(clock.timersPending, 0);
  });
});

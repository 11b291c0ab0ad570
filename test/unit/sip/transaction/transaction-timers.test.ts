import assert from 'node:assert/strict';
import { TransactionTimers } from '../../../../src/sip/transaction/transaction-timer';
import { FakeClock } from '../../../support/fake-clock';

describe('TransactionTimers: the named timers of one transaction', () => {
  it('runs each slot once, restarts a slot in place, and stops one or all', () => {
    const clock = new FakeClock();
    const timers = new TransactionTimers(clock);
    const fired: string[] = [];
    timers.start(0, 100, () => fired.push('A'));
    timers.start(3, 50, () => fired.push('M')); // a higher slot than any before
    timers.start(1, 300, () => fired.push('B'));
    timers.start(0, 200, () => fired.push('A again')); // replaces the pending A
    assert.equal(clock.timersPending, 3);
    clock.advance(50);
    clock.advance(150);
    assert.deepEqual(fired, ['M', 'A again']);
    timers.start(4, 10, () => fired.push('L'));
    timers.stop(4);
    timers.stopAll();
    assert.equal(clock.timersPending, 0);
    clock.advance(1000);
    assert.deepEqual(fired, ['M', 'A again']);
  });

  it('holds nothing once no timer is pending, fired or stopped, and works again after', () => {
    const clock = new FakeClock();
    const timers = new TransactionTimers(clock);
    const fired: string[] = [];
    assert.equal(timers.pending, false);
    timers.start(0, 100, () => fired.push('A'));
    timers.start(2, 500, () => fired.push('B'));
    assert.equal(timers.pending, true);
    clock.advance(100);
    assert.equal(timers.pending, true, 'B still waits');
    timers.stop(2);
    assert.equal(timers.pending, false);
    timers.start(1, 100, () => timers.start(1, 100, () => fired.push('again')));
    clock.advance(100);
    assert.equal(timers.pending, true, 'restarted from its own callback');
    clock.advance(100);
    assert.equal(timers.pending, false);
    assert.deepEqual(fired, ['A', 'again']);
  });
});

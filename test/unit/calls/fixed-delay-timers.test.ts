import assert from 'node:assert/strict';
import { FixedDelayTimers } from '../../../src/calls/fixed-delay-timers';
import { FakeClock } from '../../support/fake-clock';

describe('FixedDelayTimers (one timeout of a fixed length per item, one Node timer)', () => {
  function timers(delayMs = 1000) {
    const clock = new FakeClock();
    const fired: string[] = [];
    const queue = new FixedDelayTimers<string>(clock, delayMs, (item) => fired.push(item));
    return { clock, fired, queue };
  }

  it('fires each item its delay after it started, oldest first, with a single timer pending', () => {
    const { clock, fired, queue } = timers();
    queue.start('a');
    clock.advance(300);
    queue.start('b');
    assert.equal(clock.timersPending, 1);
    clock.advance(699);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, ['a']);
    clock.advance(299);
    assert.deepEqual(fired, ['a']);
    clock.advance(1);
    assert.deepEqual(fired, ['a', 'b']);
    assert.equal(queue.size, 0);
    assert.equal(clock.timersPending, 0);
  });

  it('forgets a stopped item, and stops its timer when no item waits', () => {
    const { clock, fired, queue } = timers();
    queue.start('a');
    queue.start('b');
    queue.stop('a');
    queue.stop('never-started');
    clock.advance(1000);
    assert.deepEqual(fired, ['b']);
    queue.start('c');
    queue.stop('c');
    assert.equal(clock.timersPending, 0);
    clock.advance(5000);
    assert.deepEqual(fired, ['b']);
  });

  it('starts an item again from now when it is started twice', () => {
    const { clock, fired, queue } = timers();
    queue.start('a');
    queue.start('b');
    clock.advance(500);
    queue.start('a');
    clock.advance(500);
    assert.deepEqual(fired, ['b']);
    clock.advance(500);
    assert.deepEqual(fired, ['b', 'a']);
  });

  it('fires items started from within a firing at their own time', () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    const queue: FixedDelayTimers<string> = new FixedDelayTimers<string>(clock, 1000, (item) => {
      fired.push(item);
      if (item === 'a') queue.start('again');
    });
    queue.start('a');
    clock.advance(1000);
    assert.deepEqual(fired, ['a']);
    clock.advance(1000);
    assert.deepEqual(fired, ['a', 'again']);
  });

  it('clears every item and the timer', () => {
    const { clock, fired, queue } = timers();
    queue.start('a');
    queue.clear();
    assert.equal(clock.timersPending, 0);
    clock.advance(2000);
    assert.deepEqual(fired, []);
  });
});

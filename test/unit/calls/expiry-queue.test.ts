import assert from 'node:assert/strict';
import { ExpiryQueue } from '../../../src/calls/expiry-queue';

describe('ExpiryQueue', () => {
  const taken = (queue: ExpiryQueue, now: number): string[] => {
    const out: string[] = [];
    queue.takeDue(now, (key) => out.push(key));
    return out;
  };

  it('hands out the keys due before now, oldest first, and stops at the first not due', () => {
    const queue = new ExpiryQueue();
    queue.push('a', 10);
    queue.push('b', 20);
    queue.push('c', 30);
    assert.deepEqual(taken(queue, 10), [], 'a key due at now is not yet expired');
    assert.deepEqual(taken(queue, 25), ['a', 'b']);
    assert.equal(queue.length, 1);
    assert.deepEqual(taken(queue, 31), ['c']);
    assert.equal(queue.length, 0);
  });

  it('moves a key pushed again to its new place and forgets a deleted one', () => {
    const queue = new ExpiryQueue();
    queue.push('a', 10);
    queue.push('b', 20);
    queue.push('c', 30);
    queue.push('a', 40);
    queue.delete('b');
    assert.deepEqual(taken(queue, 35), ['c']);
    assert.deepEqual(taken(queue, 41), ['a']);
  });
});

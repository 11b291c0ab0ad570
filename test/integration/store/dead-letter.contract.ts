import assert from 'node:assert/strict';
import { aCopy, aResource, aSubscriber } from './fixtures';
import { rejectsWith, withStore, type StoreFactory } from './store-harness';

const A = '+15550001001';
const B = '+15550001002';
const FAR = '2100-01-01T00:00:00.000Z';

/** Dead letters: messages given up on, out of the queue until replayed; and the outbox statistics. */
export function deadLetterContract(factory: StoreFactory): void {
  const store = withStore(factory);

  beforeEach(async () => {
    for (const id of ['t1', 't2', 't3']) await store().createResource(aResource(id));
    await store().createSubscriber(aSubscriber(A));
    await store().createSubscriber(aSubscriber(B));
  });

  async function queued(n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 1; i <= n; i++) {
      const copy = aCopy(A, B, `t${i}`, `call-${i}`);
      await store().recordCopy(copy);
      out.push(copy.outbox!.id);
    }
    return out;
  }

  it('takes a dead letter out of the queue, counting the attempt and keeping the last error', async () => {
    const [first, second] = await queued(2);
    await store().markOutboxDead(first!, '2099-01-01T00:00:00.000Z', 'HTTP 400 bad record');
    assert.deepEqual(
      (await store().listDueOutbox(FAR, 10)).map((m) => m.id),
      [second],
    );
    const { items, nextCursor } = await store().listDeadLetters();
    assert.equal(nextCursor, null);
    assert.deepEqual(
      items.map((d) => [d.id, d.attempts, d.deadAt, d.lastError, d.deliveredAt]),
      [[first, 1, '2099-01-01T00:00:00.000Z', 'HTTP 400 bad record', null]],
    );
    await rejectsWith(store().markOutboxDead('ghost', FAR, 'x'), 'STORE.NOT_FOUND');
  });

  it('lists dead letters oldest first, page by page', async () => {
    const all = await queued(3);
    for (const id of all) await store().markOutboxDead(id, FAR, 'gone');
    const one = await store().listDeadLetters({ limit: 2 });
    const two = await store().listDeadLetters({ limit: 2, cursor: one.nextCursor });
    assert.deepEqual(
      [...one.items, ...two.items].map((d) => d.id),
      all,
    );
    assert.equal(two.nextCursor, null);
    await rejectsWith(store().listDeadLetters({ cursor: 'bm90IGEgY3Vyc29y' }), 'STORE.INVALID_CURSOR');
  });

  it('replays a dead letter: back in the queue, due at once, attempts from zero', async () => {
    const [id] = await queued(1);
    await store().rescheduleOutbox(id!, '2099-01-01T00:00:00.000Z');
    await store().markOutboxDead(id!, '2099-01-01T00:00:00.000Z', 'HTTP 410');
    const replayed = await store().replayDeadLetter(id!, '2099-02-01T00:00:00.000Z');
    assert.deepEqual([replayed.id, replayed.attempts, replayed.nextAttemptAt], [id, 0, '2099-02-01T00:00:00.000Z']);
    assert.deepEqual(
      (await store().listDueOutbox('2099-02-01T00:00:00.000Z', 10)).map((m) => m.id),
      [id],
    );
    assert.deepEqual((await store().listDeadLetters()).items, []);
    await rejectsWith(store().replayDeadLetter(id!, FAR), 'STORE.NOT_FOUND');
    await rejectsWith(store().replayDeadLetter('ghost', FAR), 'STORE.NOT_FOUND');
  });

  it('counts the queue, its oldest message and the dead letters', async () => {
    assert.deepEqual(await store().outboxStats(), { depth: 0, oldestCreatedAt: null, deadLetters: 0 });
    const [first, second, third] = await queued(3);
    const oldest = (await store().listDueOutbox(FAR, 10))[0]!.createdAt;
    await store().markOutboxDelivered(second!, FAR);
    await store().markOutboxDead(first!, FAR, 'HTTP 400');
    const secondOldest = (await store().listDueOutbox(FAR, 10)).find((m) => m.id === third)!.createdAt;
    assert.ok(oldest < secondOldest);
    assert.deepEqual(await store().outboxStats(), { depth: 1, oldestCreatedAt: secondOldest, deadLetters: 1 });
  });
}

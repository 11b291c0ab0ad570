import assert from 'node:assert/strict';
import { ALICE, BOB, copyWrite, NOW, path, resourceDoc, startApi, subscriberDoc, type ApiHarness } from './api-harness';

type PageJson = { items: Record<string, unknown>[]; next: string | null };

describe('Dead letters of the portal feed through the API', () => {
  let h: ApiHarness;

  beforeEach(async () => {
    h = await startApi();
    await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE), body: subscriberDoc(ALICE) });
    await h.call({ method: 'PUT', path: path('v1/subscribers', BOB), body: subscriberDoc(BOB) });
    for (const id of ['a', 'b', 'c']) {
      await h.call({ method: 'PUT', path: path('v1/resources', id), body: resourceDoc(id) });
      const at = '2025-01-15T09:00:00.000Z';
      const write = copyWrite(ALICE, BOB, id, `call-${id}`, at);
      const outbox = {
        id: `outbox-${id}`,
        topic: 'copy-record',
        payload: write.record,
        createdAt: at,
        attempts: 0,
        nextAttemptAt: at,
        deliveredAt: null,
      };
      await h.store.recordCopy({ ...write, outbox });
    }
    await h.store.markOutboxDead('outbox-a', '2025-01-15T09:10:00.000Z', 'HTTP 400 {"error":"bad record"}');
    await h.store.markOutboxDead('outbox-c', '2025-01-15T09:20:00.000Z', 'HTTP 503');
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('lists dead letters oldest first, page by page, with why each was given up', async () => {
    const first = await h.call({ method: 'GET', path: '/v1/portal/dead-letters?limit=1' });
    assert.equal(first.status, 200);
    const page1 = first.json as PageJson;
    assert.deepEqual(
      page1.items.map((d) => [d['id'], d['attempts'], d['deadAt'], d['lastError']]),
      [['outbox-a', 1, '2025-01-15T09:10:00.000Z', 'HTTP 400 {"error":"bad record"}']],
    );
    assert.equal((page1.items[0]?.['payload'] as { requester: string }).requester, ALICE);
    const second = await h.call({
      method: 'GET',
      path: `/v1/portal/dead-letters?limit=1&cursor=${encodeURIComponent(page1.next!)}`,
    });
    const page2 = second.json as PageJson;
    assert.deepEqual(
      page2.items.map((d) => d['id']),
      ['outbox-c'],
    );
    assert.equal(page2.next, null);
  });

  it('replays a dead letter: due now, attempts from zero, back in the queue and off the list', async () => {
    const answer = await h.call({ method: 'POST', path: '/v1/portal/dead-letters/outbox-a/replay' });
    assert.equal(answer.status, 200);
    const body = answer.json as Record<string, unknown>;
    assert.deepEqual(
      [body['id'], body['attempts'], body['nextAttemptAt']],
      ['outbox-a', 0, new Date(NOW).toISOString()],
    );
    assert.deepEqual(
      (await h.store.listDueOutbox(new Date(NOW).toISOString(), 10)).map((m) => m.id),
      ['outbox-a', 'outbox-b'],
    );
    const left = (await h.call({ method: 'GET', path: '/v1/portal/dead-letters' })).json as PageJson;
    assert.deepEqual(
      left.items.map((d) => d['id']),
      ['outbox-c'],
    );
  });

  it('answers 404 for a message that is not a dead letter, and 400 for an id that cannot be one', async () => {
    assert.equal((await h.call({ method: 'POST', path: '/v1/portal/dead-letters/outbox-b/replay' })).status, 404);
    assert.equal((await h.call({ method: 'POST', path: '/v1/portal/dead-letters/nope/replay' })).status, 404);
    const bad = await h.call({ method: 'POST', path: `/v1/portal/dead-letters/${encodeURIComponent('a b')}/replay` });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /path\.outboxId/);
    assert.equal((await h.call({ method: 'GET', path: '/v1/portal/dead-letters?limt=5' })).status, 400);
  });

  it('needs the bearer token', async () => {
    assert.equal((await h.call({ method: 'GET', path: '/v1/portal/dead-letters', token: null })).status, 401);
    const replay = await h.call({ method: 'POST', path: '/v1/portal/dead-letters/outbox-a/replay', token: 'wrong' });
    assert.equal(replay.status, 401);
    assert.equal((await h.store.listDeadLetters()).items.length, 2, 'nothing replayed');
  });
});

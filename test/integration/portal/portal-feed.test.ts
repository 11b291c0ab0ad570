import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../src/clock';
import type { OutboxMessage } from '../../../src/cmr/model';
import type { CmrStore } from '../../../src/cmr/ports/cmr-store.port';
import type { PortalClient, PortalDelivery } from '../../../src/cmr/ports/portal-client.port';
import { silentLogger } from '../../../src/observability/logger';
import { createPortalFeed, type PortalDeliveryService } from '../../../src/portal/create-portal-feed';
import { HttpPortalClient } from '../../../src/portal/http-portal.adapter';
import { PENDING_HORIZON, PortalFeed } from '../../../src/portal/portal-feed';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.adapter';
import { FakePortalServer } from '../../support/fake-portal-server';
import { aCopy, aResource, aSubscriber } from '../store/fixtures';

const A = '+15550001001';
const B = '+15550001002';
const C = '+15550001003';

/** The HTTP client, plus an event per attempt so the test can wait for "the feed has tried". */
class WatchedClient implements PortalClient {
  attempts = 0;
  private readonly events = new EventEmitter();
  constructor(private readonly inner: PortalClient) {}

  async deliver(message: OutboxMessage): Promise<PortalDelivery> {
    const delivery = await this.inner.deliver(message);
    this.attempts++;
    this.events.emit('attempt');
    return delivery;
  }

  async waitForAttempts(count: number, timeoutMs = 5000): Promise<void> {
    const signal = AbortSignal.timeout(timeoutMs);
    while (this.attempts < count) await once(this.events, 'attempt', { signal });
  }
}

describe('PortalFeed with a SQLite store and the test portal', function () {
  this.timeout(20_000);
  let dir: string;
  let path: string;
  let store: CmrStore;
  let portal: FakePortalServer;
  let http: HttpPortalClient;
  let client: WatchedClient;
  let feed: PortalFeed | null;

  function startFeed(): PortalFeed {
    const f = new PortalFeed({
      store,
      client,
      clock: systemClock,
      logger: silentLogger(),
      pollIntervalMs: 20,
      initialBackoffMs: 10,
      maxBackoffMs: 80,
    });
    f.start();
    feed = f;
    return f;
  }

  /** Records a copy of `resourceId` by `requester` and returns its outbox message id. */
  async function recordCopy(requester: string, resourceId: string, callId: string): Promise<string> {
    const write = aCopy(requester, A, resourceId, callId);
    const at = new Date().toISOString();
    const outbox = { ...write.outbox!, createdAt: at, nextAttemptAt: at };
    await store.recordCopy({ ...write, outbox });
    return outbox.id;
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cmr-portal-feed-'));
    path = join(dir, 'store.db');
    store = await openSqliteStore({ path }, silentLogger());
    for (const id of ['t1', 't2', 't3', 't4']) await store.createResource(aResource(id));
    for (const who of [A, B, C]) await store.createSubscriber(aSubscriber(who));
    portal = await FakePortalServer.start();
    http = new HttpPortalClient({ url: portal.url, timeoutMs: 500, logger: silentLogger() });
    client = new WatchedClient(http);
    feed = null;
  });

  afterEach(async () => {
    await feed?.stop();
    await http.close();
    await portal.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every record exactly once and in each requester’s order after the portal was down for a while', async () => {
    await portal.goDown();
    const ids = [
      await recordCopy(B, 't1', 'call-1'),
      await recordCopy(C, 't1', 'call-2'),
      await recordCopy(B, 't2', 'call-3'),
    ];
    const f = startFeed();
    await client.waitForAttempts(4);
    ids.push(await recordCopy(B, 't3', 'call-4'), await recordCopy(C, 't2', 'call-5'));
    f.wake();
    await client.waitForAttempts(client.attempts + 2);
    assert.equal(portal.accepted.length, 0);

    await portal.comeBack();
    await portal.waitForAccepted(ids.length);
    await f.stop();

    const keys = portal.accepted.map((r) => r.idempotencyKey);
    assert.deepEqual([...keys].sort(), [...ids].sort(), 'every record, once');
    assert.equal(portal.requests.filter((r) => r.status === 200).length, ids.length, 'no record was sent twice');
    const orderOf = (who: string): string[] =>
      portal.accepted.filter((r) => (r.body as { requester: string }).requester === who).map((r) => r.idempotencyKey);
    assert.deepEqual(orderOf(B), [ids[0], ids[2], ids[3]]);
    assert.deepEqual(orderOf(C), [ids[1], ids[4]]);
    assert.deepEqual(await store.listDueOutbox(PENDING_HORIZON, 100), [], 'nothing left in the outbox');
    assert.equal(f.stats().delivered, ids.length);
    assert.ok(f.stats().retried >= 4);
  });

  it('does not lose a record written while the portal is down when the feed and the store restart', async () => {
    await portal.goDown();
    const f = startFeed();
    const id = await recordCopy(B, 't1', 'call-1');
    f.wake();
    await client.waitForAttempts(2);
    await f.stop();
    await store.close();

    store = await openSqliteStore({ path }, silentLogger());
    const [waiting] = await store.listDueOutbox(PENDING_HORIZON, 10);
    assert.equal(waiting?.id, id);
    assert.ok(waiting.attempts >= 2, 'the failed attempts were counted');
    await portal.comeBack();
    startFeed();
    await portal.waitForAccepted(1);
    assert.deepEqual(portal.accepted[0], { idempotencyKey: id, body: waiting.payload });
  });

  it('makes a record the portal refuses a dead letter and still delivers the requester’s later ones', async () => {
    const refused = await recordCopy(B, 't1', 'call-1');
    const later = await recordCopy(B, 't2', 'call-2');
    portal.rejectKeys.add(refused);
    const f = startFeed();
    await portal.waitForAccepted(1);
    await f.stop();
    assert.deepEqual(
      portal.accepted.map((r) => r.idempotencyKey),
      [later],
    );
    assert.deepEqual(f.stats(), { delivered: 1, retried: 0, rejected: 1, dead: 1, depth: 0 });
    assert.deepEqual(await store.listDueOutbox(PENDING_HORIZON, 10), [], 'the dead letter is out of the way');
    const dead = await store.listDeadLetters();
    assert.deepEqual(
      dead.items.map((d) => [d.id, d.attempts, d.lastError]),
      [[refused, 1, 'HTTP 400 {"status":400}']],
      'but kept',
    );
  });

  it('delivers a replayed dead letter once, in its requester’s order before later records', async () => {
    portal.failWith(503);
    const first = await recordCopy(B, 't1', 'call-1');
    const f = new PortalFeed({
      store,
      client,
      clock: systemClock,
      logger: silentLogger(),
      pollIntervalMs: 20,
      initialBackoffMs: 10,
      maxBackoffMs: 40,
      maxAttempts: 2,
    });
    f.start();
    feed = f;
    await client.waitForAttempts(2);
    await f.idle();
    assert.deepEqual(
      (await store.listDeadLetters()).items.map((d) => d.id),
      [first],
    );
    await f.stop();
    const later = await recordCopy(B, 't2', 'call-2');
    await store.replayDeadLetter(first, new Date().toISOString());
    portal.failWith(null);
    const again = startFeed();
    await portal.waitForAccepted(2);
    await again.idle();
    assert.deepEqual(
      portal.accepted.map((r) => r.idempotencyKey),
      [first, later],
    );
    assert.deepEqual(await store.outboxStats(), { depth: 0, oldestCreatedAt: null, deadLetters: 0 });
  });

  it('signs every record it delivers when portal.hmacSecret is set', async () => {
    portal.secret = 'feed-secret';
    await recordCopy(B, 't1', 'call-1');
    const service = createPortalFeed(
      {
        url: portal.url,
        timeoutMs: 500,
        pollIntervalMs: 50,
        maxBackoffMs: 1000,
        maxAttempts: 5,
        hmacSecret: 'feed-secret',
      },
      { store, logger: silentLogger(), clock: systemClock },
    );
    service.feed.start();
    await portal.waitForAccepted(1);
    await service.close();
    assert.deepEqual(
      portal.requests.map((r) => [r.status, r.signatureValid]),
      [[200, true]],
    );
  });

  it('is wired from the portal configuration by createPortalFeed', async () => {
    const id = await recordCopy(B, 't1', 'call-1');
    const service: PortalDeliveryService = createPortalFeed(
      { url: portal.url, timeoutMs: 500, pollIntervalMs: 50, maxBackoffMs: 1000, maxAttempts: 5, hmacSecret: '' },
      { store, logger: silentLogger(), clock: systemClock },
    );
    service.feed.start();
    await portal.waitForAccepted(1);
    await service.close();
    assert.equal(portal.accepted[0]?.idempotencyKey, id);
  });
});

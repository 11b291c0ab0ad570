import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutboxMessage } from '../../../src/cmr/model';
import type { PortalClient, PortalDelivery } from '../../../src/cmr/ports/portal-client.port';
import { PortalFeed, type PortalFeedOptions } from '../../../src/portal/portal-feed';
import { FakeClock } from '../../support/fake-clock';
import { LogLines } from './log-lines';
import { MemoryOutbox } from './memory-outbox';

const A = '+15550001001';
const B = '+15550001002';
const POLL = 1000;

interface Defaults {
  portal: { pollIntervalMs: number; maxBackoffMs: number; maxAttempts: number };
}

/** A portal client whose answer per message is scripted; every attempt is recorded. */
class ScriptedClient implements PortalClient {
  readonly attempts: string[] = [];
  /** Answers by message id, consumed in order; when none is left the record is delivered. */
  readonly script = new Map<string, (PortalDelivery | 'throw' | Promise<PortalDelivery>)[]>();

  async deliver(message: OutboxMessage): Promise<PortalDelivery> {
    this.attempts.push(message.id);
    const next = this.script.get(message.id)?.shift();
    if (next === 'throw') throw new Error('socket exploded');
    return next ?? { status: 'delivered' };
  }

  failing(id: string, times: number): void {
    this.script.set(
      id,
      Array.from({ length: times }, () => ({ status: 'retry', detail: 'HTTP 503' }) as const),
    );
  }
}

/** Lets queued promise callbacks run until `condition` holds (at most 100 turns). */
async function settleUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(condition(), 'condition not reached');
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('PortalFeed', () => {
  let clock: FakeClock;
  let outbox: MemoryOutbox;
  let client: ScriptedClient;
  let log: LogLines;
  let feed: PortalFeed;

  function newFeed(over: Partial<PortalFeedOptions> = {}): PortalFeed {
    return new PortalFeed({
      store: outbox,
      client,
      clock,
      logger: log,
      pollIntervalMs: POLL,
      maxBackoffMs: 8000,
      random: () => 1,
      ...over,
    });
  }

  /** Moves the clock one poll at a time, letting each pass finish. */
  async function poll(times = 1): Promise<void> {
    for (let i = 0; i < times; i++) {
      clock.advance(POLL);
      await feed.idle();
    }
  }

  beforeEach(() => {
    clock = new FakeClock();
    outbox = new MemoryOutbox(() => clock.now());
    client = new ScriptedClient();
    log = new LogLines();
    feed = newFeed();
  });

  afterEach(async () => {
    await feed.stop();
  });

  it('delivers the due records oldest first and marks each one delivered', async () => {
    outbox.add('m1', A);
    outbox.add('m2', B);
    outbox.add('m3', null);
    feed.start();
    await feed.idle();
    assert.deepEqual(client.attempts, ['m1', 'm2', 'm3']);
    for (const id of ['m1', 'm2', 'm3']) assert.equal(outbox.get(id).deliveredAt, new Date(clock.now()).toISOString());
  });

  it('retries a failing record with delays that double up to maxBackoffMs', async () => {
    outbox.add('m1', A);
    client.failing('m1', 5);
    feed.start();
    await feed.idle();
    await poll(30);
    const delays = outbox.reschedules.map((r) => Date.parse(r.nextAttemptAt) - r.at);
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 8000]);
    assert.equal(client.attempts.length, 6);
    assert.notEqual(outbox.get('m1').deliveredAt, null);
    assert.equal(outbox.get('m1').attempts, 5);
  });

  it('draws each delay between half and all of its ceiling', async () => {
    feed = newFeed({ random: () => 0 });
    outbox.add('m1', A);
    client.failing('m1', 4);
    feed.start();
    await feed.idle();
    await poll(20);
    const delays = outbox.reschedules.map((r) => Date.parse(r.nextAttemptAt) - r.at);
    assert.deepEqual(delays, [500, 1000, 2000, 4000]);
  });

  it('holds back a requester’s later records while an earlier one waits, and lets other requesters through', async () => {
    outbox.add('a1', A);
    outbox.add('a2', A);
    outbox.add('b1', B);
    client.failing('a1', 2);
    feed.start();
    await feed.idle();
    assert.deepEqual(client.attempts, ['a1', 'b1']);
    await poll(1);
    assert.deepEqual(client.attempts, ['a1', 'b1', 'a1'], 'a2 still waits behind a1');
    await poll(2);
    assert.deepEqual(client.attempts, ['a1', 'b1', 'a1', 'a1', 'a2']);
    assert.notEqual(outbox.get('a2').deliveredAt, null);
    assert.equal(outbox.get('a2').attempts, 0, 'a held-back record is not counted as an attempt');
  });

  it('keeps a requester’s order across a restart of the feed', async () => {
    outbox.add('a1', A);
    client.failing('a1', 1);
    feed.start();
    await feed.idle();
    await feed.stop();
    outbox.add('a2', A);
    feed = newFeed();
    feed.start();
    await feed.idle();
    assert.deepEqual(client.attempts, ['a1'], 'a2 is due but a1 is older and not yet due');
    await poll(1);
    assert.deepEqual(client.attempts, ['a1', 'a1', 'a2']);
  });

  it('makes a rejected record a dead letter, logs it at error and lets the requester’s later records go', async () => {
    outbox.add('a1', A);
    outbox.add('a2', A);
    client.script.set('a1', [{ status: 'rejected', detail: 'HTTP 400 bad record' }]);
    feed.start();
    await feed.idle();
    assert.deepEqual(client.attempts, ['a1', 'a2']);
    assert.equal(outbox.dead.get('a1'), 'HTTP 400 bad record');
    assert.equal(outbox.get('a1').deliveredAt, null);
    const errors = log.at('error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.message, 'portal rejected a record');
    assert.equal(errors[0]!.meta['outboxId'], 'a1');
    assert.equal(errors[0]!.meta['requester'], '+********001', 'the number is masked');
    await poll(5);
    assert.deepEqual(client.attempts, ['a1', 'a2'], 'a dead letter is not tried again');
  });

  it('makes a record a dead letter after maxAttempts failed deliveries and lets the requester’s later ones through', async () => {
    feed = newFeed({ maxAttempts: 3 });
    outbox.add('a1', A);
    outbox.add('a2', A);
    client.failing('a1', 10);
    feed.start();
    await feed.idle();
    await poll(10);
    assert.deepEqual(client.attempts, ['a1', 'a1', 'a1', 'a2']);
    assert.equal(outbox.dead.get('a1'), 'HTTP 503');
    assert.equal(outbox.get('a1').attempts, 3);
    assert.notEqual(outbox.get('a2').deliveredAt, null);
    assert.equal(log.at('error')[0]?.message, 'portal record out of attempts: dead letter');
    assert.deepEqual(feed.stats(), { delivered: 1, retried: 2, rejected: 0, dead: 1, depth: 0 });
  });

  it('loses nothing and buries nothing while the portal is down for an hour, with the default settings', async () => {
    const defaults = (JSON.parse(readFileSync(join(__dirname, '../../../config/default.json'), 'utf8')) as Defaults)
      .portal;
    feed = newFeed({
      pollIntervalMs: defaults.pollIntervalMs,
      maxBackoffMs: defaults.maxBackoffMs,
      maxAttempts: defaults.maxAttempts,
      random: () => 0.5,
    });
    const backUpAt = clock.now() + 3_600_000;
    const ids = ['m1', 'm2', 'm3', 'm4', 'm5'];
    ids.forEach((id, i) => outbox.add(id, i % 2 === 0 ? A : B));
    const deliver = client.deliver.bind(client);
    client.deliver = async (message) => {
      await deliver(message);
      return clock.now() < backUpAt ? { status: 'retry', detail: 'ECONNREFUSED' } : { status: 'delivered' };
    };
    feed.start();
    await feed.idle();
    const undelivered = () => ids.filter((id) => outbox.get(id).deliveredAt === null);
    // Two simulated hours at most, one poll interval at a time.
    for (let i = 0; i < 7200 && undelivered().length > 0; i++) {
      clock.advance(defaults.pollIntervalMs);
      await feed.idle();
    }
    assert.deepEqual(undelivered(), []);
    assert.equal(outbox.dead.size, 0, 'no dead letters');
    const last = Math.max(...ids.map((id) => Date.parse(outbox.get(id).deliveredAt!)));
    assert.ok(last - backUpAt <= defaults.maxBackoffMs + defaults.pollIntervalMs, 'within one backoff of coming back');
    assert.ok(client.attempts.length < 200, `a bounded number of attempts (${client.attempts.length})`);
  });

  it('picks up a record written after a pass at the next poll, not before', async () => {
    feed.start();
    await feed.idle();
    outbox.add('m1', A);
    clock.advance(POLL - 1);
    await feed.idle();
    assert.deepEqual(client.attempts, []);
    clock.advance(1);
    await feed.idle();
    assert.deepEqual(client.attempts, ['m1']);
  });

  it('delivers at once when woken after a new record', async () => {
    feed.start();
    await feed.idle();
    outbox.add('m1', A);
    feed.wake();
    await feed.idle();
    assert.deepEqual(client.attempts, ['m1']);
  });

  it('runs another pass right after the current one when woken during it', async () => {
    const answer = deferred<PortalDelivery>();
    client.script.set('m1', [answer.promise]);
    outbox.add('m1', A);
    feed.start();
    await settleUntil(() => client.attempts.length === 1);
    outbox.add('m2', B);
    feed.wake();
    answer.resolve({ status: 'delivered' });
    await feed.idle();
    assert.deepEqual(client.attempts, ['m1', 'm2']);
  });

  it('stops after recording the delivery in flight, delivers nothing more and leaves no timer', async () => {
    const answer = deferred<PortalDelivery>();
    client.script.set('m1', [answer.promise]);
    outbox.add('m1', A);
    outbox.add('m2', B);
    feed.start();
    await settleUntil(() => client.attempts.length === 1);
    let stopped = false;
    const stopping = feed.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(stopped, false, 'stop waits for the delivery in flight');
    answer.resolve({ status: 'delivered' });
    await stopping;
    assert.notEqual(outbox.get('m1').deliveredAt, null);
    assert.deepEqual(client.attempts, ['m1']);
    assert.equal(clock.timersPending, 0);
    feed.wake();
    clock.advance(10 * POLL);
    await feed.idle();
    assert.deepEqual(client.attempts, ['m1']);
  });

  it('counts delivered, retried and rejected records and the depth left behind', async () => {
    outbox.add('m1', A);
    outbox.add('m2', B);
    outbox.add('m3', 'sip:carol@example.com');
    outbox.add('m4', B);
    client.failing('m2', 1);
    client.script.set('m3', [{ status: 'rejected', detail: 'HTTP 422' }]);
    feed.start();
    await feed.idle();
    assert.deepEqual(feed.stats(), { delivered: 1, retried: 1, rejected: 1, dead: 1, depth: 2 });
    await poll(1);
    assert.deepEqual(feed.stats(), { delivered: 3, retried: 1, rejected: 1, dead: 1, depth: 0 });
  });

  it('goes on at once while full batches make progress', async () => {
    feed = newFeed({ batchSize: 2 });
    for (let i = 1; i <= 5; i++) outbox.add(`m${i}`, `+1555000100${i}`);
    feed.start();
    await feed.idle();
    assert.deepEqual(client.attempts, ['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('tries again at the next poll when the store cannot be read', async () => {
    outbox.add('m1', A);
    outbox.failReads = 1;
    feed.start();
    await feed.idle();
    assert.deepEqual(client.attempts, []);
    assert.equal(log.at('warn')[0]?.message, 'portal feed cannot read the outbox');
    await poll(1);
    assert.deepEqual(client.attempts, ['m1']);
  });

  it('treats a client that throws as a failed attempt to retry', async () => {
    outbox.add('m1', A);
    client.script.set('m1', ['throw']);
    feed.start();
    await feed.idle();
    assert.equal(outbox.get('m1').attempts, 1);
    assert.equal(outbox.get('m1').deliveredAt, null);
    await poll(1);
    assert.notEqual(outbox.get('m1').deliveredAt, null);
  });
});

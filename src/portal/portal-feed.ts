import type { Clock, TimerHandle } from '../clock';
import type { IsoInstant, OutboxMessage } from '../cmr/model';
import type { CmrStore } from '../cmr/ports/cmr-store.port';
import type { PortalClient, PortalDelivery } from '../cmr/ports/portal-client.port';
import { maskIdentity, type Logger } from '../observability/logger';
import { retryDelayMs } from './retry-backoff';

/** The part of the store the feed uses. */
export type OutboxStore = Pick<
  CmrStore,
  'listDueOutbox' | 'markOutboxDelivered' | 'rescheduleOutbox' | 'markOutboxDead'
>;

/** Listing "due at" this instant lists every undelivered message that is not a dead letter, oldest first. */
export const PENDING_HORIZON: IsoInstant = '9999-01-01T00:00:00.000Z';

export const DEFAULT_BATCH_SIZE = 200;
/** Failed deliveries before a message becomes a dead letter, when `maxAttempts` is not given. */
export const DEFAULT_MAX_ATTEMPTS = 100;

export interface PortalFeedOptions {
  readonly store: OutboxStore;
  readonly client: PortalClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Pause between passes when there is nothing more to do (`portal.pollIntervalMs`). */
  readonly pollIntervalMs: number;
  /** Longest retry delay (`portal.maxBackoffMs`). */
  readonly maxBackoffMs: number;
  /** Failed deliveries of one message before it becomes a dead letter (`portal.maxAttempts`). */
  readonly maxAttempts?: number;
  /** Ceiling of the first retry delay; default `min(pollIntervalMs, maxBackoffMs)`. */
  readonly initialBackoffMs?: number;
  /** Messages read per pass; default DEFAULT_BATCH_SIZE. */
  readonly batchSize?: number;
  /** [0, 1) for the backoff jitter; default Math.random. */
  readonly random?: () => number;
  /**
   * Messages with the same key are delivered in order: while one waits for a retry, the later ones wait
   * too. Default: the payload's `requester` field; `null` means the message has no ordering constraint.
   */
  readonly orderingKey?: (message: OutboxMessage) => string | null;
}

/** Counters for metrics. `depth`: undelivered messages (not dead letters) seen by the last pass (at most batchSize). */
export interface PortalFeedStats {
  readonly delivered: number;
  readonly retried: number;
  /** Refused by the portal for good (each also a dead letter). */
  readonly rejected: number;
  /** Made dead letters: refused, or out of attempts. */
  readonly dead: number;
  readonly depth: number;
}

type State = 'stopped' | 'running' | 'stopping';
/** What became of one message in a pass: still queued (holding back its requester's later ones) or not. */
type Settled = 'waiting' | 'out of the queue';

/** The requester of a copy-record payload, the default ordering key. */
export function requesterOf(message: OutboxMessage): string | null {
  const payload = message.payload;
  if (typeof payload !== 'object' || payload === null) return null;
  const requester = (payload as Record<string, unknown>)['requester'];
  return typeof requester === 'string' ? requester : null;
}

/**
 * Delivers the store's outbox to the portal, at least once per message (the portal dedups on the
 * message id it gets as Idempotency-Key), so no record is lost while the portal is down.
 *
 * Each pass reads the oldest undelivered messages (due or not, so it knows which message heads each
 * requester's queue, which survives a restart) and delivers, in order, every due message whose
 * requester has no earlier message waiting. A `retry` reschedules the message with exponential backoff
 * and jitter and holds back that requester's later messages; a `rejected` one, or one that has failed
 * `maxAttempts` times, becomes a dead letter (logged at error; out of the queue, so it no longer holds
 * anything back, until replayed through the API). Passes run every `pollIntervalMs`, at once after `wake()`, and back to back while a full
 * batch made progress. A failing store ends the pass; the next poll tries again.
 */
export class PortalFeed {
  private state: State = 'stopped';
  private timer: TimerHandle | null = null;
  private inFlight: Promise<void> | null = null;
  private wakeRequested = false;
  private counters = { delivered: 0, retried: 0, rejected: 0, dead: 0, depth: 0 };
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly initialBackoffMs: number;
  private readonly maxAttempts: number;
  private readonly random: () => number;
  private readonly orderingKey: (message: OutboxMessage) => string | null;

  constructor(private readonly options: PortalFeedOptions) {
    this.log = options.logger;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.initialBackoffMs = options.initialBackoffMs ?? Math.min(options.pollIntervalMs, options.maxBackoffMs);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.random = options.random ?? Math.random;
    this.orderingKey = options.orderingKey ?? requesterOf;
  }

  /** Starts delivering, with a first pass at once (a backlog left by an earlier run goes first). */
  start(): void {
    if (this.state !== 'stopped') return;
    this.state = 'running';
    this.runPassNow();
  }

  /** A new message was written: deliver now rather than at the next poll. */
  wake(): void {
    if (this.state !== 'running') return;
    if (this.inFlight) {
      this.wakeRequested = true;
      return;
    }
    this.runPassNow();
  }

  /** Stops after the delivery in flight, if any, has been recorded; leaves no timer behind. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    this.cancelTimer();
    await this.inFlight;
    this.wakeRequested = false;
    this.state = 'stopped';
  }

  /** Resolves once no pass is running (tests use it after moving a fake clock). */
  async idle(): Promise<void> {
    for (let i = 0; i < 1000 && this.inFlight; i++) await this.inFlight;
  }

  stats(): PortalFeedStats {
    return { ...this.counters };
  }

  private runPassNow(): void {
    this.cancelTimer();
    this.inFlight = this.pass().then((again) => {
      this.inFlight = null;
      this.afterPass(again);
    });
  }

  private afterPass(again: boolean): void {
    if (this.state !== 'running') return;
    if (again || this.wakeRequested) {
      this.wakeRequested = false;
      this.runPassNow();
      return;
    }
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      if (this.state === 'running') this.runPassNow();
    }, this.options.pollIntervalMs);
  }

  private cancelTimer(): void {
    if (this.timer === null) return;
    this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One pass; true when another should follow at once (a full batch that made progress). Never rejects. */
  private async pass(): Promise<boolean> {
    let pending: readonly OutboxMessage[];
    try {
      pending = await this.options.store.listDueOutbox(PENDING_HORIZON, this.batchSize);
    } catch (err) {
      this.log.warn('portal feed cannot read the outbox', { error: describe(err) });
      return false;
    }
    const now = this.options.clock.now();
    const held = new Set<string>();
    let done = 0;
    for (const message of pending) {
      if (this.state !== 'running') break;
      const key = this.orderingKey(message);
      if (key !== null && held.has(key)) continue;
      if (Date.parse(message.nextAttemptAt) > now) {
        if (key !== null) held.add(key);
        continue;
      }
      let settled: Settled;
      try {
        settled = await this.deliver(message, key);
      } catch (err) {
        this.log.warn('portal feed cannot update the outbox', { outboxId: message.id, error: describe(err) });
        this.counters.depth = pending.length - done;
        return false;
      }
      if (settled === 'waiting' && key !== null) held.add(key);
      if (settled !== 'waiting') done++;
    }
    this.counters.depth = pending.length - done;
    return done > 0 && pending.length >= this.batchSize;
  }

  /** Delivers one due message and records the outcome; rejects only if the store fails. */
  private async deliver(message: OutboxMessage, key: string | null): Promise<Settled> {
    const { client, store, clock } = this.options;
    let delivery: PortalDelivery;
    try {
      delivery = await client.deliver(message);
    } catch (err) {
      delivery = { status: 'retry', detail: `portal client failed: ${describe(err)}` };
    }
    const facts = {
      outboxId: message.id,
      topic: message.topic,
      requester: key === null ? null : maskIdentity(key),
      attempt: message.attempts + 1,
    };
    switch (delivery.status) {
      case 'delivered':
        await store.markOutboxDelivered(message.id, iso(clock.now()));
        this.counters.delivered++;
        this.log.info('portal record delivered', facts);
        break;
      case 'retry': {
        if (message.attempts + 1 >= this.maxAttempts) {
          await this.bury(message, delivery.detail, facts, 'portal record out of attempts: dead letter');
          return 'out of the queue';
        }
        const delayMs = retryDelayMs(
          message.attempts,
          { initialMs: this.initialBackoffMs, maxMs: this.options.maxBackoffMs },
          this.random,
        );
        await store.rescheduleOutbox(message.id, iso(clock.now() + delayMs));
        this.counters.retried++;
        this.log.warn('portal delivery postponed', { ...facts, delayMs, detail: delivery.detail });
        return 'waiting';
      }
      case 'rejected':
        this.counters.rejected++;
        await this.bury(message, delivery.detail, facts, 'portal rejected a record');
        break;
    }
    return 'out of the queue';
  }

  private async bury(
    message: OutboxMessage,
    detail: string,
    facts: Record<string, unknown>,
    why: 'portal rejected a record' | 'portal record out of attempts: dead letter',
  ): Promise<void> {
    await this.options.store.markOutboxDead(message.id, iso(this.options.clock.now()), detail);
    this.counters.dead++;
    this.log.error(why, { ...facts, detail });
  }
}

function iso(ms: number): IsoInstant {
  return new Date(ms).toISOString();
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

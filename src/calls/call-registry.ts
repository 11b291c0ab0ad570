import NodeCache from 'node-cache';
import type { Clock, TimerHandle } from '../clock';
import type { Call } from './call';
import { ExpiryQueue } from './expiry-queue';

export interface CallRegistryOptions {
  /** Calls beyond this are refused (the signaling layer answers 503). */
  readonly maxCalls: number;
  /** A call still registered this long after it started is dropped: a safety net against leaks. */
  readonly maxCallSeconds: number;
  /** How long an ended call stays readable (for late copy requests, and the API). */
  readonly lingerSeconds: number;
}

/** How often keys that fell due are expired without being read. */
const SWEEP_MS = 1000;

/**
 * The live calls, bounded in number and in age (node-cache with TTL), so a call that never completes
 * cannot leak. Ended calls linger briefly, then expire.
 *
 * node-cache's own sweep visits every key each period: with tens of thousands of calls held that is a
 * stall of tens of milliseconds for every call waiting on the event loop. It is off; two queues in
 * expiry order (one per lifetime) name the keys that fell due, and only those are read, which lets
 * node-cache expire them as it would have.
 */
export class CallRegistry {
  private readonly cache: NodeCache;
  /** Ids of calls not yet ended: the admission limit counts these, in O(1). */
  private readonly active = new Set<string>();
  private readonly idleWaiters: (() => void)[] = [];
  private expiredListener: ((call: Call) => void) | null = null;
  private readonly ageingOut = new ExpiryQueue();
  private readonly lingeringOut = new ExpiryQueue();
  private sweepTimer: TimerHandle | null = null;

  constructor(
    private readonly options: CallRegistryOptions,
    private readonly clock: Clock,
  ) {
    this.cache = new NodeCache({
      stdTTL: options.maxCallSeconds,
      checkperiod: 0,
      useClones: false,
      deleteOnExpire: true,
    });
    this.cache.on('expired', (key: string, call: Call) => {
      this.ageingOut.delete(key);
      this.lingeringOut.delete(key);
      this.deactivate(key);
      this.expiredListener?.(call);
    });
    this.sweepTimer = clock.setTimeout(this.sweep, SWEEP_MS);
  }

  private readonly sweep = (): void => {
    const now = Date.now(); // node-cache's clock
    const readIfDue = (id: string): void => void this.cache.get(id);
    this.ageingOut.takeDue(now, readIfDue);
    this.lingeringOut.takeDue(now, readIfDue);
    this.sweepTimer = this.clock.setTimeout(this.sweep, SWEEP_MS);
  };

  /** Tells the signaling layer about a call dropped by age, so it can release that call's legs. */
  onExpired(listener: (call: Call) => void): void {
    this.expiredListener = listener;
  }

  /** Calls held, ended ones still lingering included; O(n): it purges what has expired first. */
  get size(): number {
    return this.values().length;
  }

  /** Resolves once no call is in progress (at once if none is): what a draining server waits for. */
  whenIdle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private deactivate(id: string): void {
    this.active.delete(id);
    if (this.active.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Registers a new call; false when the registry is full. */
  add(call: Call): boolean {
    if (this.activeCount >= this.options.maxCalls) return false;
    this.cache.set(call.id, call);
    this.ageingOut.push(call.id, this.cache.getTtl(call.id) ?? 0);
    this.active.add(call.id);
    return true;
  }

  get(id: string): Call | undefined {
    return this.cache.get<Call>(id);
  }

  /** Marks the call as ended in the registry: it stays readable for `lingerSeconds`. */
  ended(call: Call): void {
    this.deactivate(call.id);
    this.ageingOut.delete(call.id);
    if (!this.cache.has(call.id)) return;
    this.cache.ttl(call.id, this.options.lingerSeconds);
    this.lingeringOut.push(call.id, this.cache.getTtl(call.id) ?? 0);
  }

  remove(id: string): void {
    this.ageingOut.delete(id);
    this.lingeringOut.delete(id);
    this.deactivate(id);
    this.cache.del(id);
  }

  values(): Call[] {
    return Object.values(this.cache.mget<Call>(this.cache.keys()));
  }

  close(): void {
    if (this.sweepTimer) this.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
    this.cache.close();
  }
}

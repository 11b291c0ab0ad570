import NodeCache from 'node-cache';
import type { Call } from './call';

export interface CallRegistryOptions {
  /** Calls beyond this are refused (the signaling layer answers 503). */
  readonly maxCalls: number;
  /** A call still registered this long after it started is dropped: a safety net against leaks. */
  readonly maxCallSeconds: number;
  /** How long an ended call stays readable (for late copy requests, and the API). */
  readonly lingerSeconds: number;
}

/**
 * The live calls, bounded in number and in age (node-cache with TTL), so a call that never completes
 * cannot leak. Ended calls linger briefly, then expire.
 */
export class CallRegistry {
  private readonly cache: NodeCache;
  /** Ids of calls not yet ended: the admission limit counts these, in O(1). */
  private readonly active = new Set<string>();
  private readonly idleWaiters: (() => void)[] = [];
  private expiredListener: ((call: Call) => void) | null = null;

  constructor(private readonly options: CallRegistryOptions) {
    this.cache = new NodeCache({
      stdTTL: options.maxCallSeconds,
      checkperiod: Math.min(60, Math.max(1, Math.floor(options.lingerSeconds / 2) || 1)),
      useClones: false,
      deleteOnExpire: true,
    });
    this.cache.on('expired', (key: string, call: Call) => {
      this.deactivate(key);
      this.expiredListener?.(call);
    });
  }

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
    this.active.add(call.id);
    return true;
  }

  get(id: string): Call | undefined {
    return this.cache.get<Call>(id);
  }

  /** Marks the call as ended in the registry: it stays readable for `lingerSeconds`. */
  ended(call: Call): void {
    this.deactivate(call.id);
    if (this.cache.has(call.id)) this.cache.ttl(call.id, this.options.lingerSeconds);
  }

  remove(id: string): void {
    this.deactivate(id);
    this.cache.del(id);
  }

  values(): Call[] {
    return Object.values(this.cache.mget<Call>(this.cache.keys()));
  }

  close(): void {
    this.cache.close();
  }
}

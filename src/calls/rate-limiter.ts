/**
 * Token buckets per key (a source address, a requester): `ratePerSecond` tokens refill continuously up to
 * `burst`. Bounded: beyond `maxKeys` the least recently seen keys are forgotten (a forgotten key starts full).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly options: { readonly ratePerSecond: number; readonly burst: number; readonly maxKeys: number },
  ) {}

  /** Takes one token for `key` at `now` (ms); false when the key is over its budget. */
  take(key: string, now: number): boolean {
    if (this.options.ratePerSecond <= 0) return true;
    const bucket = this.buckets.get(key);
    const refilled = bucket
      ? Math.min(this.options.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.options.ratePerSecond)
      : this.options.burst;
    this.buckets.delete(key);
    if (this.buckets.size >= this.options.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    const allowed = refilled >= 1;
    this.buckets.set(key, { tokens: allowed ? refilled - 1 : refilled, at: now });
    return allowed;
  }

  /** Seconds until `key` has a token again: the Retry-After to give. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(1 / Math.max(this.options.ratePerSecond, 1e-9)));
  }
}

export interface BackoffPolicy {
  /** The ceiling of the first retry delay. */
  readonly initialMs: number;
  /** No delay is ever longer than this. */
  readonly maxMs: number;
}

/**
 * Exponential backoff with "equal jitter": after the n-th failed attempt (`attempts` = n - 1 earlier
 * ones) the ceiling is `min(maxMs, initialMs * 2^attempts)` and the delay is drawn from
 * [ceiling / 2, ceiling], so retries spread out but never come back at once. `random` returns [0, 1).
 */
export function retryDelayMs(attempts: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempts)), 40);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  const jitter = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (jitter * ceiling) / 2);
}

import { RateLimiter } from './rate-limiter';

export interface AdmissionOptions {
  /** New INVITEs per second one source address may send (0: no limit). */
  readonly invitesPerSecondPerSource: number;
  readonly inviteBurst: number;
  /** Copy requests per minute one requester may make (0: no limit). */
  readonly copiesPerMinutePerRequester: number;
  /** Above this event-loop delay (ms, p99 over the last second) new calls are refused. 0: no check. */
  readonly maxEventLoopDelayMs: number;
}

/** A reason to refuse new work now, with the Retry-After to give. */
export interface Refusal {
  readonly reason: 'source-rate' | 'requester-rate' | 'overload';
  readonly retryAfterSeconds: number;
}

/** Reports how busy the process is; injected so tests can make it look overloaded. */
export interface LoadProbe {
  /** Event-loop delay in ms (p99 of the last sampling window). */
  eventLoopDelayMs(): number;
}

/**
 * Admission of new calls and copy requests (RFC 7339 ideas without the protocol): per-source and
 * per-requester budgets, and shedding new calls while the event loop lags. Calls in progress and copy
 * requests on them are never shed for load, only for their own rate.
 */
export class Admission {
  private readonly invites: RateLimiter;
  private readonly copies: RateLimiter;

  constructor(
    private readonly options: AdmissionOptions,
    private readonly load: LoadProbe,
  ) {
    this.invites = new RateLimiter({
      ratePerSecond: options.invitesPerSecondPerSource,
      burst: Math.max(1, options.inviteBurst),
      maxKeys: 100_000,
    });
    this.copies = new RateLimiter({
      ratePerSecond: options.copiesPerMinutePerRequester / 60,
      burst: Math.max(1, options.copiesPerMinutePerRequester),
      maxKeys: 100_000,
    });
  }

  /** `source` null: a trusted peer (the S-CSCF), exempt from the per-source rate but not from overload. */
  admitCall(source: string | null, now: number): Refusal | null {
    const max = this.options.maxEventLoopDelayMs;
    if (max > 0 && this.load.eventLoopDelayMs() > max) return { reason: 'overload', retryAfterSeconds: 5 };
    if (source !== null && !this.invites.take(source, now)) {
      return { reason: 'source-rate', retryAfterSeconds: this.invites.retryAfterSeconds() };
    }
    return null;
  }

  admitCopy(requester: string, now: number): Refusal | null {
    if (this.copies.take(requester, now)) return null;
    return { reason: 'requester-rate', retryAfterSeconds: this.copies.retryAfterSeconds() };
  }
}

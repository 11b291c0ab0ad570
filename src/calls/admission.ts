import { CallsPerSource } from './calls-per-source';
import { RateLimiter } from './rate-limiter';

export interface AdmissionOptions {
  /** New INVITEs per second one source address may send (0: no limit). */
  readonly invitesPerSecondPerSource: number;
  readonly inviteBurst: number;
  /** New calls per second in all, trusted peers included (0: no limit): the server's own capacity. */
  readonly maxNewCallsPerSecond: number;
  /** Calls in progress at once from one untrusted source address (0: no cap). */
  readonly maxCallsInProgressPerSource: number;
  /** Copy requests per minute one requester may make (0: no limit). */
  readonly copiesPerMinutePerRequester: number;
  /** Above this event-loop delay (ms, p99 over the last second) new calls are refused. 0: no check. */
  readonly maxEventLoopDelayMs: number;
}

/** A reason to refuse new work now, with the Retry-After to give. */
export interface Refusal {
  readonly reason: 'source-rate' | 'source-calls' | 'requester-rate' | 'overload' | 'capacity';
  readonly retryAfterSeconds: number;
}

/** Reports how busy the process is; injected so tests can make it look overloaded. */
export interface LoadProbe {
  /** Event-loop delay in ms (p99 of the last sampling window). */
  eventLoopDelayMs(): number;
}

/** When a source at its calls-in-progress cap may try again: calls last minutes, so this is only a pause. */
const SOURCE_CALLS_RETRY_AFTER_SECONDS = 5;

/**
 * Admission of new calls and copy requests (RFC 7339 ideas without the protocol): per-source and
 * per-requester budgets, a cap on the calls in progress from one source, and shedding new calls while the
 * event loop lags. Calls in progress and copy requests on them are never shed for load, only for their own rate.
 */
export class Admission {
  private readonly invites: RateLimiter;
  private readonly allInvites: RateLimiter;
  private readonly copies: RateLimiter;
  private readonly calls: CallsPerSource;

  constructor(
    private readonly options: AdmissionOptions,
    private readonly load: LoadProbe,
  ) {
    this.invites = new RateLimiter({
      ratePerSecond: options.invitesPerSecondPerSource,
      burst: Math.max(1, options.inviteBurst),
      maxKeys: 100_000,
    });
    // One bucket for everyone: a second's worth of calls may come at once.
    this.allInvites = new RateLimiter({
      ratePerSecond: options.maxNewCallsPerSecond,
      burst: Math.max(1, options.maxNewCallsPerSecond),
      maxKeys: 1,
    });
    this.copies = new RateLimiter({
      ratePerSecond: options.copiesPerMinutePerRequester / 60,
      burst: Math.max(1, options.copiesPerMinutePerRequester),
      maxKeys: 100_000,
    });
    this.calls = new CallsPerSource(options.maxCallsInProgressPerSource);
  }

  /**
   * Admits call `callId` from `source`, which then counts against its source until `callEnded`. `source` null:
   * a trusted peer (the S-CSCF), exempt from the per-source rate and cap but not from overload or the
   * server's own rate.
   */
  admitCall(source: string | null, now: number, callId: string): Refusal | null {
    const max = this.options.maxEventLoopDelayMs;
    if (max > 0 && this.load.eventLoopDelayMs() > max) return { reason: 'overload', retryAfterSeconds: 5 };
    if (!this.allInvites.take('*', now)) {
      return { reason: 'capacity', retryAfterSeconds: this.allInvites.retryAfterSeconds() };
    }
    if (source === null) return null;
    if (this.calls.atCap(source))
      return { reason: 'source-calls', retryAfterSeconds: SOURCE_CALLS_RETRY_AFTER_SECONDS };
    if (!this.invites.take(source, now)) {
      return { reason: 'source-rate', retryAfterSeconds: this.invites.retryAfterSeconds() };
    }
    this.calls.add(callId, source);
    return null;
  }

  /** A call ended, however it ended: its source may start another. Calls not counted are ignored. */
  callEnded(callId: string): void {
    this.calls.release(callId);
  }

  /** Calls in progress from one source, as admission counts them. */
  callsInProgressFrom(source: string): number {
    return this.calls.count(source);
  }

  admitCopy(requester: string, now: number): Refusal | null {
    if (this.copies.take(requester, now)) return null;
    return { reason: 'requester-rate', retryAfterSeconds: this.copies.retryAfterSeconds() };
  }
}

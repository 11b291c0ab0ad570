import type { Clock, TimerHandle } from '../../clock';

/** RFC 3261 §17.1.1.1 / Table 4 base values, from configuration (`sip.timers`). */
export interface TimerSettings {
  readonly t1Ms: number;
  readonly t2Ms: number;
  readonly t4Ms: number;
}

/**
 * The named timers of one transaction (A, B, D, M...), each a slot number with at most one pending
 * callback. One object and one small array per transaction, made on the first start, instead of an
 * object per named timer: a ringing call holds three transactions for as long as it rings.
 */
export class TransactionTimers {
  private handles: (TimerHandle | null)[] | null = null;

  constructor(private readonly clock: Clock) {}

  /** (Re)starts the timer in `slot`; a pending run of it is cancelled first. */
  start(slot: number, ms: number, fn: () => void): void {
    this.stop(slot);
    const handles = (this.handles ??= []);
    handles[slot] = this.clock.setTimeout(() => {
      handles[slot] = null;
      fn();
    }, ms);
  }

  stop(slot: number): void {
    const handle = this.handles?.[slot];
    if (handle === undefined || handle === null) return;
    this.clock.clearTimeout(handle);
    this.handles![slot] = null;
  }

  stopAll(): void {
    const handles = this.handles;
    if (handles === null) return;
    for (let slot = 0; slot < handles.length; slot++) this.stop(slot);
  }
}

import type { Clock, TimerHandle } from '../../clock';

/** RFC 3261 §17.1.1.1 / Table 4 base values, from configuration (`sip.timers`). */
export interface TimerSettings {
  readonly t1Ms: number;
  readonly t2Ms: number;
  readonly t4Ms: number;
}

/** One named timer of a transaction (A, B, E, F...): at most one pending callback at a time. */
export class TransactionTimer {
  private handle: TimerHandle | null = null;

  constructor(private readonly clock: Clock) {}

  /** (Re)starts the timer; a pending run is cancelled first. */
  start(ms: number, fn: () => void): void {
    this.stop();
    this.handle = this.clock.setTimeout(() => {
      this.handle = null;
      fn();
    }, ms);
  }

  stop(): void {
    if (this.handle === null) return;
    this.clock.clearTimeout(this.handle);
    this.handle = null;
  }
}

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
    const handles = this.slotsUpTo(slot);
    handles[slot] = this.clock.setTimeout(() => {
      this.cleared(slot); // this.handles: it may have grown since
      fn();
    }, ms);
  }

  /**
   * The handle array, with room for `slot`. Sized exactly: an array grown by storing past its end gets
   * room for 17 elements (152 bytes), and a ringing call holds three transactions.
   */
  private slotsUpTo(slot: number): (TimerHandle | null)[] {
    const old = this.handles;
    if (old !== null && slot < old.length) return old;
    const handles = new Array<TimerHandle | null>(slot + 1).fill(null);
    if (old !== null) for (let i = 0; i < old.length; i++) handles[i] = old[i] ?? null;
    this.handles = handles;
    return handles;
  }

  stop(slot: number): void {
    const handle = this.handles?.[slot];
    if (handle === undefined || handle === null) return;
    this.clock.clearTimeout(handle);
    this.cleared(slot);
  }

  /** No timer pending: the array goes too (a ringing INVITE's transactions wait on none). */
  private cleared(slot: number): void {
    const handles = this.handles!;
    handles[slot] = null;
    if (handles.every((h) => h === null)) this.handles = null;
  }

  stopAll(): void {
    const handles = this.handles;
    if (handles === null) return;
    for (let slot = 0; slot < handles.length; slot++) {
      const handle = handles[slot];
      if (handle !== undefined && handle !== null) this.clock.clearTimeout(handle);
    }
    this.handles = null;
  }

  /** Whether any timer is pending. */
  get pending(): boolean {
    return this.handles !== null;
  }
}

import type { Clock, TimerHandle } from '../clock';

/**
 * One timeout of a fixed length for each of many items (a no-answer timer per ringing call): items
 * fall due in the order they were added, so a Map in insertion order and one Node timer, set for the
 * oldest, do what a Node timer per item would, for a Map entry each instead of a timer, a closure and
 * its context.
 */
export class FixedDelayTimers<T> {
  /** Due times, relative to `epoch` so that they stay small integers. */
  private readonly dues = new Map<T, number>();
  private readonly epoch: number;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly delayMs: number,
    private readonly due: (item: T) => void,
  ) {
    this.epoch = clock.now();
  }

  get size(): number {
    return this.dues.size;
  }

  /** `item` falls due `delayMs` from now (again from now, if it was waiting). */
  start(item: T): void {
    this.dues.delete(item);
    this.dues.set(item, this.clock.now() - this.epoch + this.delayMs);
    if (this.timer === null) this.arm();
  }

  /** `item` will not fall due (it was not waiting: nothing happens). */
  stop(item: T): void {
    if (!this.dues.delete(item) || this.dues.size > 0 || this.timer === null) return;
    this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Forgets every item and stops the timer. */
  clear(): void {
    this.dues.clear();
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    for (const due of this.dues.values()) {
      this.timer = this.clock.setTimeout(this.fire, Math.max(0, due - (this.clock.now() - this.epoch)));
      return;
    }
  }

  private readonly fire = (): void => {
    this.timer = null;
    const now = this.clock.now() - this.epoch;
    for (const [item, due] of this.dues) {
      if (due > now) break;
      this.dues.delete(item);
      this.due(item);
    }
    if (this.timer === null) this.arm(); // an item started while firing may have armed it
  };
}

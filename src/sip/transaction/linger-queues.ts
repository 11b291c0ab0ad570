import type { Clock, TimerHandle } from '../../clock';

/** A transaction that waits out a fixed time in its last state, and ends when it is over. */
export interface Lingering {
  /** The time is over. A transaction that ended some other way meanwhile ignores it. */
  lingerOver(): void;
}

/**
 * Transactions waiting out Timers D, I, J, K, L or M (RFC 3261 §17, RFC 6026): states they leave only
 * by ending, entered for a fixed time. Over UDP a server at a few hundred calls/s has tens of thousands
 * waiting, and a Node timer each (with its closures) was most of what they kept. All waits of one
 * length fall due in the order they began, so one queue per length and one Node timer per queue, set
 * for its oldest, do the same.
 */
export class LingerQueues {
  private readonly queues = new Map<number, LingerQueue>();

  constructor(private readonly clock: Clock) {}

  /** `lingering.lingerOver()` runs `ms` from now. */
  add(ms: number, lingering: Lingering): void {
    let queue = this.queues.get(ms);
    if (queue === undefined) {
      queue = new LingerQueue(this.clock);
      this.queues.set(ms, queue);
    }
    queue.push(this.clock.now() + ms, lingering);
  }

  get size(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  /** Forgets every wait and stops the timers (the layer is closing). */
  clear(): void {
    for (const queue of this.queues.values()) queue.clear();
    this.queues.clear();
  }
}

/** Waits of one length, oldest first: two parallel arrays read from `head`, compacted as they drain. */
class LingerQueue {
  private dues: number[] = [];
  private items: (Lingering | null)[] = [];
  private head = 0;
  private timer: TimerHandle | null = null;

  constructor(private readonly clock: Clock) {}

  get length(): number {
    return this.dues.length - this.head;
  }

  push(due: number, lingering: Lingering): void {
    this.dues.push(due);
    this.items.push(lingering);
    if (this.timer === null) this.arm();
  }

  clear(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.dues = [];
    this.items = [];
    this.head = 0;
  }

  private arm(): void {
    const due = this.dues[this.head];
    if (due === undefined) return;
    this.timer = this.clock.setTimeout(this.fire, Math.max(0, due - this.clock.now()));
  }

  private readonly fire = (): void => {
    this.timer = null;
    const now = this.clock.now();
    while (this.head < this.dues.length && this.dues[this.head]! <= now) {
      const lingering = this.items[this.head]!;
      this.items[this.head] = null;
      this.head++;
      lingering.lingerOver();
    }
    if (this.head === this.dues.length) {
      this.dues = [];
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.dues.length) {
      this.dues = this.dues.slice(this.head);
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.timer === null) this.arm(); // a wait added while firing may have set it
  };
}

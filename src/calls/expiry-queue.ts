/**
 * Keys in the order they fall due. Every key of one queue has the same lifetime, so a Map's insertion
 * order is due order: taking what is due stops at the first key not due, however many wait.
 */
export class ExpiryQueue {
  private readonly dues = new Map<string, number>();

  get length(): number {
    return this.dues.size;
  }

  /** Queues `key` (again, at the end, if it was queued). */
  push(key: string, due: number): void {
    this.dues.delete(key);
    this.dues.set(key, due);
  }

  delete(key: string): void {
    this.dues.delete(key);
  }

  /** Hands `take` each key due before `now` (due < now, as node-cache counts expiry), oldest first. */
  takeDue(now: number, take: (key: string) => void): void {
    for (const [key, due] of this.dues) {
      if (due >= now) return;
      this.dues.delete(key);
      take(key);
    }
  }
}

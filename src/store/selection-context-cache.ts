import type { Identity } from '../cmr/model';
import type { SelectionContext } from '../cmr/ports/cmr-store.port';

interface Entry {
  readonly context: SelectionContext | null;
  readonly expiresAt: number;
}

/**
 * The selection context of each called subscriber, kept for a short while: every INVITE needs it and
 * it changes only by provisioning. The store clears it on each of its own writes; the time limit
 * bounds how long another instance's writes to a shared database go unseen.
 */
export class SelectionContextCache {
  private readonly entries = new Map<Identity, Entry>();
  /** Bumped by every clear: a read that began before a write must not store what it read. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 10_000,
  ) {}

  async get(called: Identity, load: () => Promise<SelectionContext | null>): Promise<SelectionContext | null> {
    if (this.ttlMs <= 0) return load();
    const hit = this.entries.get(called);
    if (hit && hit.expiresAt > this.now()) return hit.context;
    const generation = this.generation;
    const context = await load();
    if (generation === this.generation) this.remember(called, context);
    return context;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(called: Identity, context: SelectionContext | null): void {
    this.entries.delete(called);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(called, { context, expiresAt: this.now() + this.ttlMs });
  }
}

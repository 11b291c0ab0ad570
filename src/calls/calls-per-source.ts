/**
 * Calls in progress per source address: a call counts from its admission until it ends, whichever way it
 * ends (the caller cancels, the callee refuses, a BYE, a timeout, the registry drops it). Memory is bounded
 * by the calls in progress: a source with none left is forgotten.
 */
export class CallsPerSource {
  private readonly bySource = new Map<string, number>();
  private readonly sourceOfCall = new Map<string, string>();

  /** `max` 0: no cap (calls are still counted, for the API and tests). */
  constructor(private readonly max: number) {}

  /** Calls in progress from `source`. */
  count(source: string): number {
    return this.bySource.get(source) ?? 0;
  }

  /** All calls counted, over every source. */
  get total(): number {
    return this.sourceOfCall.size;
  }

  /** True when `source` may not start another call now. */
  atCap(source: string): boolean {
    return this.max > 0 && this.count(source) >= this.max;
  }

  /** Counts a new call from `source`; a Call-ID counted already is left as it is. */
  add(callId: string, source: string): void {
    if (this.sourceOfCall.has(callId)) return;
    this.sourceOfCall.set(callId, source);
    this.bySource.set(source, this.count(source) + 1);
  }

  /** The call ended; unknown Call-IDs (trusted peers, calls refused at admission, a second end) are ignored. */
  release(callId: string): void {
    const source = this.sourceOfCall.get(callId);
    if (source === undefined) return;
    this.sourceOfCall.delete(callId);
    const left = this.count(source) - 1;
    if (left > 0) this.bySource.set(source, left);
    else this.bySource.delete(source);
  }
}

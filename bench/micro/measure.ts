/**
 * Timing one operation: a warm-up, then a few samples of a fixed number of iterations each, every
 * loop bounded both by its iteration count and by a wall-clock cap. The median sample is reported.
 */

export interface MeasureOptions {
  /** Iterations run (and discarded) first, so the JIT has compiled the hot path. */
  readonly warmupIterations: number;
  /** Iterations per sample. */
  readonly iterations: number;
  /** Samples taken; the median is reported. */
  readonly samples: number;
  /** No sample (nor the warm-up) runs longer than this; a sample cut short is scaled by what it did. */
  readonly maxSampleMs: number;
}

export interface Measurement {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly nsPerOp: number;
  /** Iterations actually timed, over all samples. */
  readonly iterations: number;
}

export const DEFAULT_MEASURE: MeasureOptions = {
  warmupIterations: 20_000,
  iterations: 100_000,
  samples: 5,
  maxSampleMs: 1500,
};

/** Keeps results alive so the optimiser cannot drop the work being timed. */
let sink = 0;

export function consume(value: number): void {
  sink = (sink + value) | 0;
}

export function sinkValue(): number {
  return sink;
}

/** Runs `op(i)` in a bounded loop; returns how many iterations ran and how long they took. */
function runFor(op: (i: number) => number, iterations: number, maxMs: number): { done: number; ns: number } {
  const cap = BigInt(Math.round(maxMs * 1e6));
  const start = process.hrtime.bigint();
  let done = 0;
  // The clock is read every 1024 iterations only, so reading it costs nothing measurable.
  while (done < iterations) {
    const batchEnd = Math.min(iterations, done + 1024);
    for (; done < batchEnd; done++) consume(op(done));
    if (process.hrtime.bigint() - start > cap) break;
  }
  return { done, ns: Number(process.hrtime.bigint() - start) };
}

export function measure(
  name: string,
  op: (i: number) => number,
  options: MeasureOptions = DEFAULT_MEASURE,
): Measurement {
  runFor(op, options.warmupIterations, options.maxSampleMs);
  const perOp: number[] = [];
  let total = 0;
  for (let s = 0; s < options.samples; s++) {
    const { done, ns } = runFor(op, options.iterations, options.maxSampleMs);
    if (done > 0) perOp.push(ns / done);
    total += done;
  }
  const nsPerOp = median(perOp);
  return { name, nsPerOp, opsPerSecond: nsPerOp > 0 ? 1e9 / nsPerOp : 0, iterations: total };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const at = (i: number): number => sorted[i] ?? 0;
  return sorted.length % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

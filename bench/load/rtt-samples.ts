/** One response time SIPp measured (`-trace_rtt`): when it ended, how long it took, and which RTD. */
export interface RttSample {
  /** Epoch milliseconds at the end of the measured span. */
  readonly atMs: number;
  readonly ms: number;
  /** The RTD's name in the scenario (`setup`, `copy`). */
  readonly rtd: string;
}

/** Parses SIPp's `<scenario>_<pid>_rtt.csv`: a `Date_ms;response_time_ms;rtd_no` header, then one line per sample. */
export function parseRttCsv(text: string): RttSample[] {
  const out: RttSample[] = [];
  for (const line of text.split(/\r?\n/)) {
    const [at, ms, rtd] = line.split(';');
    if (at === undefined || ms === undefined || rtd === undefined) continue;
    const atMs = Number(at);
    const value = Number(ms);
    if (!Number.isFinite(atMs) || !Number.isFinite(value)) continue; // the header line
    out.push({ atMs, ms: value, rtd: rtd.trim() });
  }
  return out;
}

/** The p-th percentile (0..100) by nearest rank; NaN for no values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? NaN;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export function summarize(samples: readonly RttSample[], rtd: string): LatencySummary {
  const values = samples
    .filter((s) => s.rtd === rtd)
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  return {
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
  };
}

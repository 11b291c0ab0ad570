import { BenchError } from './bench-error';

export interface BenchOptions {
  readonly transports: readonly ('udp' | 'tcp')[];
  readonly rates: readonly number[];
  readonly runs: number;
  readonly stepSeconds: number;
  /** Calls at a low rate before the first step, not reported: JIT compilation, caches, first allocations. */
  readonly warmupSeconds: number;
  readonly ringMs: number;
  readonly holdMs: number;
  readonly copyShare: number;
  readonly boundMs: number;
  readonly kamailio: boolean;
  readonly cpuProfile: boolean;
  /** Concurrent-calls mode: the numbers of calls held at once to measure; empty: the rate mode. */
  readonly concurrent: readonly number[];
  /** Calls per second while the concurrent calls are being set up. */
  readonly fillRate: number;
  readonly markdown: boolean;
  /** Concurrent mode: a heap snapshot of the server once the calls are up, summarised by constructor. */
  readonly heapSnapshot: boolean;
  /** Where the runs write (SIPp traces, server logs); null: .tmp/bench-<time> in the checkout. */
  readonly workDir: string | null;
  /** Concurrent mode: how long the calls are held before RSS and the snapshot are read. */
  readonly settleSeconds: number;
  /** Overload mode: twice the sustainable rate R for `overloadSeconds`, with probes (overload-mode.ts). */
  readonly overload: boolean;
  readonly overloadSeconds: number;
  /** Overload mode: R in calls/s; 0: measured first by a rate series. */
  readonly sustainableCps: number;
  /** Overload mode: the server's b2bua.maxCalls; 0: its default. */
  readonly maxCalls: number;
}

/** The rate of the warm-up calls: low enough for a cold server, whose code V8 has not compiled yet. */
export const WARMUP_CPS = 100;

const RATE_STEPS = [50, 100, 200, 400, 800, 1200, 1600];

export const USAGE = `npm run bench -- [options]
  --quick                 one run, UDP only, 4 s steps (under 3 minutes)
  --transport udp|tcp|both  (default both)
  --max-rate N            highest step in calls/s (default 1600; steps ${RATE_STEPS.join(', ')})
  --rates a,b,c           explicit steps instead
  --runs R                repetitions of each series, medians reported (default 3)
  --step-seconds S        length of one rate step (default 8)
  --warmup-seconds S      calls at ${WARMUP_CPS} cps (or the first rate, if lower) before the first step, not
                          reported, for each target alike (default 5; 0: none)
  --ring-ms N             how long the callee rings before answering (default 1000)
  --hold-ms N             call length after the answer (default 500)
  --copy-share F          share of calls sending a copy request during ringing (default 0.1)
  --bound-ms N            INVITE→183 p99 bound that ends a series (default 200)
  --no-kamailio           skip the reference run
  --cpu-prof              write a CPU profile of the server (one run) and print its top functions
  --concurrent N,M        concurrent-calls mode: hold N then M calls, report RSS per call
  --fill-rate N           calls/s while filling in concurrent mode (default 400)
  --heap-snapshot         concurrent mode: snapshot the server's heap once the calls are up
  --settle-seconds S      concurrent mode: hold the calls S seconds before the last reading (default 3;
                          over 32 the transactions and ACKs that outlive a call's setup by 64*T1 are gone)
  --overload              overload mode: measure the sustainable rate R (a rate series), then offer 2R
                          for --overload-seconds while probing with OPTIONS and copy calls each second
  --sustainable-cps R     overload mode: take R as given instead of measuring it
  --overload-seconds S    overload mode: how long 2R is offered (default 30)
  --max-calls N           overload mode: the server's b2bua.maxCalls (default: the server's default)
  --markdown              tables as Markdown
  --work-dir DIR          write the runs' files under DIR (default .tmp/bench-<time>); a tmpfs such as
                          /dev/shm keeps SIPp's trace writes off a slow disk`;

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    if (at < 0) return undefined;
    const v = argv[at + 1];
    if (v === undefined || v.startsWith('--')) throw new BenchError('BENCH.OPTIONS', `${name} needs a value\n${USAGE}`);
    return v;
  };
  const num = (name: string, fallback: number, min: number, max: number): number => {
    const raw = value(name);
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new BenchError('BENCH.OPTIONS', `${name} must be ${min}..${max}`);
    return n;
  };
  const list = (raw: string | undefined): number[] =>
    raw === undefined
      ? []
      : raw
          .split(',')
          .map((s) => Number(s.trim()))
          .filter((n) => Number.isFinite(n) && n > 0);
  const transport = value('--transport') ?? (quick ? 'udp' : 'both');
  if (!['udp', 'tcp', 'both'].includes(transport)) throw new BenchError('BENCH.OPTIONS', '--transport udp|tcp|both');
  const maxRate = num('--max-rate', quick ? 800 : 1600, 1, 100_000);
  const explicit = list(value('--rates'));
  const rates =
    explicit.length > 0
      ? explicit
      : quick
        ? [50, 200, 800].filter((r) => r <= maxRate)
        : RATE_STEPS.filter((r) => r <= maxRate);
  return {
    transports: transport === 'both' ? ['udp', 'tcp'] : [transport as 'udp' | 'tcp'],
    rates: rates.length > 0 ? rates : [maxRate],
    runs: num('--runs', quick ? 1 : 3, 1, 20),
    stepSeconds: num('--step-seconds', quick ? 4 : 8, 1, 600),
    warmupSeconds: num('--warmup-seconds', 5, 0, 600),
    ringMs: num('--ring-ms', 1000, 0, 590_000),
    holdMs: num('--hold-ms', 500, 0, 600_000),
    copyShare: num('--copy-share', 0.1, 0, 1),
    boundMs: num('--bound-ms', 200, 1, 60_000),
    kamailio: !argv.includes('--no-kamailio'),
    cpuProfile: argv.includes('--cpu-prof'),
    concurrent: list(value('--concurrent')).map(Math.round),
    fillRate: num('--fill-rate', 400, 1, 10_000),
    markdown: argv.includes('--markdown'),
    heapSnapshot: argv.includes('--heap-snapshot'),
    settleSeconds: num('--settle-seconds', 3, 0, 300),
    workDir: value('--work-dir') ?? null,
    overload: argv.includes('--overload'),
    overloadSeconds: num('--overload-seconds', 30, 5, 600),
    sustainableCps: num('--sustainable-cps', 0, 0, 100_000),
    maxCalls: Math.round(num('--max-calls', 0, 0, 10_000_000)),
  };
}

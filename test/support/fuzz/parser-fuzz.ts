import { performance } from 'node:perf_hooks';
import { PARSER_TARGETS, type ParserTarget } from './parser-targets';
import { pick, seededRng } from './rng';

/**
 * In-process parser fuzzing: seeded mutations of each target's seeds, run round-robin until
 * `iterations` inputs or `seconds` have passed. A failure is anything but a value or the module's typed
 * error; the slowest input of each target is kept as a hint of a hang (no input is over 64 kB).
 */

export interface ParserFuzzOptions {
  readonly seed: number;
  readonly iterations: number;
  readonly seconds: number;
  /** Only these targets (by name); all by default. */
  readonly targets?: readonly string[];
}

export interface ParserFailure {
  readonly error: string;
  readonly input: Buffer;
}

export interface TargetResult {
  readonly name: string;
  inputs: number;
  accepted: number;
  refused: number;
  readonly failures: ParserFailure[];
  slowestMs: number;
  slowestBytes: number;
  /**
   * The slowest input timed again, best of three: a pause of the process (GC, a busy CPU) does not
   * repeat, a hang does.
   */
  slowestRetimedMs: number;
  slowestInput: Buffer;
}

export interface ParserFuzzReport {
  readonly seed: number;
  iterations: number;
  elapsedMs: number;
  readonly targets: TargetResult[];
}

/** Failures kept per target: the first ones are enough to reproduce, memory stays flat. */
const KEPT_FAILURES = 20;

/** A per-target seed, so each target's inputs depend only on the run's seed and its own name. */
function targetSeed(seed: number, name: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function runParserFuzz(options: ParserFuzzOptions): ParserFuzzReport {
  const chosen = PARSER_TARGETS.filter((t) => !options.targets || options.targets.includes(t.name));
  if (chosen.length === 0) throw new Error(`no parser target named ${options.targets?.join(', ')}`);
  const runs = chosen.map((target) => ({
    target,
    rng: seededRng(targetSeed(options.seed, target.name)),
    result: emptyResult(target),
  }));
  const report: ParserFuzzReport = {
    seed: options.seed,
    iterations: 0,
    elapsedMs: 0,
    targets: runs.map((r) => r.result),
  };
  const started = Date.now();
  const deadline = started + options.seconds * 1000;
  while (report.iterations < options.iterations && (report.iterations % 64 !== 0 || Date.now() < deadline)) {
    const run = runs[report.iterations % runs.length]!;
    fuzzOnce(run.target, run.rng, run.result);
    report.iterations++;
  }
  for (const run of runs) retimeSlowest(run.target, run.result);
  report.elapsedMs = Date.now() - started;
  return report;
}

function retimeSlowest(target: ParserTarget, result: TargetResult): void {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const rng = seededRng(i);
    const t0 = performance.now();
    try {
      target.run(result.slowestInput, rng);
    } catch {
      // Failures were counted on the first run; only the time matters here.
    }
    best = Math.min(best, performance.now() - t0);
  }
  result.slowestRetimedMs = best;
}

function emptyResult(target: ParserTarget): TargetResult {
  const empty = Buffer.alloc(0);
  return {
    name: target.name,
    inputs: 0,
    accepted: 0,
    refused: 0,
    failures: [],
    slowestMs: 0,
    slowestBytes: 0,
    slowestRetimedMs: 0,
    slowestInput: empty,
  };
}

function fuzzOnce(target: ParserTarget, rng: () => number, result: TargetResult): void {
  const input = target.mutate(pick(rng, target.seeds), rng);
  result.inputs++;
  const t0 = performance.now();
  try {
    if (target.run(input, rng) === 'accepted') result.accepted++;
    else result.refused++;
  } catch (err) {
    if (result.failures.length < KEPT_FAILURES) result.failures.push({ error: describe(err), input });
  }
  const ms = performance.now() - t0;
  if (ms > result.slowestMs) {
    result.slowestMs = ms;
    result.slowestBytes = input.length;
    result.slowestInput = input;
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const where = err.stack?.split('\n')[1]?.trim() ?? '';
  return `${err.name}: ${err.message}${where ? ` (${where})` : ''}`;
}

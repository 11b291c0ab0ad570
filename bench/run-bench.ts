import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BenchError } from './load/bench-error';
import { parseBenchOptions, USAGE, type BenchOptions } from './load/bench-options';
import { stepTable, summaryTable } from './load/bench-report';
import { runConcurrent } from './load/concurrent-mode';
import { Started } from './load/far-ends';
import { ensureKamailio } from './load/kamailio-proxy';
import { runSeries, type SeriesResult, type Target } from './load/load-series';
import { runOverload } from './load/overload-mode';
import { readCpuProfile, topSelfTimes } from './profile/cpu-profile-summary';
import { formatNumber, textTable } from './report/text-table';

/** The repository root: this file runs as dist/bench/run-bench.js, built by `npm run bench` first. */
const ROOT = resolve(__dirname, '..', '..');

const log = (line: string) => process.stdout.write(`${line}\n`);

/**
 * `npm run bench`: the server's production build under SIPp load on 127.0.0.1, side by side with
 * Kamailio as a plain record-routing proxy; or, with --concurrent, memory per concurrent call.
 * See docs/performance.md for the method.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    log(USAGE);
    return;
  }
  const options = parseBenchOptions(process.argv.slice(2));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workDir = join(options.workDir ?? join(ROOT, '.tmp'), `bench-${stamp}`);
  await mkdir(workDir, { recursive: true });
  log(`work directory ${workDir}`);
  if (options.concurrent.length > 0) {
    await runConcurrent({ root: ROOT, workDir, options, log });
    return;
  }
  if (options.overload) {
    await runOverload({ root: ROOT, workDir, options, log });
    return;
  }
  if (options.kamailio) await ensureKamailio(log);
  const series = await rateSeries(options, workDir);
  log('');
  log(
    `steps: median over ${options.runs} run(s); ring ${options.ringMs} ms, hold ${options.holdMs} ms, ` +
      `copy share ${options.copyShare}, p99 bound ${options.boundMs} ms, ${options.stepSeconds} s per step` +
      (options.warmupSeconds > 0 ? `, after ${options.warmupSeconds} s of warm-up calls` : ''),
  );
  log(stepTable(series, options.boundMs, options.markdown));
  log(summaryTable(series, options.markdown));
  for (const s of series.filter((x) => Object.keys(x.serverLog).length > 0).slice(0, 4)) {
    log(`server log (${s.transport}): ${JSON.stringify(s.serverLog).slice(0, 600)}`);
  }
  if (options.cpuProfile) await printProfiles(workDir);
}

async function rateSeries(options: BenchOptions, workDir: string): Promise<SeriesResult[]> {
  const targets: Target[] = options.kamailio ? ['ours', 'kamailio'] : ['ours'];
  const out: SeriesResult[] = [];
  for (let r = 0; r < options.runs; r++) {
    for (const transport of options.transports) {
      for (const target of targets) {
        log(`run ${r + 1}/${options.runs}: ${target} over ${transport}`);
        out.push(
          await runSeries({
            root: ROOT,
            workDir: join(workDir, `run${r + 1}`),
            target,
            transport,
            rates: options.rates,
            stepSeconds: options.stepSeconds,
            warmupSeconds: options.warmupSeconds,
            ringMs: options.ringMs,
            holdMs: options.holdMs,
            copyShare: options.copyShare,
            boundMs: options.boundMs,
            cpuProfile: options.cpuProfile && r === 0 && target === 'ours',
            log,
          }),
        );
      }
    }
  }
  return out;
}

/** The top self-time functions of each CPU profile the server wrote. */
async function printProfiles(workDir: string): Promise<void> {
  for (const transport of ['udp', 'tcp']) {
    const dir = join(workDir, 'run1', `ours-${transport}`, 'profile');
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const f of files.filter((x) => x.endsWith('.cpuprofile'))) {
      const top = topSelfTimes(await readCpuProfile(join(dir, f)), 25);
      log(`\nCPU profile of the server over ${transport} (${join(dir, f)}): top self time`);
      log(
        textTable(
          ['self ms', 'share', 'function'],
          top.map((t) => [formatNumber(t.selfMs, 0), `${(t.share * 100).toFixed(1)}%`, t.fn]),
        ),
      );
    }
  }
}

/** Interrupted: stop every process the bench started (by PID), then exit. */
function onSignal(signal: NodeJS.Signals): void {
  log(`${signal}: stopping what the bench started`);
  void Started.stopEverything().finally(() => process.exit(130));
}
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

main().catch((err: unknown) => {
  const detail =
    err instanceof BenchError
      ? `${err.code}: ${err.message}`
      : err instanceof Error
        ? (err.stack ?? err.message)
        : String(err);
  process.stderr.write(`bench failed: ${detail}\n`);
  process.exitCode = 1;
});

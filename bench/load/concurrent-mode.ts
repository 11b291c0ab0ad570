import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../../test/support/sipp/free-port';
import { heapReport } from '../profile/heap-report';
import { readHeapSnapshot } from '../profile/heap-snapshot-summary';
import { formatNumber, markdownTable, textTable } from '../report/text-table';
import type { BenchOptions } from './bench-options';
import { BENCH_CALLED } from './bench-seed';
import { Started, startOurStack } from './far-ends';
import { callerScenario } from './load-series';
import { ProcessSampler, residentKb } from './process-sampler';
import { percentile } from './rtt-samples';
import { parseStatDumps, type StatDump } from './sipp-stat-dumps';
import { SippLoadProcess } from './sipp-load-process';

export interface ConcurrentPlan {
  readonly root: string;
  readonly workDir: string;
  readonly options: BenchOptions;
  readonly log: (line: string) => void;
}

export interface Checkpoint {
  readonly calls: number;
  /** Seconds after the caller started when SIPp first counted this many calls up. */
  readonly atS: number;
  readonly rssKb: number;
  /** (RSS - RSS before the first call) / calls. */
  readonly kbPerCall: number;
  /** INVITE→183 of the calls placed since the previous checkpoint. */
  readonly p50: number;
  readonly p99: number;
}

const SETTLE_MS = 3000;

/**
 * Concurrent-calls mode: the callee rings for the whole run, so every call placed stays up (A-leg in
 * early media, B-leg ringing, media-server leg answered). Calls are placed at `fillRate` up to the
 * largest N asked; the server's RSS is read as each N is reached, and the latency of the calls placed
 * in between tells the cost of a new call as N grows. Nothing is left running afterwards.
 */
export async function runConcurrent(plan: ConcurrentPlan): Promise<Checkpoint[]> {
  const { options, log } = plan;
  const transport = options.transports[0] ?? 'udp';
  const target = Math.max(...options.concurrent);
  const fillMs = Math.ceil((target / options.fillRate) * 1000);
  const settleMs = options.settleSeconds * 1000;
  const ringMs = Math.min(580_000, fillMs + settleMs + 60_000);
  const dir = join(plan.workDir, `concurrent-${transport}`);
  await mkdir(join(dir, 'caller'), { recursive: true });
  const started = new Started();
  try {
    const { server, sipPort } = await startOurStack(
      {
        root: plan.root,
        dir,
        transport,
        ringMs,
        recvTimeoutMs: ringMs + 30_000,
        cpuProfile: false,
        noAnswerTimeoutMs: 600_000,
        nodeArgs: options.heapSnapshot ? ['--heapsnapshot-signal=SIGUSR2'] : [],
      },
      started,
    );
    await delay(SETTLE_MS);
    const baselineKb = await residentKb(server.pid, 'rss');
    log(
      `concurrent mode over ${transport}: ${target} calls at ${options.fillRate} cps, baseline RSS ${(baselineKb / 1024).toFixed(1)} MB`,
    );
    const sampler = new ProcessSampler([server.pid], 'rss');
    await sampler.start();
    const caller = SippLoadProcess.start({
      scenario: await callerScenario({ root: plan.root, target: 'ours', copyShare: 0 }, dir),
      transport,
      workDir: join(dir, 'caller'),
      localPort: await freePort(transport),
      target: { host: '127.0.0.1', port: sipPort },
      calls: target,
      rate: options.fillRate,
      pauseMs: 0,
      serviceUser: BENCH_CALLED,
      deadlineMs: ringMs + 120_000,
      recvTimeoutMs: ringMs + 30_000,
      maxConcurrent: target + 100,
    });
    started.first(caller);
    const reached = await waitForCalls(join(dir, 'caller', 'stat.csv'), target, fillMs + 60_000, log);
    await delay(settleMs);
    const usage = await sampler.stop();
    if (options.heapSnapshot) await snapshotHeap(server.pid, dir, Math.max(1, most(reached)), log);
    await caller.stop();
    const result = await caller.result();
    const dumps = result.dumps.length > 0 ? result.dumps : reached;
    const setups = result.rtt
      .filter((s) => s.rtd === 'setup')
      .sort((a, b) => a.atMs - b.atMs)
      .map((s) => s.ms);
    const mostUp = most(dumps);
    const marks = checkpointsFor(options.concurrent, target).filter((n) => n <= mostUp);
    const points: Checkpoint[] = [];
    let previous = 0;
    for (const calls of marks) {
      const when = dumps.find((d) => d.current >= calls);
      if (!when) continue;
      const sample =
        usage.samples.find((s) => s.atMs >= when.elapsedS * 1000) ?? usage.samples[usage.samples.length - 1];
      const rssKb = sample?.kb ?? 0;
      const band = setups.slice(previous, calls).sort((a, b) => a - b);
      points.push({
        calls,
        atS: when.elapsedS,
        rssKb,
        kbPerCall: (rssKb - baselineKb) / calls,
        p50: percentile(band, 50),
        p99: percentile(band, 99),
      });
      previous = calls;
    }
    const header = ['calls up', 'at s', 'server RSS MB', 'KB per call', 'new-call INVITE→183 p50 ms', 'p99 ms'];
    const rows = points.map((p) => [
      formatNumber(p.calls),
      p.atS.toFixed(0),
      formatNumber(p.rssKb / 1024, 1),
      formatNumber(p.kbPerCall, 2),
      p.p50.toFixed(1),
      p.p99.toFixed(1),
    ]);
    log((options.markdown ? markdownTable : textTable)(header, rows));
    log(
      `most calls up at once: ${formatNumber(mostUp)} of ${formatNumber(target)}; peak RSS ${(usage.peakKb / 1024).toFixed(1)} MB; ` +
        `server CPU ${usage.cpuPercent.toFixed(0)}% while filling`,
    );
    if (mostUp < target) log(`the target was not reached: ${result.stderr.slice(-300) || 'see the caller stat.csv'}`);
    return points;
  } finally {
    await started.stopAll();
  }
}

/** The asked-for Ns plus every tenth of the largest, ascending and distinct. */
export function checkpointsFor(asked: readonly number[], target: number): number[] {
  const tenths = Array.from({ length: 10 }, (_, i) => Math.round(((i + 1) * target) / 10));
  return [...new Set([...tenths, ...asked])].filter((n) => n > 0 && n <= target).sort((a, b) => a - b);
}

/** Reads SIPp's stat file each second until `target` calls are up, or `timeoutMs` passes. */
async function waitForCalls(
  statPath: string,
  target: number,
  timeoutMs: number,
  log: (l: string) => void,
): Promise<StatDump[]> {
  const polls = Math.ceil(timeoutMs / 1000);
  let dumps: StatDump[] = [];
  for (let i = 0; i < polls; i++) {
    await delay(1000);
    dumps = parseStatDumps(await readFile(statPath, 'utf8').catch(() => ''));
    const last = dumps[dumps.length - 1];
    if (last && i % 10 === 9) log(`  ${last.current} calls up, ${last.failed} failed`);
    if (last && (last.current >= target || (last.created >= target && last.current + last.failed >= target))) break;
  }
  return dumps;
}

function most(dumps: readonly StatDump[]): number {
  return dumps.reduce((m, d) => Math.max(m, Number.isFinite(d.current) ? d.current : 0), 0);
}

/** SIGUSR2 to the server (its --heapsnapshot-signal), then the largest groups of the snapshot per call. */
async function snapshotHeap(pid: number, dir: string, calls: number, log: (l: string) => void): Promise<void> {
  process.kill(pid, 'SIGUSR2');
  let file: string | undefined;
  let lastSize = -1;
  for (let i = 0; i < 300; i++) {
    await delay(1000);
    file = (await readdir(dir)).find((f) => f.endsWith('.heapsnapshot'));
    if (!file) continue;
    const size = (await stat(join(dir, file))).size;
    if (size > 0 && size === lastSize) break;
    lastSize = size;
  }
  if (!file) return log('no heap snapshot was written');
  log(`heap snapshot ${join(dir, file)} with ${formatNumber(calls)} calls up: largest groups by self size`);
  log(heapReport(await readHeapSnapshot(join(dir, file)), calls));
}

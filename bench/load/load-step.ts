import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../test/support/sipp/free-port';
import { MetricsScraper } from './metrics-scraper';
import { ProcessSampler } from './process-sampler';
import { summarize, type LatencySummary, type RttSample } from './rtt-samples';
import { finalDump } from './sipp-stat-dumps';
import { udpReceiveBufferDrops } from './udp-drops';
import { SippLoadProcess } from './sipp-load-process';

export interface StepPlan {
  readonly scenario: string;
  readonly transport: 'udp' | 'tcp';
  readonly targetPort: number;
  readonly serviceUser: string;
  readonly rate: number;
  readonly calls: number;
  /** Call length after the answer (the caller's `-d`). */
  readonly holdMs: number;
  /** Longest the caller may take, ringing and call length included. */
  readonly deadlineMs: number;
  readonly workDir: string;
  /** The server's processes, sampled for CPU and memory while the step runs. */
  readonly pids: readonly number[];
  readonly memory: 'rss' | 'pss';
  /** Our server's HTTP port: its event-loop delay is scraped from /metrics during the step. */
  readonly metricsPort?: number;
}

export interface StepResult {
  readonly offeredCps: number;
  readonly achievedCps: number;
  readonly calls: number;
  readonly successful: number;
  readonly failed: number;
  readonly retransmissions: number;
  /**
   * INVITE→100 Trying. Kamailio sends its 100 at once; our server only when it has sent no provisional
   * within 200 ms (RFC 3261 §17.2.1), so for ours it counts the calls slower than that.
   */
  readonly trying: LatencySummary;
  readonly setup: LatencySummary;
  readonly copy: LatencySummary;
  readonly cpuPercent: number;
  /** The whole machine's load during the step (SIPp, the server and anything else running). */
  readonly machineBusyPercent: number;
  readonly peakKb: number;
  /**
   * The longest event-loop stall the server measured during the step (ms; NaN when not scraped): tells
   * a p99 broken by the server's own stalls from one broken by the far ends or the machine.
   */
  readonly serverLoopMaxMs: number;
  /** UDP datagrams the machine dropped during the step because a receive buffer was full (NaN: unknown). */
  readonly udpDrops: number;
  /** Why SIPp stopped short, if it did (killed at the deadline, an error on stderr). */
  readonly problem: string | null;
}

/** One rate step: a SIPp caller places `calls` calls at `rate` per second while the server is sampled. */
export async function runStep(plan: StepPlan): Promise<StepResult> {
  const dir = join(plan.workDir, `${plan.rate}cps`);
  await mkdir(dir, { recursive: true });
  const sampler = new ProcessSampler(plan.pids, plan.memory);
  await sampler.start();
  const dropsBefore = await udpReceiveBufferDrops();
  const scraper = plan.metricsPort === undefined ? null : new MetricsScraper(plan.metricsPort);
  scraper?.start();
  const caller = SippLoadProcess.start({
    scenario: plan.scenario,
    transport: plan.transport,
    workDir: dir,
    localPort: await freePort(plan.transport),
    target: { host: '127.0.0.1', port: plan.targetPort },
    calls: plan.calls,
    rate: plan.rate,
    pauseMs: plan.holdMs,
    serviceUser: plan.serviceUser,
    deadlineMs: plan.deadlineMs,
    maxConcurrent: Math.max(1000, plan.calls),
  });
  const result = await caller.result();
  const usage = await sampler.stop();
  const udpDrops = (await udpReceiveBufferDrops()) - dropsBefore;
  const lags = ((await scraper?.stop()) ?? [])
    .filter((sample) => sample.atMs > 0) // the first scrape covers the time before the step
    .map((sample) => sample.lagMaxMs)
    .filter(Number.isFinite);
  const last = finalDump(result.dumps);
  const successful = last?.successful ?? 0;
  const failed = (last?.failed ?? 0) + Math.max(0, plan.calls - successful - (last?.failed ?? 0));
  let problem: string | null = null;
  if (result.killed) problem = 'SIPp killed at the deadline';
  else if (result.exitCode !== 0 && result.exitCode !== 1)
    problem = `SIPp exit ${result.exitCode}: ${result.stderr.slice(-300)}`;
  return {
    offeredCps: plan.rate,
    achievedCps: achievedRate(result.rtt, successful, plan.calls),
    calls: plan.calls,
    successful,
    failed,
    retransmissions: last?.retransmissions ?? 0,
    trying: summarize(result.rtt, 'trying'),
    setup: summarize(result.rtt, 'setup'),
    copy: summarize(result.rtt, 'copy'),
    cpuPercent: usage.cpuPercent,
    machineBusyPercent: usage.machineBusyPercent,
    peakKb: usage.peakKb,
    serverLoopMaxMs: lags.length > 0 ? Math.max(...lags) : NaN,
    udpDrops,
    problem,
  };
}

/**
 * Calls completed per second while the caller was placing them: the span between the first and the
 * last call's setup (INVITE→183/180 end times) sets the pace; failed calls do not count.
 */
export function achievedRate(rtt: readonly RttSample[], successful: number, calls: number): number {
  let first = Infinity;
  let last = -Infinity;
  let count = 0;
  for (const s of rtt) {
    if (s.rtd !== 'setup') continue;
    count++;
    first = Math.min(first, s.atMs);
    last = Math.max(last, s.atMs);
  }
  if (count < 2 || calls < 2) return 0;
  const spanS = (last - first) / 1000;
  if (spanS <= 0) return 0;
  // n setups span n-1 intervals; scale to all calls placed, then keep the successful share.
  const pace = (count - 1) / spanS;
  return pace * (successful / calls);
}

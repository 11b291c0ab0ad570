import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../../test/support/sipp/free-port';
import { BenchError } from './bench-error';
import type { BenchOptions } from './bench-options';
import { BENCH_CALLED } from './bench-seed';
import { Started } from './far-ends';
import { runSeries } from './load-series';
import { MetricsScraper, scrapeOnce, type MetricsSample } from './metrics-scraper';
import { failureCauses, overloadNotes, overloadTable, type OverloadResult } from './overload-report';
import { BENCH_API_TOKEN, startOverloadStack } from './overload-stack';
import { ProcessSampler } from './process-sampler';
import { summarize } from './rtt-samples';
import { finalDump } from './sipp-stat-dumps';
import { SippLoadProcess, type SippLoadResult } from './sipp-load-process';

export interface OverloadPlan {
  readonly root: string;
  readonly workDir: string;
  readonly options: BenchOptions;
  readonly log: (line: string) => void;
}

const SETTLE_MS = 2000;
/** Longer than the server's own clean-up timers (Timer F, 64 × T1 = 32 s; no answer after ring + 60 s). */
const IDLE_WAIT_S = 90;

/**
 * Overload mode (`npm run bench -- --overload`): per transport, the sustainable rate R (the rate series
 * of the load bench, or `--sustainable-cps`), then a fresh server offered 2R for `--overload-seconds`
 * with SIPp, probed every second by an OPTIONS and a copy call (a call that, if admitted, copies the
 * ringing media), its /metrics scraped every second. Then it must answer, drain to no call in
 * progress, and take a call normally. Nothing is left running.
 */
export async function runOverload(plan: OverloadPlan): Promise<OverloadResult[]> {
  const results: OverloadResult[] = [];
  for (const transport of plan.options.transports) {
    const { cps, measured } = await sustainableRate(plan, transport);
    plan.log(
      `overload over ${transport}: R = ${cps} calls/s (${measured ? 'measured' : 'given'}), offering ${2 * cps}`,
    );
    results.push(await overloadRun(plan, transport, cps, measured));
  }
  plan.log(overloadTable(results, plan.options.markdown));
  for (const r of results) for (const line of overloadNotes(r)) plan.log(line);
  return results;
}

async function sustainableRate(
  plan: OverloadPlan,
  transport: 'udp' | 'tcp',
): Promise<{ cps: number; measured: boolean }> {
  const { options } = plan;
  if (options.sustainableCps > 0) return { cps: options.sustainableCps, measured: false };
  plan.log(`measuring the sustainable rate over ${transport} (rates ${options.rates.join(', ')})`);
  const series = await runSeries({
    root: plan.root,
    workDir: join(plan.workDir, 'capacity'),
    target: 'ours',
    transport,
    rates: options.rates,
    stepSeconds: options.stepSeconds,
    warmupSeconds: options.warmupSeconds,
    ringMs: options.ringMs,
    holdMs: options.holdMs,
    // No copies in R's series: the overload's load has none either (the copy probe has its own callers),
    // and the single bench caller would meet its copy budget (limits.copiesPerMinutePerRequester).
    copyShare: 0,
    boundMs: options.boundMs,
    cpuProfile: false,
    log: plan.log,
  });
  const cps = Math.round(series.maxSustainedCps);
  if (cps <= 0) throw new BenchError('BENCH.NO_CAPACITY', `no rate step passed over ${transport}: no R to double`);
  return { cps, measured: true };
}

async function overloadRun(
  plan: OverloadPlan,
  transport: 'udp' | 'tcp',
  sustainableCps: number,
  measured: boolean,
): Promise<OverloadResult> {
  const { options, root } = plan;
  const dir = join(plan.workDir, `overload-${transport}`);
  const offeredCps = 2 * sustainableCps;
  const seconds = options.overloadSeconds;
  const offered = Math.round(offeredCps * seconds);
  const callMs = options.ringMs + options.holdMs;
  const recvTimeoutMs = Math.max(10_000, callMs + 10_000);
  const started = new Started();
  try {
    const stack = await startOverloadStack(
      {
        root,
        dir,
        transport,
        ringMs: options.ringMs,
        recvTimeoutMs,
        probeCallers: seconds + 5,
        maxCalls: options.maxCalls,
      },
      started,
    );
    const scenario = (file: string) => join(root, 'bench/sipp', file);
    const copyProbeScenario = join(dir, 'uac-bench-overload-copy-probe.xml');
    const template = await readFile(scenario('uac-bench-overload-copy-probe.xml'), 'utf8');
    await writeFile(copyProbeScenario, template.replaceAll('{{ROUTE}}', stack.probeRoute));
    const caller = async (name: string, file: string, calls: number, rate: number, pauseMs: number) => {
      const workDir = join(dir, name);
      await mkdir(workDir, { recursive: true });
      const sipp = SippLoadProcess.start({
        scenario: file,
        transport,
        workDir,
        localPort: await freePort(transport),
        target: { host: '127.0.0.1', port: stack.sipPort },
        calls,
        rate,
        pauseMs,
        serviceUser: BENCH_CALLED,
        deadlineMs: seconds * 1000 + callMs + 90_000,
        recvTimeoutMs,
        maxConcurrent: Math.max(1000, Math.ceil((rate * (callMs + recvTimeoutMs)) / 1000)),
        // Every call's response times: shed calls are counted from them, and SIPp drops the remainder at exit.
        rttFrequency: 1,
      });
      started.first(sipp);
      return sipp;
    };
    await delay(SETTLE_MS);

    const sampler = new ProcessSampler([stack.server.pid], 'rss');
    await sampler.start();
    const scraper = new MetricsScraper(stack.httpPort);
    scraper.start();
    const load = await caller('load', scenario('uac-bench-overload-call.xml'), offered, offeredCps, options.holdMs);
    const optionsProbe = await caller('options-probe', scenario('uac-bench-overload-options-probe.xml'), seconds, 1, 0);
    const copyProbe = await caller('copy-probe', copyProbeScenario, seconds, 1, 0);
    const [loadResult, optionsResult, copyResult] = await Promise.all([
      load.result(),
      optionsProbe.result(),
      copyProbe.result(),
    ]);
    const udpDrops = {
      server: await udpSocketDrops(stack.sipPort),
      caller: await udpSocketDrops(load.options.localPort),
    };
    const usage = await sampler.stop();
    const samples = await scraper.stop();
    const aliveAfter = (await scrapeOnce(stack.httpPort)).answered;

    const idleAfterS = await secondsUntilIdle(stack.httpPort);
    const phasesLeft = Number.isFinite(idleAfterS) ? {} : await callPhases(stack.httpPort);
    const check = await caller('after', scenario('uac-bench-overload-call.xml'), 1, 1, options.holdMs);
    const after = await check.result();
    const recovered = count(after, 'setup') === 1 && (finalDump(after.dumps)?.successful ?? 0) === 1;
    const exitCode = await stack.server.stop();

    const loadCounts = callCounts(loadResult, offered);
    const copyCounts = callCounts(copyResult, seconds);
    const answered = samples.filter((s) => s.answered);
    return {
      transport,
      sustainableCps,
      measured,
      offeredCps,
      seconds,
      offered,
      achievedCps: loadCounts.completed / seconds,
      completed: loadCounts.completed,
      shed: loadCounts.shed,
      otherFailures: loadCounts.failed,
      setup: summarize(loadResult.rtt, 'setup'),
      options: summarize(optionsResult.rtt, 'options'),
      optionsMissed: seconds - count(optionsResult, 'options'),
      copies: { copied: count(copyResult, 'copy'), shed: copyCounts.shed, failed: copyCounts.failed },
      copy: summarize(copyResult.rtt, 'copy'),
      peakRssKb: usage.peakKb,
      cpuPercent: usage.cpuPercent,
      machineBusyPercent: usage.machineBusyPercent,
      lagP99Ms: highest(answered, (s) => s.lagP99Ms),
      lagMaxMs: highest(answered, (s) => s.lagMaxMs),
      scrapesMissed: samples.length - answered.length,
      aliveAfter,
      idleAfterS,
      idleWaitS: IDLE_WAIT_S,
      phasesLeft,
      udpDrops,
      recovered,
      exitCode,
      failureCauses: failureCauses(await readFile(join(dir, 'load', 'errors.log'), 'utf8').catch(() => '')),
      serverLog: await stack.server.logSummary(),
    };
  } finally {
    await started.stopAll();
  }
}

/** Shed calls (503 + Retry-After), calls carried through, and every other outcome of a SIPp run. */
export function callCounts(result: SippLoadResult, calls: number): { shed: number; completed: number; failed: number } {
  const last = finalDump(result.dumps);
  const successful = last?.successful ?? 0;
  const shed = count(result, 'shed');
  return { shed, completed: Math.max(0, successful - shed), failed: Math.max(0, calls - successful) };
}

function count(result: SippLoadResult, rtd: string): number {
  return result.rtt.filter((s) => s.rtd === rtd).length;
}

function highest(samples: readonly MetricsSample[], pick: (s: MetricsSample) => number): number {
  return samples.reduce((m, s) => (Number.isFinite(pick(s)) ? Math.max(m, pick(s)) : m), 0);
}

/** Polls /metrics each second until no call is in progress: the seconds it took, or NaN past the bound. */
async function secondsUntilIdle(httpPort: number): Promise<number> {
  for (let s = 0; s <= IDLE_WAIT_S; s++) {
    const sample = await scrapeOnce(httpPort);
    if (sample.answered && sample.callsActive === 0) return s;
    await delay(1000);
  }
  return NaN;
}

/** The calls in progress by phase, from GET /v1/calls: what a server that is not idle is still holding. */
async function callPhases(httpPort: number): Promise<Record<string, number>> {
  const text = await new Promise<string>((resolve) => {
    const req = request(
      { host: '127.0.0.1', port: httpPort, path: '/v1/calls', headers: { authorization: `Bearer ${BENCH_API_TOKEN}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', () => resolve(''));
      },
    );
    req.setTimeout(5000, () => req.destroy());
    req.on('error', () => resolve(''));
    req.end();
  });
  const phases: Record<string, number> = {};
  try {
    for (const call of (JSON.parse(text) as { items: { phase: string }[] }).items) {
      phases[call.phase] = (phases[call.phase] ?? 0) + 1;
    }
  } catch {
    phases['unreadable answer'] = 1;
  }
  return phases;
}

/** Datagrams dropped by the UDP sockets bound to `port` on this machine (the last column of /proc/net/udp). */
export async function udpSocketDrops(port: number, procNetUdp?: string): Promise<number> {
  const text = procNetUdp ?? (await readFile('/proc/net/udp', 'utf8').catch(() => ''));
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let drops = 0;
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1]?.endsWith(`:${hexPort}`)) drops += Number(fields[fields.length - 1]) || 0;
  }
  return drops;
}

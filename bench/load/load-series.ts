import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freeDualPort } from '../../test/support/sipp/free-port';
import { WARMUP_CPS } from './bench-options';
import { BENCH_CALLED } from './bench-seed';
import { startFarEnd, startOurStack, Started } from './far-ends';
import { KamailioProxy } from './kamailio-proxy';
import { runStep, type StepResult } from './load-step';
import { ServerUnderTest } from './server-under-test';

export type Target = 'ours' | 'kamailio';

export interface SeriesPlan {
  readonly root: string;
  readonly workDir: string;
  readonly target: Target;
  readonly transport: 'udp' | 'tcp';
  readonly rates: readonly number[];
  readonly stepSeconds: number;
  /** Calls at WARMUP_CPS (or the first rate, if lower) before the first step, not reported. */
  readonly warmupSeconds: number;
  readonly ringMs: number;
  readonly holdMs: number;
  readonly copyShare: number;
  /** A step whose INVITE→ringing p99 is over this (ms) ends the series. */
  readonly boundMs: number;
  /** Write a CPU profile of the server (ours only) into the work directory. */
  readonly cpuProfile: boolean;
  readonly log: (line: string) => void;
}

export interface SeriesResult {
  readonly target: Target;
  readonly transport: 'udp' | 'tcp';
  readonly steps: readonly StepResult[];
  /** Achieved calls/s of the last step that passed (no failed call, p99 within the bound); 0 if none. */
  readonly maxSustainedCps: number;
  /** Server log lines at warn and above, by message. */
  readonly serverLog: Readonly<Record<string, number>>;
}

/** Whether a step passed: every call succeeded and INVITE→ringing p99 stayed within the bound. */
export function stepPassed(step: StepResult, boundMs: number): boolean {
  return step.failed === 0 && step.problem === null && step.setup.count > 0 && step.setup.p99 <= boundMs;
}

/**
 * One series: the far ends (SIPp callee ringing `ringMs` then answering, and for our server a SIPp
 * media server), the system under test, then rising call rates until a step fails. Everything is torn
 * down before returning, whatever happened.
 */
export async function runSeries(plan: SeriesPlan): Promise<SeriesResult> {
  const dir = join(plan.workDir, `${plan.target}-${plan.transport}`);
  await mkdir(dir, { recursive: true });
  const started = new Started();
  const farPlan = {
    root: plan.root,
    dir,
    transport: plan.transport,
    ringMs: plan.ringMs,
    recvTimeoutMs: Math.max(10_000, plan.ringMs + plan.holdMs + 10_000),
  };
  try {
    let targetPort: number;
    let pids: readonly number[];
    let server: ServerUnderTest | null = null;
    let metricsPort: number | undefined;
    if (plan.target === 'ours') {
      const stack = await startOurStack(
        { ...farPlan, cpuProfile: plan.cpuProfile, noAnswerTimeoutMs: Math.min(600_000, plan.ringMs + 60_000) },
        started,
      );
      server = stack.server;
      targetPort = stack.sipPort;
      metricsPort = stack.httpPort;
      pids = [server.pid];
    } else {
      const callee = join(plan.root, 'bench/sipp/uas-bench-proxy-callee.xml');
      const calleeUri = await startFarEnd(farPlan, started, 'callee', callee, plan.ringMs);
      targetPort = await freeDualPort();
      const proxy = await KamailioProxy.start({
        root: plan.root,
        workDir: dir,
        port: targetPort,
        calleeUri,
        children: 2,
      });
      started.first(proxy);
      pids = proxy.pids;
    }
    const scenario = await callerScenario(plan, dir);
    const runAt = (rate: number, seconds: number, workDir: string) =>
      runStep({
        scenario,
        transport: plan.transport,
        targetPort,
        serviceUser: BENCH_CALLED,
        rate,
        calls: Math.max(10, Math.round(rate * seconds)),
        holdMs: plan.holdMs,
        deadlineMs: (seconds * 3 + 30) * 1000 + plan.ringMs + plan.holdMs,
        workDir,
        pids,
        memory: plan.target === 'ours' ? 'rss' : 'pss',
        metricsPort,
      });
    if (plan.warmupSeconds > 0) {
      const rate = Math.min(WARMUP_CPS, plan.rates[0] ?? WARMUP_CPS);
      const warmup = await runAt(rate, plan.warmupSeconds, join(dir, 'warmup'));
      plan.log(`  ${plan.target} ${plan.transport} warm-up at ${rate} cps: ${warmup.failed} failed (not reported)`);
    }
    const steps: StepResult[] = [];
    let maxSustainedCps = 0;
    for (const rate of plan.rates) {
      const step = await runAt(rate, plan.stepSeconds, dir);
      steps.push(step);
      const passed = stepPassed(step, plan.boundMs);
      plan.log(
        `  ${plan.target} ${plan.transport} ${rate} cps: ${step.achievedCps.toFixed(0)} achieved, ${step.failed} failed, ` +
          `setup p99 ${step.setup.p99.toFixed(0)} ms, cpu ${step.cpuPercent.toFixed(0)}%, machine ${step.machineBusyPercent.toFixed(0)}%` +
          `${Number.isFinite(step.serverLoopMaxMs) ? `, server loop max ${step.serverLoopMaxMs.toFixed(0)} ms` : ''}` +
          `${step.udpDrops > 0 ? `, ${step.udpDrops} UDP datagrams dropped` : ''}${step.problem ? `, ${step.problem}` : ''}`,
      );
      if (!passed) break;
      maxSustainedCps = step.achievedCps;
    }
    const serverLog = server ? await server.logSummary() : {};
    return { target: plan.target, transport: plan.transport, steps, maxSustainedCps, serverLog };
  } finally {
    await started.stopAll();
  }
}

/** The caller's scenario: for our server, the CMR call with the copy share filled in; for the proxy, the plain call. */
export async function callerScenario(
  plan: Pick<SeriesPlan, 'root' | 'target' | 'copyShare'>,
  dir: string,
): Promise<string> {
  if (plan.target === 'kamailio') return join(plan.root, 'bench/sipp/uac-bench-proxy-call.xml');
  const template = await readFile(join(plan.root, 'bench/sipp/uac-bench-cmr-call.xml'), 'utf8');
  const path = join(dir, 'uac-bench-cmr-call.xml');
  await writeFile(path, template.replaceAll('{{COPY_SHARE}}', String(plan.copyShare)));
  return path;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { freeMediaPort, freeSippPort } from './free-port';
import { waitUntilListening } from './listening-probe';
import {
  buildSippInvocation,
  defaultLocalHost,
  resolveScenario,
  type SippInvocation,
  type SippOptions,
} from './sipp-args';
import { SippHarnessError } from './sipp-error';
import {
  emptyStats,
  parseMessageCounts,
  parseStatCsv,
  parseStatScreen,
  type SippMessageCount,
  type SippStats,
} from './sipp-stats';

export type { SippOptions, SippTransport, SippRetransmissionOptions } from './sipp-args';

/** The SIPp binary; `CMR_SIPP_BIN` overrides it (CI images that install SIPp elsewhere). */
export const SIPP_BIN = process.env.CMR_SIPP_BIN ?? '/usr/bin/sipp';

/** Grace between SIGTERM and SIGKILL when a run overstays its deadline or is stopped. */
const KILL_GRACE_MS = 2000;
/** Cap on captured stdout/stderr; SIPp repaints its screen every second, only the tail matters. */
const MAX_CAPTURE_BYTES = 1 << 20;

/**
 * What to do with the run's temp directory (traces, stats) once SIPp has exited and its files are
 * read into the result: 'on-failure' (default) keeps it only when the run did not succeed.
 */
export type KeepWorkDir = 'on-failure' | 'always' | 'never';

export interface SippRunOptions extends SippOptions {
  keepWorkDir?: KeepWorkDir;
}

export interface SippResult {
  scenario: string;
  /** SIPp's exit code: 0 all calls succeeded, 1 a call failed, 97 internal exit, 99 no call, 255 fatal, 254 bind failure. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The hard deadline passed or `stop()` was called: SIPp was terminated by the harness. */
  timedOut: boolean;
  pid: number;
  localHost: string;
  localPort: number;
  callsRequested: number;
  stdout: string;
  stderr: string;
  /** Contents of the `-trace_msg` file: every message sent and received. */
  messageTrace: string;
  /** Contents of the `-trace_err` file: unexpected messages and failed checks. */
  errorTrace: string;
  /** Contents of the `-trace_calldebug` file: the history of each aborted call. */
  callDebugTrace: string;
  /** Contents of the `-trace_logs` file: the scenario's `<log>` actions. */
  actionLog: string;
  /** The final screens (`-trace_screen`), or the last ones SIPp printed if it was killed. */
  screen: string;
  stats: SippStats;
  /** The scenario screen's per-message counters, in scenario order. */
  messages: SippMessageCount[];
  durationMs: number;
  command: string[];
  /** The run's directory if it was kept (see `keepWorkDir`), else undefined. */
  workDir: string | undefined;
}

export interface SippRun {
  readonly pid: number;
  readonly localHost: string;
  readonly localPort: number;
  readonly scenario: string;
  /** Resolves once SIPp's SIP socket is bound (UDP) or listening (TCP); rejects if SIPp exits first. */
  whenListening(timeoutMs?: number): Promise<void>;
  /** Settles when SIPp has exited and its traces are read. Never rejects for a failed scenario. */
  readonly result: Promise<SippResult>;
  /** Ends the run now (SIGTERM, SIGKILL after a grace period) and returns its result. */
  stop(): Promise<SippResult>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Runs when SIPp could not bind the port the harness picked for it: another process took it in between. */
const BIND_ATTEMPTS = 3;

/**
 * Runs one SIPp scenario to completion. A port the harness chose (not one the caller gave) can be taken
 * between `freeSippPort` and SIPp's bind by another process's explicit bind (rarer now that those ports lie below
 * the ephemeral range); SIPp then exits before sending anything, and is run again.
 */
export async function runSipp(options: SippRunOptions): Promise<SippResult> {
  for (let attempt = 1; ; attempt++) {
    const run = await startSipp(options);
    const result = await run.result;
    const lostPort = options.localPort === undefined && /Unable to bind main socket/.test(result.stderr);
    if (!lostPort || attempt >= BIND_ATTEMPTS) return result;
  }
}

/**
 * Starts SIPp without waiting for it to finish: for a UAS scenario that must be listening before
 * its peer starts (`await run.whenListening()`), or for a run stopped from the test.
 */
export async function startSipp(options: SippRunOptions): Promise<SippRun> {
  resolveScenario(options.scenario);
  const localHost = defaultLocalHost(options);
  const localPort = options.localPort ?? (await freeSippPort(options.transport, localHost));
  const workDir = await mkdtemp(join(tmpdir(), `sipp-${basename(options.scenario, '.xml')}-`));
  let invocation: SippInvocation;
  try {
    invocation = buildSippInvocation(options, localPort, workDir, await freeMediaPort(localHost));
  } catch (err: unknown) {
    await rm(workDir, { recursive: true, force: true });
    throw err;
  }
  const started = Date.now();
  const child = spawn(SIPP_BIN, invocation.args, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => {
      void rm(workDir, { recursive: true, force: true });
      reject(new SippHarnessError('SIPP.SPAWN_FAILED', `could not start ${SIPP_BIN}: ${err.message}`, { cause: err }));
    });
  });
  const pid = child.pid ?? -1;
  trackUntilExit(child);

  const stdout = captureTail(child.stdout);
  const stderr = captureTail(child.stderr);
  let running = true;
  let timedOut = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const terminate = (): void => {
    if (!running || graceTimer) return;
    timedOut = true;
    child.kill('SIGTERM');
    graceTimer = setTimeout(() => {
      if (running) child.kill('SIGKILL');
    }, KILL_GRACE_MS);
  };
  const deadline = setTimeout(terminate, invocation.timeoutMs);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      running = false;
      clearTimeout(deadline);
      if (graceTimer) clearTimeout(graceTimer);
      resolve({ code, signal });
    });
  });

  const result = exited.then(async ({ code, signal }) => {
    const { files } = invocation;
    const [messageTrace, errorTrace, callDebugTrace, actionLog, screenFile, statCsv] = await Promise.all([
      readIfPresent(files.messages),
      readIfPresent(files.errors),
      readIfPresent(files.callDebug),
      readIfPresent(files.logs),
      readIfPresent(files.screen),
      readIfPresent(files.stats),
    ]);
    const out = stdout();
    const screen = screenFile !== '' ? screenFile : out;
    const stats = parseStatCsv(statCsv) ?? parseStatScreen(screen) ?? emptyStats();
    const sippResult: SippResult = {
      scenario: invocation.scenarioName,
      exitCode: code,
      signal,
      timedOut,
      pid,
      localHost: invocation.localHost,
      localPort,
      callsRequested: invocation.calls,
      stdout: out,
      stderr: stderr(),
      messageTrace,
      errorTrace,
      callDebugTrace,
      actionLog,
      screen,
      stats,
      messages: parseMessageCounts(screen),
      durationMs: Date.now() - started,
      command: [SIPP_BIN, ...invocation.args],
      workDir,
    };
    const keep = options.keepWorkDir ?? 'on-failure';
    if (keep === 'never' || (keep === 'on-failure' && isSuccessful(sippResult))) {
      await rm(workDir, { recursive: true, force: true });
      sippResult.workDir = undefined;
    }
    return sippResult;
  });

  return {
    pid,
    localHost,
    localPort,
    scenario: invocation.scenarioName,
    result,
    async whenListening(timeoutMs = 5000): Promise<void> {
      const probe = { pid, protocol: options.transport, host: localHost, port: localPort };
      if (await waitUntilListening(probe, timeoutMs, () => running)) return;
      const detail = running ? `not listening after ${timeoutMs} ms` : 'exited before listening';
      throw new SippHarnessError(
        'SIPP.NOT_LISTENING',
        `SIPp ${invocation.scenarioName} (pid ${pid}) ${detail} on ${options.transport} ${localHost}:${localPort}: ${stderr().slice(-500)}`,
      );
    },
    async stop(): Promise<SippResult> {
      terminate();
      return result;
    },
  };
}

/** SIPp exited by itself with 0, every requested call succeeded and none failed. */
export function isSuccessful(result: SippResult): boolean {
  const callsOk =
    result.stats.source === 'none' ||
    (result.stats.failedCalls === 0 && result.stats.successfulCalls >= result.callsRequested);
  return result.exitCode === 0 && !result.timedOut && callsOk;
}

/** Removes a kept run directory (for tests that expect a failure and keep nothing). */
export async function discardWorkDir(result: SippResult): Promise<void> {
  if (result.workDir !== undefined) await rm(result.workDir, { recursive: true, force: true });
  result.workDir = undefined;
}

/** Whether the SIPp binary can be run here (for `this.skip()` where SIPp is optional). */
export async function isSippInstalled(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(SIPP_BIN, ['-v'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('close', () => resolve(true));
  });
}

/** A mocha `before` hook that skips the suite, saying so, where SIPp cannot be run. */
export function skipWithoutSipp(what: string): (this: Mocha.Context) => Promise<void> {
  return async function (this: Mocha.Context) {
    if (await isSippInstalled()) return;
    console.warn(`SIPp is not installed (set CMR_SIPP_BIN): skipping ${what}`);
    this.skip();
  };
}

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

function captureTail(stream: NodeJS.ReadableStream | null): () => string {
  const chunks: Buffer[] = [];
  let size = 0;
  stream?.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    while (size > MAX_CAPTURE_BYTES && chunks.length > 1) size -= chunks.shift()?.length ?? 0;
  });
  return () => Buffer.concat(chunks).toString('utf8');
}

/** Remembers the child until it exits, and kills whatever is left if the test process exits first. */
function trackUntilExit(child: ChildProcess): void {
  live.add(child);
  child.once('close', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BenchError } from './bench-error';
import { parseRttCsv, type RttSample } from './rtt-samples';
import { parseStatDumps, type StatDump } from './sipp-stat-dumps';

/** The SIPp binary; `CMR_SIPP_BIN` overrides it, as for the test harness. */
export const SIPP_BIN = process.env.CMR_SIPP_BIN ?? '/usr/bin/sipp';

export interface SippLoadOptions {
  /** Absolute path of the scenario file. */
  readonly scenario: string;
  readonly transport: 'udp' | 'tcp';
  /** Where the run writes its statistics (its working directory). */
  readonly workDir: string;
  readonly localPort: number;
  /** A UAC's target; a UAS has none. */
  readonly target?: { readonly host: string; readonly port: number };
  /** `-m`: calls to place; omitted for a UAS that serves until stopped. */
  readonly calls?: number;
  /** `-r` calls per second. */
  readonly rate?: number;
  /** `-d`: what a `<pause/>` lasts (ringing for a callee, call length for a caller). */
  readonly pauseMs: number;
  /** `-s`: the Request-URI user. */
  readonly serviceUser?: string;
  /** Hard deadline: SIGTERM then SIGKILL. */
  readonly deadlineMs: number;
  /** `-recv_timeout` for each expected message. */
  readonly recvTimeoutMs?: number;
  /** `-l`: most calls at once (SIPp's default is 3 × rate × call length). */
  readonly maxConcurrent?: number;
  /** `-rtt_freq`: SIPp writes response times every this many calls, and not at exit (default 100). */
  readonly rttFrequency?: number;
}

export interface SippLoadResult {
  readonly exitCode: number | null;
  readonly killed: boolean;
  readonly pid: number;
  readonly dumps: readonly StatDump[];
  readonly rtt: readonly RttSample[];
  readonly stderr: string;
}

const KILL_GRACE_MS = 3000;

/**
 * One SIPp process of the load bench, without the test harness' message traces (they would cost
 * SIPp more than the calls): `-trace_stat` every second, `-trace_rtt` for every response time, and
 * `-trace_err` for the first failures. Confined to 127.0.0.1; killed by its PID only.
 */
export class SippLoadProcess {
  /** Every SIPp still running, so an interrupted bench can stop them all (`stopAll`). */
  private static readonly live = new Set<SippLoadProcess>();
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private stderr = '';
  private killed = false;

  private constructor(
    readonly options: SippLoadOptions,
    args: string[],
  ) {
    this.child = spawn(SIPP_BIN, args, { cwd: options.workDir, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr?.on('data', (d: Buffer) => {
      if (this.stderr.length < 20_000) this.stderr += d.toString('utf8');
    });
    const deadline = setTimeout(() => void this.stop(), options.deadlineMs);
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', (err) => {
        clearTimeout(deadline);
        reject(new BenchError('BENCH.SIPP_SPAWN', `could not start ${SIPP_BIN}: ${err.message}`, { cause: err }));
      });
      this.child.once('close', (code) => {
        clearTimeout(deadline);
        SippLoadProcess.live.delete(this);
        resolve(code);
      });
    });
    // A rejection here is reported by result(); keep Node from calling it unhandled meanwhile.
    this.exited.catch(() => undefined);
  }

  static async stopAll(): Promise<void> {
    await Promise.all([...SippLoadProcess.live].map((p) => p.stop()));
  }

  static start(options: SippLoadOptions): SippLoadProcess {
    const { target } = options;
    if (target && target.host !== '127.0.0.1') throw new BenchError('BENCH.NOT_LOOPBACK', 'SIPp only on 127.0.0.1');
    const args: string[] = [];
    if (target) args.push(`${target.host}:${target.port}`);
    args.push('-sf', options.scenario, '-t', options.transport === 'udp' ? 'u1' : 't1');
    args.push(
      '-i',
      '127.0.0.1',
      '-p',
      String(options.localPort),
      '-bind_local',
      '-mi',
      '127.0.0.1',
      '-ci',
      '127.0.0.1',
    );
    args.push('-nostdin', '-d', String(options.pauseMs));
    args.push('-recv_timeout', String(options.recvTimeoutMs ?? 10_000));
    args.push('-max_recv_loops', '10000', '-max_sched_loops', '10000');
    if (options.calls !== undefined) args.push('-m', String(options.calls));
    if (options.rate !== undefined) args.push('-r', String(options.rate), '-rp', '1000');
    if (options.maxConcurrent !== undefined) args.push('-l', String(options.maxConcurrent));
    if (options.serviceUser !== undefined) args.push('-s', options.serviceUser);
    args.push('-trace_stat', '-stf', join(options.workDir, 'stat.csv'), '-fd', '1');
    args.push('-trace_rtt', '-rtt_freq', String(options.rttFrequency ?? 100));
    args.push('-trace_err', '-error_file', join(options.workDir, 'errors.log'), '-error_overwrite', 'false');
    // CMR_BENCH_TRACE=1 adds SIPp's message and call-debug traces (heavy: for debugging a scenario only).
    if (process.env.CMR_BENCH_TRACE === '1') {
      args.push('-trace_msg', '-message_file', join(options.workDir, 'messages.log'));
      args.push('-trace_calldebug', '-calldebug_file', join(options.workDir, 'calldebug.log'));
    }
    const started = new SippLoadProcess(options, args);
    SippLoadProcess.live.add(started);
    return started;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** SIGTERM, then SIGKILL after a grace period, to this process only. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.killed = true;
    this.child.kill('SIGTERM');
    const grace = setTimeout(() => this.child.kill('SIGKILL'), KILL_GRACE_MS);
    await this.exited.catch(() => undefined);
    clearTimeout(grace);
  }

  /** Waits for SIPp to exit (or be stopped) and reads its statistics. */
  async result(): Promise<SippLoadResult> {
    const exitCode = await this.exited;
    const dir = this.options.workDir;
    const stat = await readOrEmpty(join(dir, 'stat.csv'));
    const rttFiles = (await readdir(dir)).filter((f) => f.endsWith('_rtt.csv'));
    const rtt: RttSample[] = [];
    for (const f of rttFiles) rtt.push(...parseRttCsv(await readOrEmpty(join(dir, f))));
    return { exitCode, killed: this.killed, pid: this.pid, dumps: parseStatDumps(stat), rtt, stderr: this.stderr };
  }
}

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { BenchError } from './bench-error';
import { processFamily } from './process-sampler';

const run = promisify(execFile);
export const KAMAILIO_BIN = process.env.CMR_KAMAILIO_BIN ?? '/usr/sbin/kamailio';
const STOP_GRACE_MS = 5000;

/** Installs Debian's kamailio package when the binary is missing (the bench runs as root on Debian). */
export async function ensureKamailio(log: (line: string) => void): Promise<void> {
  if (await isInstalled()) return;
  log('kamailio is missing: apt-get install -y kamailio');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update', '-qq'], { env, timeout: 300_000 });
    await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'kamailio'], { env, timeout: 300_000 });
  } catch (err: unknown) {
    throw new BenchError('BENCH.KAMAILIO_INSTALL', 'apt-get install kamailio failed', { cause: err });
  }
  if (!(await isInstalled())) throw new BenchError('BENCH.KAMAILIO_INSTALL', `no ${KAMAILIO_BIN} after apt-get`);
}

async function isInstalled(): Promise<boolean> {
  try {
    await run(KAMAILIO_BIN, ['-v'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

export interface KamailioOptions {
  readonly root: string;
  readonly workDir: string;
  readonly port: number;
  /** Where the proxy sends initial requests, e.g. `sip:127.0.0.1:5999;transport=tcp`. */
  readonly calleeUri: string;
  /** Worker processes per transport. */
  readonly children: number;
}

/**
 * Kamailio with bench/kamailio/kamailio.cfg (ports filled in), in the foreground (`-DD`) so the bench
 * holds the main process; its workers are its children and go with it on SIGTERM.
 */
export class KamailioProxy {
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly pids: readonly number[],
  ) {
    // 'exit', not 'close': the workers inherit the main process' stdio and outlive it by a moment.
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
  }

  static async start(options: KamailioOptions): Promise<KamailioProxy> {
    const template = await readFile(join(options.root, 'bench/kamailio/kamailio.cfg'), 'utf8');
    const cfg = template
      .replaceAll('{{PROXY_PORT}}', String(options.port))
      .replaceAll('{{CALLEE_URI}}', options.calleeUri)
      .replaceAll('{{CHILDREN}}', String(options.children));
    const cfgPath = join(options.workDir, 'kamailio.cfg');
    await writeFile(cfgPath, cfg);
    const args = ['-f', cfgPath, '-DD', '-E', '-m', '256', '-M', '16', '-w', options.workDir, '-Y', options.workDir];
    // The log file itself is the workers' stdout and stderr: no pipe for them to hold open.
    const log = openSync(join(options.workDir, 'kamailio.log'), 'w');
    const child = spawn(KAMAILIO_BIN, args, { cwd: options.workDir, stdio: ['ignore', log, log] });
    closeSync(log);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => reject(new BenchError('BENCH.KAMAILIO_SPAWN', err.message, { cause: err })));
    });
    const pid = child.pid ?? -1;
    // Ready once the workers are forked: main + children per transport + timers and the TCP main process.
    let family: number[] = [pid];
    for (let i = 0; i < 100 && family.length < 2 * options.children + 2; i++) {
      if (child.exitCode !== null) break;
      await delay(100);
      family = await processFamily(pid);
    }
    if (child.exitCode !== null || family.length < 2) {
      const text = await readFile(join(options.workDir, 'kamailio.log'), 'utf8').catch(() => '');
      child.kill('SIGKILL');
      throw new BenchError('BENCH.KAMAILIO_START', `kamailio did not start: ${text.slice(-1500)}`);
    }
    await delay(300);
    return new KamailioProxy(child, await processFamily(pid));
  }

  /** SIGTERM to the main process (it stops its workers), then SIGKILL to whichever of them is left, by PID. */
  async stop(): Promise<void> {
    const family = this.child.exitCode === null ? await processFamily(this.child.pid ?? -1) : [];
    const workers = [...new Set([...this.pids.slice(1), ...family.slice(1)])];
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const grace = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(grace);
    }
    for (let i = 0; i < 20 && workers.some(isAlive); i++) await delay(100);
    for (const pid of workers.filter(isAlive)) process.kill(pid, 'SIGKILL');
  }
}

/** Whether `pid` still runs (signal 0 checks without sending anything). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

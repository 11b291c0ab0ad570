import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BenchError } from './bench-error';

export interface ServerOptions {
  /** The repository root (dist/src/main.js is under it). */
  readonly root: string;
  readonly workDir: string;
  readonly sipPort: number;
  readonly httpPort: number;
  /** Configuration overrides as environment variables (`CMR_...`), on top of the bench's own. */
  readonly env: Readonly<Record<string, string>>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
}

const READY_POLLS = 150;
const POLL_MS = 100;
const STOP_GRACE_MS = 15_000;

/**
 * The production build of the server as `npm start` runs it (`node <its flags> dist/src/main.js`) as a
 * child process: logging at warn
 * into the run's directory, ready once GET /health/ready answers 200, stopped with SIGTERM (its drain)
 * and SIGKILL only if it overstays. Only this child is ever signalled.
 */
export class ServerUnderTest {
  private readonly exited: Promise<number | null>;
  private readonly logPath: string;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: ServerOptions,
  ) {
    this.logPath = join(options.workDir, 'server.log');
    const log = createWriteStream(this.logPath);
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  }

  static async start(options: ServerOptions): Promise<ServerUnderTest> {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_ENV: 'production',
      CMR_LOG_LEVEL: 'warn',
      CMR_SIP_HOST: '127.0.0.1',
      CMR_SIP_PORT: String(options.sipPort),
      CMR_SIP_TRANSPORTS: 'udp,tcp',
      CMR_HTTP_HOST: '127.0.0.1',
      CMR_HTTP_PORT: String(options.httpPort),
      CMR_STORE_KIND: 'sqlite',
      CMR_STORE_SQLITE_PATH: ':memory:',
      CMR_B2BUA_TRUSTED_PEERS: '127.0.0.1',
      ...options.env,
    };
    const args = [
      ...(await startScriptNodeFlags(options.root)),
      ...benchNodeArgs(),
      ...(options.nodeArgs ?? []),
      join(options.root, 'dist/src/main.js'),
    ];
    const child = spawn(process.execPath, args, { cwd: options.workDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(new BenchError('BENCH.SERVER_SPAWN', `could not start the server: ${err.message}`, { cause: err })),
      );
    });
    const server = new ServerUnderTest(child, options);
    await server.whenReady();
    return server;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Warnings and errors the server logged (JSON lines), counted by message. */
  async logSummary(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    const text = await readFile(this.logPath, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let key = line.slice(0, 80);
      try {
        const entry = JSON.parse(line) as { level?: string; message?: string };
        key = `${entry.level ?? '?'}: ${entry.message ?? '?'}`;
      } catch {
        // not JSON (a crash trace): counted by its first characters
      }
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const grace = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    const code = await this.exited;
    clearTimeout(grace);
    return code;
  }

  private async whenReady(): Promise<void> {
    for (let i = 0; i < READY_POLLS; i++) {
      if (this.child.exitCode !== null) break;
      if ((await healthStatus(this.options.httpPort)) === 200) return;
      await delay(POLL_MS);
    }
    const log = await readFile(this.logPath, 'utf8').catch(() => '');
    await this.stop();
    throw new BenchError('BENCH.SERVER_NOT_READY', `the server did not become ready: ${log.slice(-1500)}`);
  }
}

function healthStatus(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health/ready', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** The node flags of package.json's `start` script, so the bench runs the server as users do. */
async function startScriptNodeFlags(root: string): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  return nodeFlagsOf(pkg.scripts?.start ?? '');
}

/** The flags between `node` and the script in a command line such as `exec node --flag dist/src/main.js`. */
export function nodeFlagsOf(command: string): string[] {
  const words = command.split(/\s+/).filter((w) => w.length > 0);
  const node = words.indexOf('node');
  if (node < 0) return [];
  const flags: string[] = [];
  for (const word of words.slice(node + 1)) {
    if (!word.startsWith('-')) break;
    flags.push(word);
  }
  return flags;
}

/**
 * `CMR_BENCH_NODE_ARGS` (space-separated node flags for the server, after those of `npm start`, so
 * they win), to try V8 settings against a run without.
 */
function benchNodeArgs(): string[] {
  return (process.env.CMR_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a.length > 0);
}

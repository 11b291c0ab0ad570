import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'src/main.ts');

export interface ServerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly httpPort: number;
  /** Where SIP listens, per protocol. */
  readonly sipPort: (protocol: 'udp' | 'tcp') => number;
  readonly output: () => string;
  readonly exited: Promise<ServerExit>;
}

interface StartedLine {
  http: { port: number };
  sip: { protocol: string; port: number }[];
}

/**
 * Starts the real entry point (src/main.ts under tsx) with environment overrides, as `npm start` would,
 * and resolves once it logs "started" (30 s at most; a process that exits first fails the test).
 */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), MAIN], {
    cwd: tmpdir(),
    env: { ...process.env, CMR_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<ServerExit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = out.split('\n').find((l) => l.includes('"message":"started"'));
    if (line) {
      const started = JSON.parse(line) as StartedLine;
      const sipPort = (protocol: 'udp' | 'tcp') => {
        const bound = started.sip.find((a) => a.protocol === protocol);
        if (!bound) throw new Error(`the server has no ${protocol} transport`);
        return bound.port;
      };
      return { child, httpPort: started.http.port, sipPort, output: () => out, exited };
    }
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      assert.fail(`the server did not start:\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves with how the process ended; fails the test if it is still running after `ms`. */
export async function exitWithin(server: ServerProcess, ms: number): Promise<ServerExit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  const result = await Promise.race([server.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    server.child.kill('SIGKILL');
    assert.fail(`the server did not exit within ${ms} ms:\n${server.output()}`);
  }
  return result;
}

/** Polls `check` every 25 ms until it returns something truthy; fails after `ms`. */
export async function eventually<T>(what: string, check: () => T | Promise<T>, ms = 10_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

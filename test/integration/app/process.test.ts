import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'src/main.ts');

interface Started {
  child: ChildProcess;
  httpPort: number;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs the real entry point (src/main.ts under tsx) with environment overrides, as `npm start` would. */
function run(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), MAIN], {
    cwd: tmpdir(), // relative paths must not depend on where the server is started
    env: { ...process.env, CMR_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function start(env: Record<string, string>): Promise<Started> {
  const r = run(env);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = r
      .output()
      .split('\n')
      .find((l) => l.includes('"message":"started"'));
    if (line) {
      const started = JSON.parse(line) as { http: { port: number } };
      return { ...r, httpPort: started.http.port };
    }
    if (r.child.exitCode !== null || Date.now() > deadline) {
      r.child.kill('SIGKILL');
      assert.fail(`the server did not start:\n${r.output()}`);
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}

const ports = { CMR_SIP_PORT: '0', CMR_HTTP_PORT: '0', CMR_HTTP_API_TOKEN: 'process-token' };

describe('the server process (src/main.ts)', function () {
  this.timeout(90_000);
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cmr-process-'));
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a bad configuration at start-up with every problem named, exit code 2', async () => {
    const r = run({ CMR_SIP_PORT: '70000', CMR_LOG_LEVEL: 'loud', CMR_STORE_KIND: 'oracle' });
    children.push(r.child);
    assert.equal(await r.exited, 2);
    for (const key of ['sip.port', 'log.level', 'store.kind'])
      assert.match(r.output(), new RegExp(key.replace('.', '\\.')));
  });

  it('stops on SIGTERM with exit code 0 when no call is in progress', async () => {
    const s = await start({ ...ports, CMR_STORE_SQLITE_PATH: path.join(dir, 'cmr.db') });
    children.push(s.child);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
    assert.match(s.output(), /stopping: no new calls/);
  });

  it('keeps everything it acknowledged when killed with SIGKILL and restarted', async () => {
    const env = { ...ports, CMR_STORE_SQLITE_PATH: path.join(dir, 'cmr.db'), CMR_STORE_SEED_FILE: '' };
    const first = await start(env);
    children.push(first.child);
    const api = (port: number, p: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${port}${p}`, {
        ...init,
        headers: { authorization: 'Bearer process-token', 'content-type': 'application/json' },
      });
    const written = [];
    for (let i = 0; i < 20; i++) {
      const identity = `+1555000${String(8000 + i)}`;
      const res = await api(first.httpPort, `/v1/subscribers/${encodeURIComponent(identity)}`, {
        method: 'PUT',
        body: JSON.stringify({ status: 'active', cmrEnabled: true, libraryCapacity: 5, timeZone: 'UTC' }),
      });
      assert.ok(res.status === 201 || res.status === 200, `PUT answered ${res.status}: ${await res.text()}`);
      written.push(identity);
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await start(env);
    children.push(second.child);
    for (const identity of written) {
      const res = await api(second.httpPort, `/v1/subscribers/${encodeURIComponent(identity)}`);
      assert.equal(res.status, 200, `${identity} survived the kill`);
    }
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  });
});

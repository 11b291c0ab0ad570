import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALICE, BOB, path, resourceDoc, subscriberDoc } from './api-harness';
import { httpClient, type Call } from './http-client';

const TOKEN = 'crash-test-token';
const CHILD = join(__dirname, 'api-child-process.ts');

interface Child {
  readonly process: ChildProcess;
  readonly call: Call;
}

/** Starts the child and waits (at most 20 s) for the line with its port. */
function startChild(dbFile: string): Promise<Child> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', CHILD, dbFile, TOKEN], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise<Child>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the API child did not start in time: ${err}`));
    }, 20_000);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        const { port } = JSON.parse(line) as { port: number };
        resolve({ process: child, call: httpClient({ host: '127.0.0.1', port }, TOKEN) });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the API child exited with ${String(code)}: ${err}`));
    });
  });
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('Durability of acknowledged writes across a crash', function () {
  this.timeout(60_000);
  let dir: string;
  let running: ChildProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cmr-crash-'));
  });
  afterEach(async () => {
    if (running) await killHard(running);
    rmSync(dir, { recursive: true, force: true });
  });

  it('still has every acknowledged write after the server is killed with SIGKILL and restarted', async () => {
    const dbFile = join(dir, 'cmr.db');
    const first = await startChild(dbFile);
    running = first.process;
    const writes = [
      { path: path('v1/resources', 'a'), body: resourceDoc('a') },
      { path: path('v1/subscribers', ALICE), body: subscriberDoc(ALICE) },
      { path: path('v1/subscribers', BOB), body: subscriberDoc(BOB) },
      { path: path('v1/subscribers', ALICE, 'groups', 'family'), body: { members: [BOB] } },
      { path: path('v1/subscribers', ALICE, 'privacy'), body: { copy: 'contacts', contacts: [BOB] } },
      {
        path: path('v1/subscribers', ALICE, 'rules'),
        body: { rules: [], defaultPlaylist: { order: 'sequential', resourceIds: ['a'] } },
      },
    ];
    for (const w of writes) {
      const r = await first.call({ method: 'PUT', ...w });
      assert.ok(r.status === 200 || r.status === 201, `${w.path}: ${r.status} ${r.text}`);
    }
    // What the server acknowledged, as it reads it back before the crash.
    const acknowledged: { path: string; json: unknown }[] = [];
    for (const w of writes)
      acknowledged.push({ path: w.path, json: (await first.call({ method: 'GET', path: w.path })).json });
    await killHard(first.process);
    assert.equal(first.process.signalCode, 'SIGKILL');

    const second = await startChild(dbFile);
    running = second.process;
    for (const a of acknowledged) {
      const r = await second.call({ method: 'GET', path: a.path });
      assert.equal(r.status, 200, a.path);
      assert.deepEqual(r.json, a.json, a.path);
    }
  });
});

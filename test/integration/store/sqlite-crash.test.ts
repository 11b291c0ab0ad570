import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { copyIdempotencyKey } from '../../../src/cmr/model';
import { silentLogger } from '../../../src/observability/logger';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.adapter';
import { writerIdentity } from './sqlite-writer.child';

const ACKS_BEFORE_KILL = 40;

describe('SQLite store killed with SIGKILL', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cmr-crash-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('still has every acknowledged write after a restart, and the interrupted copy entirely or not at all', async () => {
    const path = join(dir, 'crash.db');
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(__dirname, 'sqlite-writer.child.ts'), path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    let acked = -1;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      for await (const line of createInterface({ input: child.stdout! })) {
        const m = /^ack (\d+)$/.exec(line);
        if (m) acked = Number(m[1]);
        if (acked + 1 >= ACKS_BEFORE_KILL) {
          child.kill('SIGKILL');
          break;
        }
      }
    } finally {
      clearTimeout(timer);
    }
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    assert.equal(signal, 'SIGKILL', 'the writer should have been killed, not have finished');
    assert.ok(acked + 1 >= ACKS_BEFORE_KILL, `only ${acked + 1} writes were acknowledged`);

    const store = await openSqliteStore({ path }, silentLogger());
    try {
      for (let n = 0; n <= acked; n++) {
        const id = writerIdentity(n);
        assert.ok(await store.getSubscriber(id), `subscriber ${n} lost`);
        assert.ok(await store.getLibraryEntry(id, 'tone'), `library entry ${n} lost`);
        assert.ok(
          await store.getCopyByIdempotencyKey(copyIdempotencyKey(`call-${n}`, id, 'tone')),
          `copy record ${n} lost`,
        );
      }
      const next = writerIdentity(acked + 1);
      const entry = await store.getLibraryEntry(next, 'tone');
      const record = await store.getCopyByIdempotencyKey(copyIdempotencyKey(`call-${acked + 1}`, next, 'tone'));
      assert.equal(entry === null, record === null, 'the interrupted copy was half written');
    } finally {
      await store.close();
    }
  });
});

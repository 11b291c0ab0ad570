/**
 * Child process for the crash test: writes to a SQLite store and prints `ack <n>` after each write is
 * acknowledged, until killed (or after a bounded number of writes). Usage: sqlite-writer.child.ts <db path>
 */
import { silentLogger } from '../../../src/observability/logger';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.adapter';
import { aCopy, aResource, aSubscriber } from './fixtures';

const MAX_WRITES = 5000;

export function writerIdentity(n: number): string {
  return `+1555${String(1_000_000 + n)}`;
}

async function main(path: string): Promise<void> {
  const store = await openSqliteStore({ path }, silentLogger());
  await store.createResource(aResource('tone'));
  await store.createSubscriber(aSubscriber('+15550000001'));
  process.stdout.write('ready\n');
  for (let n = 0; n < MAX_WRITES; n++) {
    await store.createSubscriber(aSubscriber(writerIdentity(n)));
    await store.recordCopy(aCopy(writerIdentity(n), '+15550000001', 'tone', `call-${n}`));
    process.stdout.write(`ack ${n}\n`);
  }
  await store.close();
}

if (require.main === module) {
  const path = process.argv[2];
  if (!path) throw new Error('usage: sqlite-writer.child.ts <db path>');
  void main(path);
}

import { heapReport } from './heap-report';
import { readHeapSnapshot } from './heap-snapshot-summary';

/** `node dist/bench/profile/print-heap.js FILE.heapsnapshot [CALLS]`: where the heap goes, per call. */
async function main(): Promise<void> {
  const [file, calls] = process.argv.slice(2);
  if (!file) throw new Error('usage: print-heap FILE.heapsnapshot [CALLS]');
  process.stdout.write(heapReport(await readHeapSnapshot(file), Number(calls ?? 1)));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

import { formatNumber, textTable } from '../report/text-table';
import { heapPaths } from './heap-paths';
import { heapReport } from './heap-report';
import { readHeapSnapshot } from './heap-snapshot-summary';

/**
 * `node dist/bench/profile/print-heap.js FILE.heapsnapshot [CALLS]`: where the heap goes, per call.
 * `... FILE CALLS CLASS [DEPTH]`: what an instance of CLASS holds, by property path (default depth 2).
 */
async function main(): Promise<void> {
  const [file, calls, className, depth] = process.argv.slice(2);
  if (!file) throw new Error('usage: print-heap FILE.heapsnapshot [CALLS [CLASS [DEPTH]]]');
  const snapshot = await readHeapSnapshot(file);
  if (className === undefined) {
    process.stdout.write(heapReport(snapshot, Number(calls ?? 1)));
    return;
  }
  const rows = heapPaths(snapshot, className, Number(depth ?? 2))
    .filter((p) => p.retainedBytes >= 24 || p.selfBytes >= 24)
    .map((p) => [
      p.path,
      formatNumber(p.perInstance, 2),
      formatNumber(p.selfBytes, 0),
      formatNumber(p.retainedBytes, 0),
    ]);
  process.stdout.write(textTable(['path', 'per instance', 'self bytes', 'retained bytes'], rows));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

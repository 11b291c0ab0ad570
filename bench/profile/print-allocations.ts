import { formatNumber, textTable } from '../report/text-table';
import { readAllocationProfile, topAllocationSites } from './allocation-summary';

/**
 * `node dist/bench/profile/print-allocations.js FILE.heapprofile [N] [CALLS]`: the N functions that
 * allocated most (see allocation-sampler.ts); with CALLS, the total per call too.
 */
async function main(): Promise<void> {
  const [file, n, calls] = process.argv.slice(2);
  if (!file) throw new Error('usage: print-allocations FILE.heapprofile [N] [CALLS]');
  const { total, sites } = topAllocationSites(await readAllocationProfile(file), Number(n ?? 30));
  const perCall = calls ? `, ${formatNumber(total / Number(calls) / 1024, 1)} KB per call` : '';
  process.stdout.write(`allocated ${formatNumber(total / 1e6, 1)} MB${perCall}\n`);
  const rows = sites.map((s) => [formatNumber(s.bytes / 1e6, 1), `${(s.share * 100).toFixed(1)}%`, s.fn]);
  process.stdout.write(textTable(['MB', 'share', 'function'], rows));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

import { formatNumber, textTable } from '../report/text-table';
import { readCpuProfile, topSelfTimes } from './cpu-profile-summary';

/** `node dist/bench/profile/print-profile.js FILE.cpuprofile [N]`: the top N self-time functions. */
async function main(): Promise<void> {
  const [file, n] = process.argv.slice(2);
  if (!file) throw new Error('usage: print-profile FILE.cpuprofile [N]');
  const top = topSelfTimes(await readCpuProfile(file), Number(n ?? 25));
  const rows = top.map((t) => [formatNumber(t.selfMs, 1), `${(t.share * 100).toFixed(1)}%`, t.fn]);
  process.stdout.write(textTable(['self ms', 'share', 'function'], rows));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

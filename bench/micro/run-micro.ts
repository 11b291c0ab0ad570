import { callRegistryBenches } from './call-registry-bench';
import { DEFAULT_MEASURE, measure, sinkValue, type Measurement, type MeasureOptions } from './measure';
import { npmSipContender, ours, sipJsContender, verifyContender, type ParserContender } from './parser-contenders';
import { SAMPLES } from './sample-messages';
import { transactionBenches } from './transaction-bench';
import { formatNumber, markdownTable, textTable } from '../report/text-table';

/**
 * `npm run bench:micro`: the hot paths of the SIP stack, timed in-process. Parsing and serializing the
 * three sample messages with our parser and with the parsers of npm `sip` and SIP.js (each checked to
 * read the messages right before it is timed), transaction matching, and call lookup.
 * Options: --quick (fewer iterations), --markdown (tables as Markdown), --live N (table sizes).
 */

interface Row {
  readonly group: string;
  readonly measurement: Measurement;
  /** Ours ÷ this row: how many times faster ours is; 1 for our own row. */
  readonly oursTimes: number | null;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const markdown = args.includes('--markdown');
  const liveAt = args.indexOf('--live');
  const live = liveAt >= 0 ? Number(args[liveAt + 1]) : 10_000;
  if (!Number.isInteger(live) || live < 1 || live > 1_000_000) throw new Error('--live takes an integer 1..1000000');
  const options: MeasureOptions = quick
    ? { warmupIterations: 5_000, iterations: 20_000, samples: 3, maxSampleMs: 500 }
    : DEFAULT_MEASURE;

  const contenders: ParserContender[] = [ours, npmSipContender, await sipJsContender()];
  for (const contender of contenders) for (const sample of SAMPLES) verifyContender(contender, sample);

  const rows: Row[] = [];
  for (const sample of SAMPLES) {
    const group = `parse ${sample.name} (${sample.bytes.length} B)`;
    const timed = contenders.map((c) => measure(c.name, () => c.parse(sample), options));
    rows.push(...compared(group, timed));
  }
  for (const sample of SAMPLES) {
    const group = `serialize ${sample.name}`;
    const timed: Measurement[] = [];
    for (const c of contenders) {
      const serialize = c.serializer(sample);
      if (serialize) timed.push(measure(c.name, serialize, options));
    }
    rows.push(...compared(group, timed));
  }
  for (const m of transactionBenches(live, options))
    rows.push({ group: 'transaction layer', measurement: m, oursTimes: null });
  for (const m of callRegistryBenches(live, options))
    rows.push({ group: 'call lookup', measurement: m, oursTimes: null });

  const header = ['case', 'implementation', 'ops/s', 'ns/op', 'ours is ×'];
  const cells = rows.map((r) => [
    r.group,
    r.measurement.name,
    formatNumber(r.measurement.opsPerSecond),
    formatNumber(r.measurement.nsPerOp),
    r.oursTimes === null ? '–' : `${r.oursTimes.toFixed(2)}x`,
  ]);
  process.stdout.write(
    `node ${process.version}, ${options.samples} samples of ${options.iterations} iterations (median)\n\n`,
  );
  process.stdout.write(markdown ? markdownTable(header, cells) : textTable(header, cells));
  process.stdout.write(`\n(checksum ${sinkValue()})\n`);
}

/** Rows for one case: ours first, each with how many times faster ours is than it. */
function compared(group: string, timed: readonly Measurement[]): Row[] {
  const base = timed[0];
  return timed.map((m) => ({
    group,
    measurement: m,
    oursTimes: base && m.opsPerSecond > 0 ? base.opsPerSecond / m.opsPerSecond : null,
  }));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:micro failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

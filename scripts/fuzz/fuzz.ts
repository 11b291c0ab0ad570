/**
 * `npm run fuzz -- [--seed N] [--iterations N] [--seconds N] [--in-process]`: the standalone fuzz harness.
 *
 * Over sockets (the default) it starts the whole application in-process on free loopback ports, with
 * the test CHF and portal, a ringing called party and a media server, and throws batches of mutated SIP
 * at it over UDP and TCP: mangled requests and responses, and copy requests with mangled bodies inside
 * live calls and outside them (Target-Dialog). After each batch the server must answer OPTIONS on both
 * transports and complete a call with a copy charged exactly once; no uncaught exception, no 500, no
 * error log line. With --in-process it fuzzes the parsers directly. Bounded by --iterations and
 * --seconds; exit code 0 with no finding, 1 with findings (the batch is written out for replay), 2 on
 * bad arguments. Sends only to 127.0.0.1 and stops only what it started.
 */
import { formatParserReport, formatSocketReport, writeBatch } from '../../test/support/fuzz/fuzz-report';
import { runParserFuzz } from '../../test/support/fuzz/parser-fuzz';
import { runSocketFuzz, type SocketFuzzReport } from '../../test/support/fuzz/socket-fuzz';
import { FuzzArgsError, parseFuzzArgs, USAGE, type FuzzArgs } from './fuzz-args';

const PROGRESS_EVERY_MS = 10_000;

function say(lines: string | readonly string[]): void {
  for (const line of typeof lines === 'string' ? [lines] : lines) console.log(line);
}

function inProcess(args: FuzzArgs): number {
  say(`fuzzing the parsers in-process: seed ${args.seed}, at most ${args.iterations} inputs or ${args.seconds} s`);
  const report = runParserFuzz(args);
  say(formatParserReport(report));
  return report.targets.some((t) => t.failures.length > 0) ? 1 : 0;
}

async function overSockets(args: FuzzArgs): Promise<number> {
  say(
    `fuzzing the application over UDP and TCP: seed ${args.seed}, ` +
      `at most ${args.iterations} messages or ${args.seconds} s`,
  );
  let lastProgress = Date.now();
  const progress = (r: SocketFuzzReport): void => {
    if (Date.now() - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = Date.now();
    const sent = r.sent.udp + r.sent.tcp;
    say(
      `  ${(r.elapsedMs / 1000).toFixed(0)} s: ${r.batches} batches, ${sent} messages, ` +
        `${r.copiesVerified} copies verified`,
    );
  };
  const report = await runSocketFuzz({ ...args, onBatch: progress });
  say(formatSocketReport(report));
  if (report.findings.length === 0) return 0;
  const first = report.findings[0]!;
  const folder = writeBatch(args.findingsDir, args.seed, first.batch, report.failedBatch);
  say(`the messages of batch ${first.batch} are in ${folder}; replay with --seed ${args.seed}`);
  return 1;
}

async function main(): Promise<number> {
  let args: FuzzArgs;
  try {
    args = parseFuzzArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof FuzzArgsError)) throw err;
    say([err.message, USAGE]);
    return 2;
  }
  return args.inProcess ? inProcess(args) : overSockets(args);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

import { setTimeout as delay } from 'node:timers/promises';
import type { TransportStats } from '../../../src/sip/transport/transport-layer';
import { AnswerTally } from './answer-tally';
import { CountingLogger } from './counting-logger';
import { emptyCounts, runBatch, type SendCounts, type SentMessage } from './fuzz-batch';
import { FuzzRig } from './fuzz-rig';
import { probeOptions, verifyCopyCall } from './health-checks';
import { sampleMemory, type MemorySample } from './memory';
import { CallCheckError } from './raw-caller';
import { seededRng } from './rng';
import { WireEndpoint } from './wire-endpoint';

/**
 * The socket fuzz run: the whole application in-process (FuzzRig), batches of mutated traffic
 * (fuzz-batch.ts), and after every batch the health checks (OPTIONS over UDP and TCP, a call with a copy
 * charged once over UDP and TCP) plus the process checks: no uncaught exception or unhandled rejection,
 * no 500 but the RFC 3261 CSeq one, no error-level log line. Stops at the first batch with a finding,
 * or when `iterations` messages are sent or `seconds` have passed.
 */

export interface SocketFuzzOptions {
  readonly seed: number;
  /** At most this many fuzz messages (health checks not counted). */
  readonly iterations: number;
  /** Stop starting batches after this many seconds. */
  readonly seconds: number;
  readonly batchSize?: number;
  /** Called after every batch, e.g. to print progress. */
  readonly onBatch?: (report: SocketFuzzReport) => void;
}

export interface Finding {
  readonly batch: number;
  readonly what: string;
  /** The messages of the batch that may have caused it (a 500's request), for the report. */
  readonly suspects: readonly SentMessage[];
}

export interface SocketFuzzReport {
  readonly seed: number;
  batches: number;
  elapsedMs: number;
  readonly sent: SendCounts;
  readonly tally: AnswerTally;
  probes: number;
  copiesVerified: number;
  memoryBefore: MemorySample | null;
  /** After the last batch, the application still running. */
  memoryAfter: MemorySample | null;
  /** The largest RSS seen after a batch, in MiB. */
  peakRssMb: number;
  server: TransportStats | null;
  readonly findings: Finding[];
  /** The messages of the batch with the first finding, to write out for replay; empty when none. */
  failedBatch: SentMessage[];
  readonly logger: CountingLogger;
}

const DEFAULT_BATCH_SIZE = 200;
/** How long after the last batch the run waits for copies still being charged. */
const SETTLE_MS = 1000;

export async function runSocketFuzz(options: SocketFuzzOptions): Promise<SocketFuzzReport> {
  const logger = new CountingLogger();
  const report: SocketFuzzReport = {
    seed: options.seed,
    batches: 0,
    elapsedMs: 0,
    sent: emptyCounts(),
    tally: new AnswerTally(),
    probes: 0,
    copiesVerified: 0,
    memoryBefore: null,
    memoryAfter: null,
    peakRssMb: 0,
    server: null,
    findings: [],
    failedBatch: [],
    logger,
  };
  const crashes: string[] = [];
  const onUncaught = (err: unknown): void => void crashes.push(`uncaught exception: ${describe(err)}`);
  const onRejection = (err: unknown): void => void crashes.push(`unhandled rejection: ${describe(err)}`);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);
  const started = Date.now();
  const liveCallers: string[] = [];
  let rig: FuzzRig | null = null;
  let udp: WireEndpoint | null = null;
  try {
    rig = await FuzzRig.start(logger);
    udp = await WireEndpoint.open('udp', rig.sipPort('udp'));
    udp.onMessage = (m) => void (m.isRequest || report.tally.add('udp', m));
    // One call first, so the figures before exclude what the first call loads (modules, statements).
    await healthChecks(rig, report, 0);
    report.memoryBefore = await sampleMemory();
    const rng = seededRng(options.seed);
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const deadline = started + options.seconds * 1000;
    const sentTotal = (): number => report.sent.udp + report.sent.tcp;
    while (sentTotal() < options.iterations && Date.now() < deadline && report.findings.length === 0) {
      const batch = ++report.batches;
      const size = Math.min(batchSize, options.iterations - sentTotal());
      const errorsBefore = logger.lines.total('error');
      const serverErrorsBefore = report.tally.serverErrors.length;
      let sent: SentMessage[] = [];
      try {
        const result = await runBatch({
          seed: options.seed,
          rng,
          rig,
          tally: report.tally,
          udp,
          counts: report.sent,
          batch,
          size,
        });
        sent = result.sent;
        liveCallers.push(...result.liveCallers);
        await healthChecks(rig, report, batch);
      } catch (err) {
        if (!(err instanceof CallCheckError)) throw err;
        report.findings.push({ batch, what: `health check failed: ${err.message}`, suspects: [] });
      }
      collectFindings(report, batch, sent, crashes.splice(0), errorsBefore, serverErrorsBefore);
      report.findings.push(...chargedTwice(rig, liveCallers, batch));
      if (report.findings.length > 0) report.failedBatch = sent;
      report.tally.endBatch();
      report.peakRssMb = Math.max(report.peakRssMb, process.memoryUsage().rss / 1024 / 1024);
      report.elapsedMs = Date.now() - started;
      options.onBatch?.(report);
    }
    // Late copies of the last batches (a charge still on its way at their check) are counted too.
    await delay(SETTLE_MS);
    if (report.findings.length === 0) report.findings.push(...chargedTwice(rig, liveCallers, report.batches));
    report.memoryAfter = await sampleMemory();
    report.server = rig.app.sip.transport.stats();
  } finally {
    await udp?.close();
    await rig?.stop();
    report.elapsedMs = Date.now() - started;
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onRejection);
  }
  return report;
}

/** OPTIONS over UDP and TCP, then a call with a copy over UDP and over TCP. */
async function healthChecks(rig: FuzzRig, report: SocketFuzzReport, batch: number): Promise<void> {
  for (const transport of ['udp', 'tcp'] as const) {
    await probeOptions(rig, transport, `probe-${report.seed}-${batch}-${transport}`);
    report.probes++;
  }
  for (const transport of ['udp', 'tcp'] as const) {
    await verifyCopyCall(rig, transport, `check-${report.seed}-${batch}-${transport}`);
    report.copiesVerified++;
  }
}

function collectFindings(
  report: SocketFuzzReport,
  batch: number,
  sent: SentMessage[],
  crashes: string[],
  errorsBefore: number,
  serverErrorsBefore: number,
): void {
  for (const crash of crashes) report.findings.push({ batch, what: crash, suspects: [] });
  const errors = report.logger.lines.total('error') - errorsBefore;
  if (errors > 0) {
    const first = report.logger.lines.first.find((l) => l.level === 'error');
    const example = first ? `; the first: ${first.message} ${JSON.stringify(first.meta)}` : '';
    report.findings.push({ batch, what: `${errors} error log line(s)${example}`, suspects: [] });
  }
  for (const e of report.tally.serverErrors.slice(serverErrorsBefore)) {
    const suspects = sent.filter((m) => m.data.includes(e.callId));
    report.findings.push({ batch, what: `500 "${e.reason}" over ${e.transport} to ${e.cseq} (${e.callId})`, suspects });
  }
}

/** Callers of live calls debited more than once: each call presents one tone, which is charged once at most. */
function chargedTwice(rig: FuzzRig, callers: readonly string[], batch: number): Finding[] {
  return callers
    .map((caller) => ({ caller, debits: rig.chf.debitsOf(caller).length }))
    .filter(({ debits }) => debits > 1)
    .map(({ caller, debits }) => ({
      batch,
      what: `live caller ${caller} was debited ${debits} times for one tone`,
      suspects: [],
    }));
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

import { AssertionError } from 'node:assert';
import { isSuccessful, type SippResult } from './sipp-runner';

const EXIT_MEANINGS: Record<number, string> = {
  0: 'all calls succeeded',
  1: 'at least one call failed',
  97: 'exit on internal command',
  99: 'normal exit without calls processed',
  254: 'fatal error binding a socket',
  255: 'fatal error (or SIPp -timeout reached)',
};

export interface ReportOptions {
  /** Lines kept from the end of the message trace. Default 120. */
  messageLines?: number;
  /** Lines kept from the end of the error trace, stderr and call debug trace. Default 40. */
  errorLines?: number;
}

/**
 * Fails the test unless SIPp exited 0 by itself with every requested call successful.
 * The message shows why, the counters, the tail of the error and message traces (so the SIP
 * messages are in the test output) and the kept work directory.
 */
export function assertSippSuccess(result: SippResult, context = '', report: ReportOptions = {}): void {
  if (isSuccessful(result)) return;
  const title = `SIPp scenario ${result.scenario} did not succeed${context ? ` (${context})` : ''}`;
  throw new AssertionError({ message: `${title}\n${formatSippReport(result, report)}` });
}

/** A readable account of one run, for failure messages and debugging. */
export function formatSippReport(result: SippResult, options: ReportOptions = {}): string {
  const messageLines = options.messageLines ?? 120;
  const errorLines = options.errorLines ?? 40;
  const s = result.stats;
  const lines = [
    `outcome: ${describeExit(result)} after ${result.durationMs} ms (pid ${result.pid}, ${result.localHost}:${result.localPort})`,
    `calls: requested ${result.callsRequested}, successful ${s.successfulCalls}, failed ${s.failedCalls}, running ${s.currentCalls} (stats from ${s.source})`,
  ];
  const causes = failureCauses(result);
  if (causes) lines.push(`failure causes: ${causes}`);
  if (result.messages.length > 0) {
    const table = result.messages.map(
      (m) =>
        `${m.direction} ${m.name} x${m.count} (retrans ${m.retransmissions}, timeout ${m.timeouts}, unexpected ${m.unexpected})`,
    );
    lines.push(`messages: ${table.join('; ')}`);
  }
  lines.push(`command: ${result.command.join(' ')}`);
  lines.push(result.workDir ? `work dir kept: ${result.workDir}` : 'work dir: removed');
  lines.push(section('error trace', result.errorTrace, errorLines));
  lines.push(section('stderr', result.stderr, errorLines));
  lines.push(section('call debug trace', result.callDebugTrace, errorLines));
  lines.push(section('message trace', result.messageTrace, messageLines));
  return lines.filter((l) => l !== '').join('\n');
}

function describeExit(result: SippResult): string {
  if (result.timedOut) return `killed by the harness (${result.signal ?? `exit ${result.exitCode}`}) at the deadline`;
  if (result.exitCode === null) return `killed by ${result.signal}`;
  return `exit ${result.exitCode} (${EXIT_MEANINGS[result.exitCode] ?? 'unknown exit code'})`;
}

function failureCauses(result: SippResult): string {
  const s = result.stats;
  const causes: [string, number][] = [
    ['unexpected message', s.failedUnexpectedMessage],
    ['regexp did not match', s.failedRegexpDoesntMatch],
    ['header for regexp not found', s.failedRegexpHdrNotFound],
    ['receive timeout', s.failedTimeoutOnRecv],
    ['UDP retransmission timeout', s.failedMaxUdpRetrans],
    ['TCP connect failed', s.failedTcpConnect],
    ['TCP connection closed', s.failedTcpClosed],
    ['call rejected', s.failedCallRejected],
    ['out-of-call messages', s.outOfCallMessages],
    ['fatal errors', s.fatalErrors],
  ];
  return causes
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
}

/** A line longer than this (a generated body) is cut in the report, with the count of what was left out. */
const MAX_LINE_CHARS = 300;

function clip(line: string): string {
  return line.length <= MAX_LINE_CHARS
    ? line
    : `${line.slice(0, MAX_LINE_CHARS)}... (${line.length - MAX_LINE_CHARS} more characters)`;
}

function section(title: string, text: string, maxLines: number): string {
  const trimmed = text.replace(/\r/g, '').trimEnd();
  if (trimmed === '') return '';
  const all = trimmed.split('\n');
  const kept = all.slice(-maxLines).map(clip);
  const cut = all.length > kept.length ? ` (last ${kept.length} of ${all.length} lines)` : '';
  return `--- ${title}${cut} ---\n${kept.join('\n')}`;
}

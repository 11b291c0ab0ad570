import { formatNumber, markdownTable, textTable } from '../report/text-table';
import type { LatencySummary } from './rtt-samples';

/** What one overload run found, over one transport. */
export interface OverloadResult {
  readonly transport: 'udp' | 'tcp';
  readonly sustainableCps: number;
  readonly measured: boolean;
  readonly offeredCps: number;
  readonly seconds: number;
  readonly offered: number;
  /** Calls admitted and completed (183, answer, BYE), per second of offer. */
  readonly achievedCps: number;
  readonly completed: number;
  /** Calls answered 503 with a Retry-After. */
  readonly shed: number;
  /** Calls that failed otherwise (any other answer, a 503 without Retry-After, a timeout) or never ended. */
  readonly otherFailures: number;
  readonly setup: LatencySummary;
  readonly options: LatencySummary;
  readonly optionsMissed: number;
  readonly copies: { readonly copied: number; readonly shed: number; readonly failed: number };
  readonly copy: LatencySummary;
  readonly peakRssKb: number;
  readonly cpuPercent: number;
  readonly machineBusyPercent: number;
  /** The server's event-loop delay, from /metrics each second: the highest p99 and max of a second, ms. */
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  readonly scrapesMissed: number;
  /** The server still answered GET /metrics when the offer ended (it neither crashed nor stalled). */
  readonly aliveAfter: boolean;
  /** Seconds after the offer until no call was in progress; NaN: not within `idleWaitS`. */
  readonly idleAfterS: number;
  readonly idleWaitS: number;
  /** When not idle by then: the calls still in progress by phase (GET /v1/calls). */
  readonly phasesLeft: Readonly<Record<string, number>>;
  /** Datagrams dropped on full receive buffers by the server's SIP socket and the SIPp caller's (UDP runs). */
  readonly udpDrops: { readonly server: number; readonly caller: number };
  /** A call placed once the server was idle again was admitted and completed. */
  readonly recovered: boolean;
  readonly exitCode: number | null;
  /** The load's failed calls by what SIPp saw (its errors.log), e.g. an unexpected message. */
  readonly failureCauses: Readonly<Record<string, number>>;
  readonly serverLog: Readonly<Record<string, number>>;
}

/**
 * SIPp's error trace summarised by kind: an unexpected message (its start line and CSeq, and the
 * scenario element the call was at), or a receive timeout (the element that waited). Messages that
 * reach calls already over are not failures and are left out.
 */
export function failureCauses(errorsLog: string): Record<string, number> {
  const causes: Record<string, number> = {};
  const events = errorsLog.split(/(?:^|')\d{4}-\d\d-\d\d\t[\d:.]+\t[\d.]+: /m).slice(1);
  for (const event of events) {
    if (event.startsWith('Dead call')) continue;
    const timeout = /receive timeout on message ([\w.-]+):(\d+)/.exec(event);
    const at = /while \w+ \(index (\d+)\)/.exec(event)?.[1];
    const quoted = /received '([^\r\n]*)[\s\S]*?^CSeq:\s*([^\r\n]*)/m.exec(event);
    const what = (event.split(/ for Call-Id|[:,]/)[0] ?? '').trim();
    const key = timeout
      ? `receive timeout at element ${timeout[2]} of ${timeout[1]}`
      : `${what}${at === undefined ? '' : ` at element ${at}`}${quoted ? `: ${quoted[1]} (${quoted[2]})` : ''}`;
    causes[key] = (causes[key] ?? 0) + 1;
  }
  return causes;
}

/** The lines under the table: did the server survive and recover, why calls failed, what it logged. */
export function overloadNotes(r: OverloadResult): string[] {
  const idle = Number.isFinite(r.idleAfterS)
    ? `idle again ${r.idleAfterS} s after the offer`
    : `NOT idle within ${r.idleWaitS} s of the offer (calls by phase: ${JSON.stringify(r.phasesLeft)})`;
  return [
    `${r.transport}: the server ${r.aliveAfter ? 'answered /metrics after the offer' : 'DID NOT ANSWER after the offer'} ` +
      `(${r.scrapesMissed} of the per-second scrapes missed), ${idle}, a call afterwards ` +
      `${r.recovered ? 'succeeded' : 'FAILED'}, exit code ${r.exitCode} on SIGTERM; ` +
      `UDP datagrams dropped on full receive buffers: ${r.udpDrops.server} by the server's socket, ` +
      `${r.udpDrops.caller} by the SIPp caller's`,
    `  failed calls by cause (element = 0-based index in the scenario): ${JSON.stringify(r.failureCauses).slice(0, 800)}`,
    `  server log at warn and above: ${JSON.stringify(r.serverLog).slice(0, 600)}`,
  ];
}

export function overloadTable(results: readonly OverloadResult[], markdown: boolean): string {
  const ms = (l: LatencySummary) => `${l.p50.toFixed(0)} / ${l.p99.toFixed(0)}`;
  const header = [
    'transport',
    'R cps',
    'offered cps',
    'achieved cps',
    'shed 503+RA',
    'other failures',
    'INVITE→183 p50 / p99 ms',
    'OPTIONS p50 / p99 ms',
    'OPTIONS missed',
    'copy probes copied / shed / failed',
    'copy p50 / p99 ms',
    'event loop p99 / max ms',
    'CPU %',
    'machine %',
    'peak RSS MB',
  ];
  const rows = results.map((r) => [
    r.transport,
    `${formatNumber(r.sustainableCps)}${r.measured ? '' : ' (given)'}`,
    formatNumber(r.offeredCps),
    formatNumber(r.achievedCps),
    `${formatNumber(r.shed)} (${formatNumber((100 * r.shed) / Math.max(1, r.offered))}%)`,
    formatNumber(r.otherFailures),
    ms(r.setup),
    ms(r.options),
    `${r.optionsMissed} of ${r.seconds}`,
    `${r.copies.copied} / ${r.copies.shed} / ${r.copies.failed}`,
    ms(r.copy),
    `${formatNumber(r.lagP99Ms)} / ${formatNumber(r.lagMaxMs)}`,
    formatNumber(r.cpuPercent),
    formatNumber(r.machineBusyPercent),
    formatNumber(r.peakRssKb / 1024),
  ]);
  return (markdown ? markdownTable : textTable)(header, rows);
}

/**
 * Reading SIPp's reports: the `-trace_stat` CSV (one header line, then one line per dump, the
 * last one written at exit) and the `-trace_screen` dump (or the periodic screens on stdout),
 * whose scenario screen counts each message of the scenario.
 */

export interface SippStats {
  /** Where the numbers come from: the CSV, the screen's statistics table, or nowhere (all zero). */
  source: 'csv' | 'screen' | 'none';
  totalCalls: number;
  successfulCalls: number;
  failedCalls: number;
  /** Calls still running when SIPp stopped. */
  currentCalls: number;
  retransmissions: number;
  failedUnexpectedMessage: number;
  failedRegexpDoesntMatch: number;
  failedRegexpHdrNotFound: number;
  failedTimeoutOnRecv: number;
  failedMaxUdpRetrans: number;
  failedTcpConnect: number;
  failedTcpClosed: number;
  failedCallRejected: number;
  outOfCallMessages: number;
  deadCallMessages: number;
  fatalErrors: number;
  warnings: number;
  /** Every cumulative counter of the last CSV line by its column name, e.g. `SuccessfulCall(C)`. */
  raw: Record<string, string>;
}

/** One row of the scenario screen: a message sent or expected, a pause or a nop. */
export interface SippMessageCount {
  /** Method or status code as the scenario names it (`INVITE`, `200`), or `Pause`. */
  name: string;
  direction: 'send' | 'recv' | 'pause';
  count: number;
  retransmissions: number;
  timeouts: number;
  unexpected: number;
}

const CSV_COUNTERS: Record<Exclude<keyof SippStats, 'source' | 'raw'>, string> = {
  totalCalls: 'TotalCallCreated',
  successfulCalls: 'SuccessfulCall(C)',
  failedCalls: 'FailedCall(C)',
  currentCalls: 'CurrentCall',
  retransmissions: 'Retransmissions(C)',
  failedUnexpectedMessage: 'FailedUnexpectedMessage(C)',
  failedRegexpDoesntMatch: 'FailedRegexpDoesntMatch(C)',
  failedRegexpHdrNotFound: 'FailedRegexpHdrNotFound(C)',
  failedTimeoutOnRecv: 'FailedTimeoutOnRecv(C)',
  failedMaxUdpRetrans: 'FailedMaxUDPRetrans(C)',
  failedTcpConnect: 'FailedTcpConnect(C)',
  failedTcpClosed: 'FailedTcpClosed(C)',
  failedCallRejected: 'FailedCallRejected(C)',
  outOfCallMessages: 'OutOfCallMsgs(C)',
  deadCallMessages: 'DeadCallMsgs(C)',
  fatalErrors: 'FatalErrors(C)',
  warnings: 'Warnings(C)',
};

export function emptyStats(): SippStats {
  const stats = { source: 'none', raw: {} } as SippStats;
  for (const key of Object.keys(CSV_COUNTERS) as (keyof typeof CSV_COUNTERS)[]) stats[key] = 0;
  return stats;
}

/** Parses the `-trace_stat` CSV; undefined when it has no data line. */
export function parseStatCsv(csv: string, delimiter = ';'): SippStats | undefined {
  const lines = csv.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines[0];
  const last = lines.length > 1 ? lines[lines.length - 1] : undefined;
  if (header === undefined || last === undefined) return undefined;
  const names = header.split(delimiter);
  const values = last.split(delimiter);
  const raw: Record<string, string> = {};
  names.forEach((name, i) => {
    if (name !== '') raw[name] = values[i] ?? '';
  });
  const stats = emptyStats();
  stats.source = 'csv';
  stats.raw = raw;
  for (const [key, column] of Object.entries(CSV_COUNTERS) as [keyof typeof CSV_COUNTERS, string][]) {
    stats[key] = toCount(raw[column]);
  }
  return stats;
}

/**
 * Falls back on the statistics screen ("Successful call | periodic | cumulative") when there is
 * no CSV, e.g. when SIPp was killed before it could write one.
 */
export function parseStatScreen(screen: string): SippStats | undefined {
  const section = lastSection(screen, 'Statistics Screen');
  if (section === undefined) return undefined;
  const cumulative = (label: string): number | undefined => {
    const line = section.split('\n').find((l) => l.trimStart().startsWith(label));
    const cell = line?.split('|')[2];
    return cell === undefined ? undefined : toCount(cell.trim().split(/\s+/)[0]);
  };
  const successful = cumulative('Successful call');
  const failed = cumulative('Failed call');
  if (successful === undefined || failed === undefined) return undefined;
  const stats = emptyStats();
  stats.source = 'screen';
  stats.successfulCalls = successful;
  stats.failedCalls = failed;
  stats.totalCalls = cumulative('Total Calls created') ?? successful + failed;
  return stats;
}

/** Rows of the last scenario screen found in `screen` (a `-trace_screen` dump or SIPp's stdout). */
export function parseMessageCounts(screen: string): SippMessageCount[] {
  const section = lastSection(screen, 'Scenario Screen');
  if (section === undefined) return [];
  const rows: SippMessageCount[] = [];
  for (const line of section.split('\n')) {
    const message = /^\s*(\S+)\s+(-+>|<-+)\s+(?:[BE]-RTD\d+\s+)?(\d+)(?:\s+(\d+))?(?:\s+(\d+))?(?:\s+(\d+))?/.exec(
      line,
    );
    if (message) {
      rows.push({
        name: message[1] ?? '',
        direction: message[2]?.startsWith('<') ? 'recv' : 'send',
        count: toCount(message[3]),
        retransmissions: toCount(message[4]),
        timeouts: toCount(message[5]),
        unexpected: toCount(message[6]),
      });
      continue;
    }
    const pause = /^\s*Pause\s+\[[^\]]*\]\s+(\d+)(?:\s+(\d+))?/.exec(line);
    if (pause) {
      rows.push({
        name: 'Pause',
        direction: 'pause',
        count: toCount(pause[1]),
        retransmissions: 0,
        timeouts: 0,
        unexpected: toCount(pause[2]),
      });
    }
  }
  return rows;
}

/** The text from the last screen titled `title` up to the next screen title (or the end). */
function lastSection(text: string, title: string): string | undefined {
  const start = text.lastIndexOf(title);
  if (start < 0) return undefined;
  const rest = text.slice(start + title.length);
  const next = rest.search(/-{3,} [A-Z][a-z]+ Screen -{3,}/);
  return (next < 0 ? rest : rest.slice(0, next)).replace(/\r/g, '');
}

function toCount(value: string | undefined): number {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

/** One line of SIPp's `-trace_stat` CSV (written every `-fd` seconds and at exit), the counters we use. */
export interface StatDump {
  /** Seconds since SIPp started (`ElapsedTime(C)`). */
  readonly elapsedS: number;
  readonly created: number;
  readonly successful: number;
  readonly failed: number;
  readonly current: number;
  readonly retransmissions: number;
  /** Every column of the line by its name. */
  readonly raw: Readonly<Record<string, string>>;
}

/** SIPp's `HH:MM:SS` (ElapsedTime) or `HH:MM:SS:uuuuuu` (response times, in microseconds) as seconds. */
export function parseElapsed(text: string): number {
  const parts = text.trim().split(':').map(Number);
  if (parts.length < 3 || parts.some((n) => !Number.isFinite(n))) return NaN;
  const [h = 0, m = 0, s = 0, us = 0] = parts;
  return h * 3600 + m * 60 + s + us / 1_000_000;
}

export function parseStatDumps(csv: string, delimiter = ';'): StatDump[] {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]?.split(delimiter) ?? [];
  return lines.slice(1).map((line) => {
    const values = line.split(delimiter);
    const raw: Record<string, string> = {};
    header.forEach((name, i) => {
      if (name !== '') raw[name] = values[i] ?? '';
    });
    const n = (name: string) => Number(raw[name] ?? NaN);
    return {
      elapsedS: parseElapsed(raw['ElapsedTime(C)'] ?? ''),
      created: n('TotalCallCreated'),
      successful: n('SuccessfulCall(C)'),
      failed: n('FailedCall(C)'),
      current: n('CurrentCall'),
      retransmissions: n('Retransmissions(C)'),
      raw,
    };
  });
}

/** The last dump (SIPp writes a final one at exit), or undefined when SIPp wrote none. */
export function finalDump(dumps: readonly StatDump[]): StatDump | undefined {
  return dumps[dumps.length - 1];
}

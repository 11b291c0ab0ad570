import type { Logger } from '../../../src/observability/logger';

export interface LogEntry {
  level: 'error' | 'warn';
  message: string;
  meta: Record<string, unknown>;
}

/**
 * A Logger that keeps the error and warn lines (with the metadata of its children) and drops the
 * rest, so a test can assert what the server logged under stress.
 */
export class RecordingLogger implements Logger {
  constructor(
    readonly entries: LogEntry[] = [],
    private readonly context: Record<string, unknown> = {},
  ) {}

  error(message: string, meta: Record<string, unknown> = {}): void {
    this.entries.push({ level: 'error', message, meta: { ...this.context, ...meta } });
  }
  warn(message: string, meta: Record<string, unknown> = {}): void {
    this.entries.push({ level: 'warn', message, meta: { ...this.context, ...meta } });
  }
  info(): void {}
  debug(): void {}
  child(meta: Record<string, unknown>): Logger {
    return new RecordingLogger(this.entries, { ...this.context, ...meta });
  }
  isEnabled(level: 'warn' | 'info' | 'debug'): boolean {
    return level !== 'debug';
  }
  isDebugEnabled(): boolean {
    return false;
  }
  setLevel(): void {}

  /** How many entries of `level` carry each message, e.g. `{ 'request handling failed': 3 }`. */
  countByMessage(level: LogEntry['level']): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const e of this.entries) if (e.level === level) counts[e.message] = (counts[e.message] ?? 0) + 1;
    return counts;
  }
}

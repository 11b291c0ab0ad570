import type { Logger } from '../../../src/observability/logger';

export interface LoggedLine {
  readonly level: 'error' | 'warn';
  readonly message: string;
  readonly meta: Record<string, unknown>;
}

/**
 * A Logger for runs of any length: counts error and warn lines by message and keeps the first few of
 * each level with their metadata (children's included), so memory stays flat however long it runs.
 */
export class CountingLogger implements Logger {
  constructor(
    private readonly book: LogBook = new LogBook(),
    private readonly context: Record<string, unknown> = {},
  ) {}

  get lines(): LogBook {
    return this.book;
  }

  error(message: string, meta: Record<string, unknown> = {}): void {
    this.book.add({ level: 'error', message, meta: { ...this.context, ...meta } });
  }
  warn(message: string, meta: Record<string, unknown> = {}): void {
    this.book.add({ level: 'warn', message, meta: { ...this.context, ...meta } });
  }
  info(): void {}
  debug(): void {}
  child(meta: Record<string, unknown>): Logger {
    return new CountingLogger(this.book, { ...this.context, ...meta });
  }
  isEnabled(level: 'warn' | 'info' | 'debug'): boolean {
    return level !== 'debug';
  }
  isDebugEnabled(): boolean {
    return false;
  }
  setLevel(): void {}
}

/** The counts and the first lines, shared by a logger and its children. */
export class LogBook {
  static readonly KEPT_PER_LEVEL = 10;
  readonly counts: Record<'error' | 'warn', Record<string, number>> = { error: {}, warn: {} };
  readonly first: LoggedLine[] = [];

  add(line: LoggedLine): void {
    const byMessage = this.counts[line.level];
    byMessage[line.message] = (byMessage[line.message] ?? 0) + 1;
    if (this.first.filter((l) => l.level === line.level).length < LogBook.KEPT_PER_LEVEL) this.first.push(line);
  }

  total(level: 'error' | 'warn'): number {
    return Object.values(this.counts[level]).reduce((sum, n) => sum + n, 0);
  }
}

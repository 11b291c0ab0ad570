import type { Logger } from '../../../src/observability/logger';

export interface LogLine {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly message: string;
  readonly meta: Record<string, unknown>;
}

/** A Logger that keeps every line (children's metadata merged in) so tests can look at what was logged. */
export class LogLines implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly context: Record<string, unknown> = {},
  ) {}

  error(message: string, meta: Record<string, unknown> = {}): void {
    this.push('error', message, meta);
  }
  warn(message: string, meta: Record<string, unknown> = {}): void {
    this.push('warn', message, meta);
  }
  info(message: string, meta: Record<string, unknown> = {}): void {
    this.push('info', message, meta);
  }
  debug(message: string, meta: Record<string, unknown> = {}): void {
    this.push('debug', message, meta);
  }
  child(meta: Record<string, unknown>): Logger {
    return new LogLines(this.lines, { ...this.context, ...meta });
  }
  isEnabled(_level: 'warn' | 'info' | 'debug'): boolean {
    return true;
  }
  isDebugEnabled(): boolean {
    return true;
  }
  setLevel(): void {}

  at(level: LogLine['level']): LogLine[] {
    return this.lines.filter((l) => l.level === level);
  }

  private push(level: LogLine['level'], message: string, meta: Record<string, unknown>): void {
    this.lines.push({ level, message, meta: { ...this.context, ...meta } });
  }
}

import type { Clock } from '../clock';
import type { Logger } from './logger';

export interface ThrottledLogOptions {
  readonly logger: Logger;
  readonly level: 'warn' | 'info';
  readonly message: string;
  /** At most one line per this many milliseconds. */
  readonly intervalMs: number;
  readonly clock: Pick<Clock, 'now'>;
}

/**
 * Logs an event that can come in floods (a refused connection, a failed TLS handshake) at most once per
 * interval: the first at once, later ones with `suppressed`, how many were not logged since the previous
 * line. The exact counts are in the metrics; the log only says that it is happening, and from where.
 */
export class ThrottledLog {
  private suppressed = 0;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: ThrottledLogOptions) {}

  record(meta: Record<string, unknown>): void {
    const now = this.options.clock.now();
    if (now - this.lastAt < this.options.intervalMs) {
      this.suppressed++;
      return;
    }
    const { logger, level, message } = this.options;
    logger[level](message, { ...meta, suppressed: this.suppressed });
    this.lastAt = now;
    this.suppressed = 0;
  }
}

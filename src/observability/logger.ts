import winston from 'winston';
import type { LogConfig } from '../config/schema';

/** The logger interface the application codes against; winston stays behind it. */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  /** A logger that adds `meta` to every line, e.g. the Call-ID of one call. */
  child(meta: Record<string, unknown>): Logger;
  isDebugEnabled(): boolean;
  /** Whether a line at `level` would be written: wrappers skip their own work for lines that would not. */
  isEnabled(level: 'warn' | 'info' | 'debug'): boolean;
  setLevel(level: LogConfig['level']): void;
}

/** A logger that makes its children itself; `child` defers to it (see DeferredChild). */
export interface ChildMaker extends Logger {
  makeChild(meta: Record<string, unknown>): Logger;
}

/**
 * A child logger made on its first line that passes the level. Every call asks for a logger carrying
 * its Call-ID and keeps it for its whole life, while at warn most calls write nothing: until then this
 * holds only its parent and its metadata.
 */
export class DeferredChild implements Logger {
  private made: Logger | null = null;

  constructor(
    private readonly parent: ChildMaker,
    private readonly meta: Record<string, unknown>,
  ) {}

  private get logger(): Logger {
    return (this.made ??= this.parent.makeChild(this.meta));
  }

  error(message: string, meta?: Record<string, unknown>): void {
    this.logger.error(message, meta);
  }
  warn(message: string, meta?: Record<string, unknown>): void {
    if (this.parent.isEnabled('warn')) this.logger.warn(message, meta);
  }
  info(message: string, meta?: Record<string, unknown>): void {
    if (this.parent.isEnabled('info')) this.logger.info(message, meta);
  }
  debug(message: string, meta?: Record<string, unknown>): void {
    if (this.parent.isEnabled('debug')) this.logger.debug(message, meta);
  }
  child(meta: Record<string, unknown>): Logger {
    return this.logger.child(meta);
  }
  isDebugEnabled(): boolean {
    return this.parent.isDebugEnabled();
  }
  isEnabled(level: 'warn' | 'info' | 'debug'): boolean {
    return this.parent.isEnabled(level);
  }
  setLevel(level: LogConfig['level']): void {
    this.parent.setLevel(level);
  }
}

/** winston's npm severities, most severe first. */
const SEVERITY: Readonly<Record<LogConfig['level'], number>> = { error: 0, warn: 1, info: 2, debug: 5 };

/**
 * The level a root logger and all its children share. It is asked on every line, most of which a
 * production level drops: a comparison here, where winston's own check walks its transports with a
 * fresh closure each time.
 */
class LevelGate {
  private most: number;

  constructor(private readonly root: winston.Logger) {
    this.most = SEVERITY[root.level as LogConfig['level']] ?? SEVERITY.info;
  }

  allows(level: LogConfig['level']): boolean {
    return SEVERITY[level] <= this.most;
  }

  set(level: LogConfig['level']): void {
    this.root.level = level;
    this.most = SEVERITY[level];
  }
}

/**
 * A winston logger, or a child of one made on its first line: a server at warn logs nothing about a call
 * that goes well, yet every call asks for a child logger carrying its Call-ID.
 */
class WinstonLogger implements ChildMaker {
  private derived: winston.Logger | null = null;

  constructor(
    private readonly base: winston.Logger,
    /** This logger's own metadata merged over its ancestors'; null for the root's own logger. */
    private readonly meta: Record<string, unknown> | null,
    private readonly gate: LevelGate,
  ) {}

  private get w(): winston.Logger {
    if (this.meta === null) return this.base;
    return (this.derived ??= this.base.child(this.meta));
  }

  error(message: string, meta?: Record<string, unknown>): void {
    this.w.error(message, meta);
  }
  // Checking the level first spares winston building and formatting lines it would then drop.
  warn(message: string, meta?: Record<string, unknown>): void {
    if (this.gate.allows('warn')) this.w.warn(message, meta);
  }
  info(message: string, meta?: Record<string, unknown>): void {
    if (this.gate.allows('info')) this.w.info(message, meta);
  }
  debug(message: string, meta?: Record<string, unknown>): void {
    if (this.gate.allows('debug')) this.w.debug(message, meta);
  }
  child(meta: Record<string, unknown>): Logger {
    return new DeferredChild(this, meta);
  }
  /** As winston's children: the child's metadata wins over its parent's, a line's own over both. */
  makeChild(meta: Record<string, unknown>): Logger {
    return new WinstonLogger(this.base, this.meta === null ? { ...meta } : { ...this.meta, ...meta }, this.gate);
  }
  isDebugEnabled(): boolean {
    return this.gate.allows('debug');
  }
  isEnabled(level: 'warn' | 'info' | 'debug'): boolean {
    return this.gate.allows(level);
  }
  setLevel(level: LogConfig['level']): void {
    this.gate.set(level);
  }
}

/** Metadata keys that hold a subscriber identity or a SIP URI naming one. */
const IDENTITY_KEYS = new Set([
  'caller',
  'called',
  'callerUri',
  'calledUri',
  'requester',
  'owner',
  'identity',
  'subscriber',
  'from',
  'to',
]);

/** Masks phone numbers in identity fields below debug level, so info logs carry no full numbers. */
const maskNumbers = winston.format((info) => {
  if (info.level === 'debug') return info;
  for (const key of Object.keys(info)) {
    const value = info[key];
    if (IDENTITY_KEYS.has(key) && typeof value === 'string') info[key] = maskIdentity(value);
  }
  return info;
});

/** JSON lines on stdout; one object per line. Identities are masked unless `maskNumbers` is false. */
export function createLogger(
  config: Pick<LogConfig, 'level'> & Partial<Pick<LogConfig, 'maskNumbers'>>,
  stream?: NodeJS.WritableStream,
): Logger {
  const transport = stream ? new winston.transports.Stream({ stream }) : new winston.transports.Console();
  const formats = [winston.format.timestamp(), winston.format.json()];
  if (config.maskNumbers !== false) formats.unshift(maskNumbers());
  const w = winston.createLogger({
    level: config.level,
    format: winston.format.combine(...formats),
    transports: [transport],
  });
  return new WinstonLogger(w, null, new LevelGate(w));
}

/** A logger that drops everything, for unit tests that do not look at logs. */
export function silentLogger(): Logger {
  const w = winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
  return new WinstonLogger(w, null, new LevelGate(w));
}

/** Masks all but the last three digits of phone numbers found in a SIP or tel URI, for info-level logs. */
export function maskIdentity(identity: string): string {
  return identity.replace(/\+?\d{5,}/g, (digits) => digits.slice(0, -3).replace(/\d/g, '*') + digits.slice(-3));
}

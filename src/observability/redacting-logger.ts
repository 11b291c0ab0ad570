import type { LogConfig } from '../config/schema';
import { DeferredChild, type ChildMaker, type Logger } from './logger';

const REDACTED = '[redacted]';
/**
 * Shorter configured values are left alone: redacting every "ab" in every line would wreck the logs, and
 * a secret that short is no secret (the start-up check of each key is where to refuse one).
 */
const MIN_SECRET_LENGTH = 4;
/** Metadata keys whose values are secrets or Diameter identities whatever they hold (e.g. a peer's Origin-Host). */
const SECRET_KEYS = new Set([
  'apitoken',
  'authorization',
  'hmacsecret',
  'secret',
  'password',
  'originhost',
  'originrealm',
  'destinationhost',
  'destinationrealm',
  'remotehost',
]);
/** Nested metadata deeper than this is logged as is (our own log calls are flat). */
const MAX_DEPTH = 6;

/**
 * A logger that never writes the given values (API token, signing secret, Diameter identities), wherever
 * they appear: in the message, in any metadata string (a Session-Id starts with our Origin-Host, RFC 6733
 * §8.8), at any depth, in any case (DiameterIdentity is an FQDN). Values of `SECRET_KEYS` are hidden too.
 * Without a usable secret it is the logger itself, so nothing is paid for nothing.
 */
export function redactingLogger(inner: Logger, secrets: readonly string[]): Logger {
  const usable = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  if (usable.length === 0) return inner;
  const pattern = usable.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return new RedactingLogger(inner, new Redactor(new RegExp(pattern, 'i'), new RegExp(pattern, 'gi')));
}

class Redactor {
  constructor(
    private readonly probe: RegExp,
    private readonly all: RegExp,
  ) {}

  text(value: string): string {
    return this.probe.test(value) ? value.replace(this.all, REDACTED) : value;
  }

  meta(meta: Record<string, unknown>, depth = 0): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(meta)) {
      out[key] =
        SECRET_KEYS.has(key.toLowerCase()) && value !== null && value !== undefined
          ? REDACTED
          : this.value(value, depth);
    }
    return out;
  }

  private value(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.text(value);
    if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v: unknown) => this.value(v, depth + 1));
    if (value instanceof Error) return this.text(value.message);
    return this.meta(value as Record<string, unknown>, depth + 1);
  }
}

class RedactingLogger implements ChildMaker {
  constructor(
    private readonly inner: Logger,
    private readonly redactor: Redactor,
  ) {}

  error(message: string, meta?: Record<string, unknown>): void {
    this.inner.error(this.redactor.text(message), meta && this.redactor.meta(meta));
  }
  // Lines the level drops cost nothing here: the info lines of every call are dropped at warn.
  warn(message: string, meta?: Record<string, unknown>): void {
    if (!this.inner.isEnabled('warn')) return;
    this.inner.warn(this.redactor.text(message), meta && this.redactor.meta(meta));
  }
  info(message: string, meta?: Record<string, unknown>): void {
    if (!this.inner.isEnabled('info')) return;
    this.inner.info(this.redactor.text(message), meta && this.redactor.meta(meta));
  }
  debug(message: string, meta?: Record<string, unknown>): void {
    if (!this.inner.isEnabled('debug')) return;
    this.inner.debug(this.redactor.text(message), meta && this.redactor.meta(meta));
  }
  child(meta: Record<string, unknown>): Logger {
    return new DeferredChild(this, meta);
  }
  makeChild(meta: Record<string, unknown>): Logger {
    return new RedactingLogger(this.inner.child(this.redactor.meta(meta)), this.redactor);
  }
  isDebugEnabled(): boolean {
    return this.inner.isDebugEnabled();
  }
  isEnabled(level: 'warn' | 'info' | 'debug'): boolean {
    return this.inner.isEnabled(level);
  }
  setLevel(level: LogConfig['level']): void {
    this.inner.setLevel(level);
  }
}

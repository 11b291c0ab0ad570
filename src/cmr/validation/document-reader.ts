import { parseIdentity } from '../identity';
import type { Identity, IsoInstant } from '../model';
import type { Problem } from '../problem';

/** The field name used for a problem with the document as a whole. */
export const ROOT_FIELD = '$';

export type Json = Readonly<Record<string, unknown>>;

export function fieldPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent === ROOT_FIELD ? '' : parent}[${key}]`;
  return parent === ROOT_FIELD || parent === '' ? key : `${parent}.${key}`;
}

export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads an untrusted JSON document field by field, collecting every problem instead of stopping at the first.
 * Each reader returns `undefined` when the value is missing or wrong, after recording why.
 */
export class DocumentReader {
  readonly problems: Problem[] = [];

  add(field: string, problem: string): void {
    this.problems.push({ field, problem });
  }

  /** An object with only `allowed` keys; every other key is reported as an unknown field. */
  object(value: unknown, path: string, allowed: readonly string[]): Json | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.add(path, `expected an object, got ${describeType(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.add(fieldPath(path, key), 'unknown field');
    }
    return value as Json;
  }

  /** Reads the required field `key` with `read`; missing or null is reported as required. */
  req<T>(obj: Json, key: string, path: string, read: (v: unknown, p: string) => T | undefined): T | undefined {
    const v = obj[key];
    const p = fieldPath(path, key);
    if (v === undefined || v === null) {
      this.add(p, 'required');
      return undefined;
    }
    return read(v, p);
  }

  /** Reads the optional field `key` with `read`; missing or null gives `fallback`. */
  opt<T, F>(
    obj: Json,
    key: string,
    path: string,
    fallback: F,
    read: (v: unknown, p: string) => T | undefined,
  ): T | F | undefined {
    const v = obj[key];
    return v === undefined || v === null ? fallback : read(v, fieldPath(path, key));
  }

  string(
    value: unknown,
    path: string,
    opts: { min?: number; max: number; pattern?: RegExp; hint?: string },
  ): string | undefined {
    if (typeof value !== 'string') {
      this.add(path, `expected a string, got ${describeType(value)}`);
      return undefined;
    }
    const min = opts.min ?? 1;
    if (value.length < min || value.length > opts.max) {
      this.add(path, min === 1 && value.length === 0 ? 'must not be empty' : `length must be ${min} to ${opts.max}`);
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(value)) {
      this.add(path, opts.hint ?? `must match ${opts.pattern.source}`);
      return undefined;
    }
    return value;
  }

  integer(value: unknown, path: string, min: number, max: number): number | undefined {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.add(path, `expected an integer, got ${describeType(value)}`);
      return undefined;
    }
    if (value < min || value > max) {
      this.add(path, `must be from ${min} to ${max}`);
      return undefined;
    }
    return value;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (typeof value !== 'boolean') {
      this.add(path, `expected true or false, got ${describeType(value)}`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, values: readonly T[]): T | undefined {
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      this.add(path, `expected one of ${values.join(', ')}`);
      return undefined;
    }
    return value as T;
  }

  /** An array of at most `max` items, each read by `item`; undefined if the array or any item is wrong. */
  array<T>(
    value: unknown,
    path: string,
    opts: { min?: number; max: number },
    item: (v: unknown, itemPath: string) => T | undefined,
  ): T[] | undefined {
    if (!Array.isArray(value)) {
      this.add(path, `expected an array, got ${describeType(value)}`);
      return undefined;
    }
    const min = opts.min ?? 0;
    if (value.length < min || value.length > opts.max) {
      this.add(path, min > 0 && value.length === 0 ? 'must not be empty' : `must have ${min} to ${opts.max} items`);
      return undefined;
    }
    const before = this.problems.length;
    const out = value.map((v, i) => item(v, fieldPath(path, i)));
    return this.problems.length === before ? (out as T[]) : undefined;
  }

  identity(value: unknown, path: string): Identity | undefined {
    if (typeof value !== 'string') {
      this.add(path, `expected an identity string, got ${describeType(value)}`);
      return undefined;
    }
    const r = parseIdentity(value);
    if (!r.ok) {
      this.add(path, `not a valid identity: ${r.problem}`);
      return undefined;
    }
    return r.identity;
  }

  /** An ISO-8601 instant with a time zone designator, normalised to UTC milliseconds. */
  instant(value: unknown, path: string): IsoInstant | undefined {
    if (typeof value !== 'string' || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
      this.add(path, 'expected an ISO-8601 instant with a time zone, e.g. 2025-01-31T08:00:00Z');
      return undefined;
    }
    return new Date(value).toISOString();
  }

  /** Reports every value that occurs more than once in `values` (by key), naming the later occurrences. */
  unique<T>(values: readonly T[], path: string, key: (v: T) => string, what: string, subField?: string): void {
    const seen = new Set<string>();
    values.forEach((v, i) => {
      const k = key(v);
      const at = subField === undefined ? fieldPath(path, i) : fieldPath(fieldPath(path, i), subField);
      if (seen.has(k)) this.add(at, `duplicate ${what} ${JSON.stringify(k)}`);
      seen.add(k);
    });
  }
}

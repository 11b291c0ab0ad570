/**
 * A tiny declarative schema for configuration: each leaf knows its default-free type,
 * how to read itself from an environment string, and how to validate a value.
 * Validation collects every problem so start-up reports them all at once.
 */
export interface Field<T> {
  readonly kind: 'field';
  readonly describe: string;
  check(value: unknown, path: string, problems: string[]): T | undefined;
  fromEnv(raw: string): unknown;
}

export type Schema = { readonly [key: string]: Field<unknown> | Schema };

export type Infer<S> =
  S extends Field<infer T> ? T : S extends Schema ? { readonly [K in keyof S]: Infer<S[K]> } : never;

function field<T>(
  describe: string,
  check: Field<T>['check'],
  fromEnv: (raw: string) => unknown = (raw) => raw,
): Field<T> {
  return { kind: 'field', describe, check, fromEnv };
}

export function int(min: number, max: number): Field<number> {
  return field(
    `integer ${min}..${max}`,
    (v, path, problems) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
        problems.push(`${path}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
        return undefined;
      }
      return v;
    },
    (raw) => (/^-?\d+$/.test(raw.trim()) ? Number(raw) : raw),
  );
}

export function bool(): Field<boolean> {
  return field(
    'boolean',
    (v, path, problems) => {
      if (typeof v !== 'boolean') {
        problems.push(`${path}: expected true or false, got ${JSON.stringify(v)}`);
        return undefined;
      }
      return v;
    },
    (raw) => (raw === 'true' ? true : raw === 'false' ? false : raw),
  );
}

export function str(opts: { allowEmpty?: boolean; pattern?: RegExp } = {}): Field<string> {
  return field('string', (v, path, problems) => {
    if (typeof v !== 'string' || (!opts.allowEmpty && v.length === 0)) {
      problems.push(`${path}: expected a non-empty string, got ${JSON.stringify(v)}`);
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(v)) {
      problems.push(`${path}: ${JSON.stringify(v)} does not match ${opts.pattern.source}`);
      return undefined;
    }
    return v;
  });
}

export function oneOf<const T extends string>(...values: T[]): Field<T> {
  return field(`one of ${values.join(', ')}`, (v, path, problems) => {
    if (typeof v !== 'string' || !(values as string[]).includes(v)) {
      problems.push(`${path}: expected one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v as T;
  });
}

/** A list of values of one field type; from the environment, a comma-separated string. */
export function listOf<T>(item: Field<T>, opts: { minItems?: number } = {}): Field<T[]> {
  return field(
    `list of ${item.describe}`,
    (v, path, problems) => {
      if (!Array.isArray(v)) {
        problems.push(`${path}: expected a list, got ${JSON.stringify(v)}`);
        return undefined;
      }
      if (opts.minItems !== undefined && v.length < opts.minItems) {
        problems.push(`${path}: expected at least ${opts.minItems} item(s)`);
        return undefined;
      }
      const before = problems.length;
      const out = v.map((x, i) => item.check(x, `${path}[${i}]`, problems));
      return problems.length === before ? (out as T[]) : undefined;
    },
    (raw) =>
      raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
        .map((s) => item.fromEnv(s)),
  );
}

export function isField(x: Field<unknown> | Schema): x is Field<unknown> {
  return (x as Field<unknown>).kind === 'field';
}

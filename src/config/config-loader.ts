import { readFileSync } from 'node:fs';
import { AppError } from '../errors';
import { isField, type Field, type Schema } from './fields';
import { configSchema, type AppConfig } from './schema';

export class ConfigError extends AppError {
  constructor(readonly problems: string[]) {
    super('CONFIG.INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Json = { [key: string]: unknown };

export interface ConfigSources {
  /** Files applied in order, later ones overriding earlier ones; the first is the full default. */
  files: string[];
  /** Environment variables; `CMR_SIP_PORT` overrides `sip.port`, `CMR_SIP_TIMERS_T1_MS` overrides `sip.timers.t1Ms`. */
  env?: NodeJS.ProcessEnv;
  /** Values applied last, for tests that build an app in-process. */
  overrides?: Json;
}

/** The environment variable that overrides one configuration key. */
export function envName(path: string[]): string {
  return 'CMR_' + path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? merge(b, v) : v;
  }
  return out;
}

function readJson(file: string, problems: string[]): Json {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isObject(parsed)) {
      problems.push(`${file}: expected a JSON object at the top level`);
      return {};
    }
    return parsed;
  } catch (err) {
    problems.push(`${file}: ${(err as Error).message}`);
    return {};
  }
}

function applyEnv(schema: Schema, value: Json, env: NodeJS.ProcessEnv, path: string[]): Json {
  const out: Json = { ...value };
  for (const [key, spec] of Object.entries(schema)) {
    const here = [...path, key];
    if (isField(spec)) {
      const raw = env[envName(here)];
      if (raw !== undefined) out[key] = spec.fromEnv(raw);
    } else {
      const child = out[key];
      out[key] = applyEnv(spec, isObject(child) ? child : {}, env, here);
    }
  }
  return out;
}

function validate(schema: Schema, value: unknown, path: string, problems: string[]): unknown {
  if (!isObject(value)) {
    problems.push(`${path || '(root)'}: expected an object`);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!(key in schema)) problems.push(`${path ? path + '.' : ''}${key}: unknown key`);
  }
  const out: Json = {};
  for (const [key, spec] of Object.entries(schema)) {
    const here = path ? `${path}.${key}` : key;
    const v = value[key];
    if (v === undefined) {
      problems.push(`${here}: missing (every key needs a value in config/default.json)`);
      continue;
    }
    out[key] = isField(spec) ? (spec as Field<unknown>).check(v, here, problems) : validate(spec, v, here, problems);
  }
  return out;
}

/** Reads, merges and validates the configuration; throws one ConfigError naming every problem. */
export function loadConfig(sources: ConfigSources): AppConfig {
  const problems: string[] = [];
  let merged: Json = {};
  for (const file of sources.files) merged = merge(merged, readJson(file, problems));
  if (sources.env) merged = applyEnv(configSchema, merged, sources.env, []);
  if (sources.overrides) merged = merge(merged, sources.overrides);
  const config = validate(configSchema, merged, '', problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config) as AppConfig;
}

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null) {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

import { AppError } from '../errors';
import type { HttpMethod, RouteDefinition } from './route';

type Segment = { readonly literal: string } | { readonly param: string };

interface CompiledRoute {
  readonly definition: RouteDefinition;
  readonly segments: readonly Segment[];
}

/** The outcome of looking a request up: a route, a path known under other methods, or nothing. */
export type RouteMatch =
  | { readonly kind: 'found'; readonly route: RouteDefinition; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly HttpMethod[]; readonly public: boolean }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'bad-path'; readonly param: string };

export class RouterError extends AppError {}

function compile(pattern: string): Segment[] {
  if (!pattern.startsWith('/'))
    throw new RouterError('API.ROUTE_PATTERN', `route pattern must start with /: ${pattern}`);
  return split(pattern).map((s) => {
    if (s.startsWith(':')) {
      const name = s.slice(1);
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
        throw new RouterError('API.ROUTE_PATTERN', `bad parameter name in ${pattern}`);
      }
      return { param: name };
    }
    return { literal: s };
  });
}

/** Path segments; a trailing slash is not significant (`/v1/resources/` is `/v1/resources`). */
function split(path: string): string[] {
  const parts = path.split('/').slice(1);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function sameShape(a: readonly Segment[], b: readonly Segment[]): boolean {
  const key = (s: Segment | undefined): string => (s === undefined ? '' : 'literal' in s ? `=${s.literal}` : ':');
  return a.length === b.length && a.every((s, i) => key(s) === key(b[i]));
}

/**
 * A small router: literal segments and `:name` parameters, literals preferred over parameters
 * when both would match, percent-decoding of parameters after the path is split (so an encoded
 * `/` inside an identity never splits it).
 */
export class Router {
  private readonly compiled: CompiledRoute[] = [];

  add(definition: RouteDefinition): void {
    const segments = compile(definition.pattern);
    const duplicate = this.compiled.find(
      (c) => c.definition.method === definition.method && sameShape(c.segments, segments),
    );
    if (duplicate) {
      throw new RouterError('API.ROUTE_DUPLICATE', `route already defined: ${definition.method} ${definition.pattern}`);
    }
    this.compiled.push({ definition, segments });
    // Most literal segments first, so `/v1/subscribers/list` would beat `/v1/subscribers/:identity`.
    this.compiled.sort((x, y) => literalScore(y.segments) - literalScore(x.segments));
  }

  /** Every route, in registration-independent order; used by tests to check the API document. */
  routes(): readonly RouteDefinition[] {
    return this.compiled.map((c) => c.definition);
  }

  match(method: string, path: string): RouteMatch {
    const parts = split(path);
    const allow = new Set<HttpMethod>();
    let allPublic = true;
    for (const c of this.compiled) {
      const raw = matchSegments(c.segments, parts);
      if (!raw) continue;
      if (c.definition.method !== method) {
        allow.add(c.definition.method);
        allPublic &&= c.definition.auth === 'none';
        continue;
      }
      const params: Record<string, string> = {};
      for (const [name, value] of Object.entries(raw)) {
        try {
          params[name] = decodeURIComponent(value);
        } catch {
          return { kind: 'bad-path', param: name };
        }
      }
      return { kind: 'found', route: c.definition, params };
    }
    if (allow.size > 0) return { kind: 'method-not-allowed', allow: [...allow].sort(), public: allPublic };
    return { kind: 'not-found' };
  }
}

function literalScore(segments: readonly Segment[]): number {
  return segments.filter((s) => 'literal' in s).length;
}

function matchSegments(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | null {
  if (segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const part = parts[i];
    if (seg === undefined || part === undefined) return null;
    if ('literal' in seg) {
      if (seg.literal !== part) return null;
    } else {
      if (part.length === 0) return null;
      params[seg.param] = part;
    }
  }
  return params;
}

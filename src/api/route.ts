import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../observability/logger';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** What a route handler sees of a request; the body is read on demand so GETs never wait for one. */
export interface ApiRequest {
  readonly method: HttpMethod;
  /** The raw (still percent-encoded) path, without the query string. */
  readonly path: string;
  /** Path parameters named in the route pattern, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  readonly logger: Logger;
  /** Reads and parses the JSON body (size cap, content type and syntax checked); throws ApiError. */
  readJson(): Promise<unknown>;
}

/** A JSON answer (`body` serialised as JSON) or, for e.g. metrics, a text answer with its own type. */
export type ApiResponse =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
  | {
      readonly status: number;
      readonly text: string;
      readonly contentType: string;
      readonly headers?: Readonly<Record<string, string>>;
    };

export type RouteHandler = (req: ApiRequest) => Promise<ApiResponse>;

/**
 * One route. `pattern` is a path whose segments are literals or `:name` parameters, e.g.
 * `/v1/subscribers/:identity/groups/:name`. Routes need the bearer token unless `auth` is `'none'`
 * (health probes, metrics scrapes).
 */
export interface RouteDefinition {
  readonly method: HttpMethod;
  readonly pattern: string;
  readonly handler: RouteHandler;
  readonly auth?: 'token' | 'none';
}

/** A group of routes added together, e.g. everything under `/v1/subscribers`. */
export interface RouteModule {
  readonly routes: readonly RouteDefinition[];
}

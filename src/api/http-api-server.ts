import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AppError } from '../errors';
import type { HttpConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import { loadTlsCredentials } from '../tls/tls-credentials';
import { ApiError, errorBody } from './api-error';
import { bearerChallenge, checkBearer } from './bearer-auth';
import { readJsonBody } from './json-body';
import type { ApiRequest, ApiResponse, HttpMethod, RouteDefinition, RouteModule } from './route';
import { Router } from './router';

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/** The `http` config slice the server needs; without `tls` it serves plain HTTP. */
export type HttpApiConfig = Pick<HttpConfig, 'host' | 'port' | 'apiToken'> &
  Partial<Pick<HttpConfig, 'tls' | 'maxConnections'>>;

/** Connections open at once when the config does not say (tests that build the slice by hand). */
const DEFAULT_MAX_CONNECTIONS = 1024;

export interface HttpApiServerOptions {
  readonly config: HttpApiConfig;
  readonly logger: Logger;
  /** Request bodies larger than this get 413. */
  readonly maxBodyBytes?: number;
  /** Turns an error thrown by a handler into an answer (e.g. store errors); undefined means 500. */
  readonly mapError?: (err: unknown) => ApiError | undefined;
}

/** A running or runnable HTTP API: routes can be added until `listen()`, and afterwards too. */
export interface HttpApiServer {
  addRoute(route: RouteDefinition): void;
  addRoutes(module: RouteModule): void;
  routes(): readonly RouteDefinition[];
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

/**
 * The HTTP machinery without any routes of its own: routing (404, 405 with Allow), bearer-token
 * authentication (401 with WWW-Authenticate), JSON bodies (413, 415, 400), error bodies in one
 * shape, and one debug line per request (method, path, status, duration; never the token).
 */
export function createHttpApiServer(options: HttpApiServerOptions): HttpApiServer {
  const router = new Router();
  const log = options.logger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let server: Server | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    const url = splitTarget(req.url ?? '/');
    const method = req.method ?? 'GET';
    let answer: ApiResponse;
    try {
      answer = await dispatch(req, method, url, requestId);
    } catch (err) {
      answer = toErrorResponse(err, requestId);
    }
    send(res, answer, requestId);
    log.debug('http request', {
      requestId,
      method,
      path: url.path,
      status: answer.status,
      durationMs: Number(process.hrtime.bigint() - started) / 1e6,
    });
  }

  async function dispatch(
    req: IncomingMessage,
    method: string,
    url: RequestTarget,
    requestId: string,
  ): Promise<ApiResponse> {
    const match = router.match(method, url.path);
    const isPublic =
      (match.kind === 'found' && match.route.auth === 'none') || (match.kind === 'method-not-allowed' && match.public);
    if (!isPublic) {
      const outcome = checkBearer(req.headers.authorization, options.config.apiToken);
      if (outcome !== 'ok') {
        throw new ApiError(
          401,
          'API.UNAUTHORIZED',
          outcome === 'missing' ? 'a bearer token is required' : 'the bearer token is not valid',
          [],
          { 'WWW-Authenticate': bearerChallenge(outcome) },
        );
      }
    }
    switch (match.kind) {
      case 'not-found':
        throw new ApiError(404, 'API.NO_ROUTE', `no route for ${url.path}`);
      case 'bad-path':
        throw new ApiError(400, 'API.BAD_REQUEST', 'a path parameter is not valid percent-encoding', [
          { field: `path.${match.param}`, problem: 'not valid percent-encoding' },
        ]);
      case 'method-not-allowed':
        throw new ApiError(405, 'API.METHOD_NOT_ALLOWED', `${method} is not allowed here`, [], {
          Allow: match.allow.join(', '),
        });
      case 'found': {
        const apiRequest: ApiRequest = {
          method: method as HttpMethod,
          path: url.path,
          params: match.params,
          query: url.query,
          headers: req.headers,
          requestId,
          logger: log.child({ requestId }),
          readJson: () => readJsonBody(req, { maxBytes: maxBodyBytes }),
        };
        return match.route.handler(apiRequest);
      }
    }
  }

  function toErrorResponse(err: unknown, requestId: string): ApiResponse {
    const apiError = err instanceof ApiError ? err : options.mapError?.(err);
    if (apiError) {
      return {
        status: apiError.status,
        body: errorBody(apiError.code, apiError.message, apiError.problems),
        headers: apiError.headers,
      };
    }
    log.error('http request failed', {
      requestId,
      code: err instanceof AppError ? err.code : undefined,
      error: err instanceof Error ? err.message : String(err),
    });
    return { status: 500, body: errorBody('API.INTERNAL', 'internal error') };
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    handle(req, res).catch((err: unknown) => {
      log.error('http answer could not be sent', { error: err instanceof Error ? err.message : String(err) });
      res.destroy();
    });
  }

  return {
    addRoute: (route) => router.add(route),
    addRoutes: (module) => module.routes.forEach((r) => router.add(r)),
    routes: () => router.routes(),
    async listen() {
      if (server) throw new AppError('API.ALREADY_LISTENING', 'the API server is already listening');
      const tls = options.config.tls;
      const timeouts = { requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 };
      // Node's default handshake timeout is 120 s; a failed handshake's connection is destroyed by https itself.
      const s: Server = tls?.enabled
        ? createHttpsServer(
            { ...timeouts, handshakeTimeout: tls.handshakeTimeoutMs, ...(await loadTlsCredentials(tls, 'http.tls')) },
            onRequest,
          )
        : createServer(timeouts, onRequest);
      s.maxHeadersCount = 100;
      // Counted from accept, TLS handshakes included; beyond it Node closes new connections at once.
      s.maxConnections = options.config.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(options.config.port, options.config.host, () => {
          s.off('error', reject);
          resolve();
        });
      });
      const address = s.address() as AddressInfo;
      log.info('http api listening', { host: address.address, port: address.port, tls: tls?.enabled === true });
      return { host: address.address, port: address.port };
    },
    async close() {
      const s = server;
      if (!s) return;
      server = undefined;
      // Bounded drain: requests in flight get 2 s, then every connection is cut.
      const cut = setTimeout(() => s.closeAllConnections(), 2_000);
      try {
        await new Promise<void>((resolve, reject) => {
          s.close((err) => (err ? reject(err) : resolve()));
          s.closeIdleConnections();
        });
      } finally {
        clearTimeout(cut);
      }
    },
  };
}

function send(res: ServerResponse, answer: ApiResponse, requestId: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const headers: Record<string, string> = { 'X-Request-Id': requestId, 'Cache-Control': 'no-store' };
  let payload: string | undefined;
  if ('text' in answer) {
    headers['Content-Type'] = answer.contentType;
    payload = answer.text;
  } else if (answer.body !== undefined) {
    headers['Content-Type'] = 'application/json; charset=utf-8';
    payload = JSON.stringify(answer.body);
  }
  Object.assign(headers, answer.headers);
  if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(answer.status, headers);
  res.end(payload);
}

interface RequestTarget {
  readonly path: string;
  readonly query: URLSearchParams;
}

/**
 * Splits the request target without resolving dot segments or re-encoding, so routes see exactly what
 * was sent. A `+` in the query is a literal plus (E.164 numbers), not a space; spaces are `%20`.
 */
function splitTarget(target: string): RequestTarget {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : (target.slice(q + 1).split('#')[0] ?? '');
  return { path, query: new URLSearchParams(query.replace(/\+/g, '%2B')) };
}

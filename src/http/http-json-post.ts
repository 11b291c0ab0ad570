import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { AppError } from '../errors';

/**
 * A small JSON-over-HTTP POST for the outbound adapters (charging, portal), on node:http(s) only.
 * It never rejects for network trouble: every exchange ends as a response or as a failure value,
 * so adapters map outcomes without try/catch. One deadline covers connect, request and response body.
 */

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

export type HttpExchange =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly headers: http.IncomingHttpHeaders;
      /** The body as UTF-8 text, possibly empty. */
      readonly text: string;
    }
  | {
      readonly kind: 'failure';
      /** `timeout`: no complete answer in time; `network`: refused, reset, DNS...; `too-large`: body over the limit. */
      readonly reason: 'timeout' | 'network' | 'too-large';
      readonly detail: string;
      /** True when no connection was ever made (e.g. refused): the server cannot have seen the request. */
      readonly neverSent?: boolean;
    };

export interface JsonPost {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly timeoutMs: number;
  readonly agent: http.Agent;
  readonly maxResponseBytes?: number;
  /** Extra headers computed from the exact bytes sent (e.g. a signature of the body). */
  readonly sign?: (payload: Buffer) => Readonly<Record<string, string>>;
}

/** A configured endpoint URL that is not an http(s) URL (`CHARGING.CONFIG`, `PORTAL.CONFIG`). */
export class EndpointConfigError extends AppError {
  declare readonly code: `${string}.CONFIG`;
}

/** An http(s) URL read from configuration; `code` names the component whose setting is wrong. */
export function parseHttpUrl(raw: string, code: `${string}.CONFIG`): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new EndpointConfigError(code, `not a URL: ${JSON.stringify(raw)}`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EndpointConfigError(code, `expected an http or https URL, got ${JSON.stringify(raw)}`);
  }
  return url;
}

/** A keep-alive agent of the right kind for `url`; the owner destroys it on close. */
export function keepAliveAgent(url: URL, maxSockets = 16): http.Agent {
  const options = { keepAlive: true, maxSockets };
  return url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}

const SAFE_HEADER_VALUE = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;

/**
 * The value sent in `Idempotency-Key`: the key itself when it is printable ASCII of at most 200
 * characters, otherwise `sha256-<hex>` of it. The same key always gives the same header value.
 */
export function idempotencyHeaderValue(key: string): string {
  if (SAFE_HEADER_VALUE.test(key) && !key.endsWith(' ')) return key;
  return `sha256-${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

export async function postJson(post: JsonPost): Promise<HttpExchange> {
  const payload = Buffer.from(JSON.stringify(post.body), 'utf8');
  const limit = post.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const transport = post.url.protocol === 'https:' ? https : http;
  return new Promise<HttpExchange>((resolve) => {
    let settled = false;
    let connected = false;
    const finish = (exchange: HttpExchange): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(exchange.kind === 'failure' && !connected ? { ...exchange, neverSent: true } : exchange);
    };
    const req = transport.request(post.url, {
      method: 'POST',
      agent: post.agent,
      headers: { ...post.headers, ...post.sign?.(payload), 'Content-Length': String(payload.length) },
    });
    const deadline = setTimeout(() => {
      finish({ kind: 'failure', reason: 'timeout', detail: `no answer within ${post.timeoutMs} ms` });
      req.destroy();
    }, post.timeoutMs);
    deadline.unref();
    req.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('error', (err) => finish({ kind: 'failure', reason: 'network', detail: describeError(err) }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          finish({ kind: 'failure', reason: 'too-large', detail: `answer body over ${limit} bytes` });
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => finish({ kind: 'failure', reason: 'network', detail: describeError(err) }));
      res.on('end', () =>
        finish({
          kind: 'response',
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.end(payload);
  });
}

/** Parses a JSON body; `undefined` for an empty or malformed one (the caller decides what that means). */
export function parseJsonText(text: string): unknown {
  if (text.trim().length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `${code}: ${err.message}` : err.message;
}

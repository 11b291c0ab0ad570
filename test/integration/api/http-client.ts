import { request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The parsed JSON body, or undefined when there is none or it is not JSON. */
  readonly json: unknown;
}

export interface HttpCall {
  readonly method: string;
  readonly path: string;
  readonly token?: string | null;
  /** Serialised as JSON unless a string or Buffer. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A minimal loopback HTTP client for the API tests; every call has a 5 s deadline. */
export function httpClient(base: { host: string; port: number }, defaultToken: string) {
  return async function call(c: HttpCall): Promise<HttpAnswer> {
    const headers: Record<string, string> = { ...c.headers };
    const token = c.token === undefined ? defaultToken : c.token;
    if (token !== null) headers.authorization ??= `Bearer ${token}`;
    let payload: Buffer | undefined;
    if (c.body !== undefined) {
      payload = Buffer.isBuffer(c.body)
        ? c.body
        : Buffer.from(typeof c.body === 'string' ? c.body : JSON.stringify(c.body));
      headers['content-type'] ??= 'application/json';
      headers['content-length'] ??= String(payload.length);
    }
    return new Promise<HttpAnswer>((resolve, reject) => {
      const req = request(
        { host: base.host, port: base.port, method: c.method, path: c.path, headers, timeout: 5000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text.length > 0 ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout on ${c.method} ${c.path}`)));
      req.on('error', reject);
      req.end(payload);
    });
  };
}

export type Call = ReturnType<typeof httpClient>;

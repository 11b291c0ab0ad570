import { AppError } from '../src/errors';
import { isLoopback } from '../test/support/sipp';

/** Something the demo needs is missing (no server, a busy port, a setting it cannot work with). */
export class DemoError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DEMO.NOT_READY', message, options);
  }
}

/** The server's HTTP API: its base URL and bearer token. */
export interface Api {
  base: string;
  token: string;
}

/** What `GET /v1/calls` shows of a call. */
export interface CallView {
  id: string;
  phase: string;
  caller: string | null;
  called: string | null;
  createdAt: string;
  answeredAt: string | null;
  endReason: string | null;
  presenting: { resourceId: string; title: string } | null;
  presentations: { resourceId: string; title: string }[];
}

export interface LibraryPage {
  items: { resourceId: string; acquisition: string; copiedFrom: string | null }[];
}

const HTTP_TIMEOUT_MS = 3000;

/** `GET path` on the server's API with its bearer token; fails on anything but 200. */
export async function getJson<T>(api: Api, path: string): Promise<T> {
  const res = await fetch(`${api.base}${path}`, {
    headers: { Authorization: `Bearer ${api.token}` },
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  if (res.status !== 200) {
    const hint = res.status === 401 ? ' (is http.apiToken / CMR_HTTP_API_TOKEN the same as the server?)' : '';
    throw new DemoError(`GET ${path} answered ${res.status}${hint}: ${(await res.text()).slice(0, 200)}`);
  }
  return (await res.json()) as T;
}

/** Fails with a clear message unless the server's readiness probe answers 200. */
export async function checkReady(base: string): Promise<void> {
  let status: number;
  try {
    status = (await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) })).status;
  } catch (err) {
    throw new DemoError(
      `no server answers at ${base}: start it first with \`npm start\` (same CMR_* settings as the demo)`,
      { cause: err },
    );
  }
  if (status !== 200) throw new DemoError(`the server at ${base} is not ready (GET /health/ready answered ${status})`);
}

/** The port of a loopback URL from the server's configuration; the demo only listens on loopback. */
export function loopbackPort(url: string, key: string): number {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new DemoError(`${key} is not a URL the demo can use: ${url}`, { cause: err });
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!isLoopback(host))
    throw new DemoError(`${key} (${url}) is not on 127.0.0.1: the demo only stands in on loopback`);
  return parsed.port === '' ? (parsed.protocol === 'sip:' ? 5060 : 80) : Number(parsed.port);
}

/** A test server (FakeChfServer, FakePortalServer) that can close its listener and listen again on its port. */
interface Relistening {
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
}

/**
 * Moves a test server from the ephemeral port it started on to `port`, the one the server's
 * configuration names. The test servers only start on port 0; they listen again on the port they
 * remember, so that port is set before they come back. Checked against `urlOf()` afterwards.
 */
export async function bindFakeToPort(fake: Relistening, port: number, urlOf: () => string): Promise<void> {
  await fake.goDown();
  // The test servers keep their port in a private field (no option to choose it at start).
  (fake as unknown as { boundPort: number }).boundPort = port;
  try {
    await fake.comeBack();
  } catch (err) {
    throw new DemoError(`cannot listen on 127.0.0.1:${port}: ${String(err)}`, { cause: err });
  }
  if (new URL(urlOf()).port !== String(port)) throw new DemoError(`the test server did not move to port ${port}`);
}

/** The SIP messages of a SIPp message trace as a compact line: `>INVITE <100 <183 >INFO <200 <MESSAGE >200 ...`. */
export function sipTimeline(trace: string): string[] {
  const out: string[] = [];
  const re = /message (sent|received)[^\n]*\n+([^\n]+)/g;
  for (const m of trace.matchAll(re)) {
    const arrow = m[1] === 'sent' ? '>' : '<';
    const start = (m[2] ?? '').trim();
    const word = start.startsWith('SIP/2.0 ') ? (start.split(' ')[1] ?? '?') : (start.split(' ')[0] ?? '?');
    out.push(`${arrow}${word}`);
  }
  return out;
}

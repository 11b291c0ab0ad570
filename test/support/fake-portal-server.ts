import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A test CMR Portal on 127.0.0.1: takes JSON records POSTed to PATH, remembers every request and
 * every distinct Idempotency-Key it accepted (in order), and can be made to fail (answer 503 or any
 * status), reject given keys (400), be slow, or go down (listener closed) and come back on its port.
 * With `secret` set it checks `X-Cmr-Signature` (HMAC-SHA256 of the body bytes, computed here on its
 * own, not with the server's code) and answers 401 to a missing or wrong one.
 */

export const PORTAL_PATH = '/cmr/copy-records';

export interface PortalRequest {
  readonly idempotencyKey: string | undefined;
  readonly topic: string | undefined;
  readonly contentType: string | undefined;
  readonly body: unknown;
  readonly status: number;
  /** The `X-Cmr-Signature` header as received. */
  readonly signature: string | undefined;
  /** Whether that signature matches the body under `secret`; null when no secret is set. */
  readonly signatureValid: boolean | null;
}

export interface AcceptedRecord {
  readonly idempotencyKey: string;
  readonly body: unknown;
}

export class FakePortalServer {
  /** Every request, answered or not, in arrival order. */
  readonly requests: PortalRequest[] = [];
  /** The first accepted delivery of each Idempotency-Key, in order; a repeat is acknowledged but not added. */
  readonly accepted: AcceptedRecord[] = [];
  /** Keys answered 400 (a record the portal will never take). */
  readonly rejectKeys = new Set<string>();
  /** Every request waits this long before it is answered. */
  delayMs = 0;
  /** The shared secret of the signature check; null: signatures are not checked. */
  secret: string | null = null;
  private failStatus: number | null = null;
  private readonly events = new EventEmitter();
  private server: Server = createServer();
  private boundPort = 0;
  private down = false;

  private constructor() {}

  static async start(): Promise<FakePortalServer> {
    const fake = new FakePortalServer();
    fake.boundPort = await fake.listen(0);
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}${PORTAL_PATH}`;
  }

  /** Answer every request with this status (e.g. 503, 429, 400); null goes back to accepting. */
  failWith(status: number | null): void {
    this.failStatus = status;
  }

  /** Closes the listener and every connection: clients get connection refused until `comeBack()`. */
  async goDown(): Promise<void> {
    if (this.down) return;
    this.down = true;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  async comeBack(): Promise<void> {
    if (!this.down) return;
    this.server = createServer();
    await this.listen(this.boundPort);
    this.down = false;
  }

  async close(): Promise<void> {
    await this.goDown();
  }

  /** Resolves once `count` distinct records have been accepted; rejects after `timeoutMs`. */
  async waitForAccepted(count: number, timeoutMs = 5000): Promise<void> {
    const signal = AbortSignal.timeout(timeoutMs);
    while (this.accepted.length < count) {
      try {
        await once(this.events, 'accepted', { signal });
      } catch {
        throw new Error(`the portal accepted ${this.accepted.length} of ${count} records within ${timeoutMs} ms`);
      }
    }
  }

  /** Resolves once `count` requests (whatever their answer) have arrived; rejects after `timeoutMs`. */
  async waitForRequests(count: number, timeoutMs = 5000): Promise<void> {
    const signal = AbortSignal.timeout(timeoutMs);
    while (this.requests.length < count) {
      try {
        await once(this.events, 'request', { signal });
      } catch {
        throw new Error(`the portal got ${this.requests.length} of ${count} requests within ${timeoutMs} ms`);
      }
    }
  }

  private async listen(port: number): Promise<number> {
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const key = header(req, 'idempotency-key');
    const signature = header(req, 'x-cmr-signature');
    const signatureValid = this.secret === null ? null : signatureMatches(this.secret, raw, signature);
    const status = signatureValid === false ? 401 : this.statusFor(req, key, body);
    this.requests.push({
      idempotencyKey: key,
      topic: header(req, 'x-cmr-topic'),
      contentType: header(req, 'content-type'),
      body,
      status,
      signature,
      signatureValid,
    });
    if (status === 200 && key !== undefined && !this.accepted.some((r) => r.idempotencyKey === key)) {
      this.accepted.push({ idempotencyKey: key, body });
      this.events.emit('accepted');
    }
    this.events.emit('request');
    if (res.destroyed) return;
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status }));
  }

  private statusFor(req: IncomingMessage, key: string | undefined, body: unknown): number {
    if (this.failStatus !== null) return this.failStatus;
    if (req.method !== 'POST' || req.url !== PORTAL_PATH) return 404;
    if (key === undefined || body === undefined) return 400;
    if (this.rejectKeys.has(key)) return 400;
    return 200;
  }
}

function signatureMatches(secret: string, raw: Buffer, signature: string | undefined): boolean {
  const match = /^sha256=([0-9a-f]{64})$/.exec(signature ?? '');
  if (!match?.[1]) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  return timingSafeEqual(Buffer.from(match[1], 'hex'), expected);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

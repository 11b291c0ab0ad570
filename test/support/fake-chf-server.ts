import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHARGING_DATA_PATH, subscriberIdentifier } from '../../src/charging/nchf-charging-data';

/**
 * A test CHF speaking the HTTP of src/charging/http-charging.adapter.ts (docs/charging-http.md) on
 * 127.0.0.1: balances in minor units, a ledger of debits and refunds, answers replayed per
 * Idempotency-Key (the same key never debits twice, even while the first request is still running),
 * and switches to make it slow, unavailable (503), down (listener closed) or refusing.
 */

export type SubscriberStanding = 'active' | 'barred' | 'denied';

export interface LedgerEntry {
  readonly kind: 'debit' | 'refund';
  /** The Nchf subscriberIdentifier (`msisdn-...` or `sip:...`). */
  readonly subscriber: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly reference: string;
  readonly idempotencyKey: string;
  readonly callId: string | null;
  readonly icid: string | null;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  /** The parsed JSON body, or undefined. */
  readonly body: unknown;
}

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

interface Account {
  balanceMinor: number;
  standing: SubscriberStanding;
}

export class FakeChfServer {
  readonly ledger: LedgerEntry[] = [];
  readonly requests: RecordedRequest[] = [];
  /** Every request waits this long before it is decided. */
  delayMs = 0;
  /**
   * When the client has gone (e.g. timed out) by the end of the delay, decide nothing: no debit, no
   * stored answer (like a CHF that drops requests its client abandoned). False models a late debit.
   */
  abandonWhenClientGone = true;
  /** How a successful debit is answered: 201 with Location (the Nchf way) or 200 with `chargingDataRef` in the body. */
  successStatus: 200 | 201 = 201;
  private readonly accounts = new Map<string, Account>();
  private readonly answers = new Map<string, Promise<Answer>>();
  private readonly debits = new Map<string, LedgerEntry & { refunded: boolean }>();
  private unavailableStatus: number | null = null;
  private rawAnswer: Answer | null = null;
  private down = false;
  private seq = 0;
  private handling = 0;
  private readonly quiet = new EventEmitter();
  private server: Server = createServer();
  private boundPort = 0;

  private constructor() {}

  static async start(): Promise<FakeChfServer> {
    const fake = new FakeChfServer();
    fake.boundPort = await fake.listen(0);
    return fake;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Opens an account for the canonical identity (`+1555...` or `sip:...`). */
  setBalance(identity: string, balanceMinor: number, standing: SubscriberStanding = 'active'): void {
    this.accounts.set(subscriberIdentifier(identity), { balanceMinor, standing });
  }

  setStanding(identity: string, standing: SubscriberStanding): void {
    const account = this.accounts.get(subscriberIdentifier(identity));
    if (!account) throw new Error(`no account for ${identity}`);
    account.standing = standing;
  }

  balanceOf(identity: string): number | undefined {
    return this.accounts.get(subscriberIdentifier(identity))?.balanceMinor;
  }

  /** Answer every request with this status (e.g. 503) and a ProblemDetails; null goes back to normal. */
  failWith(status: number | null): void {
    this.unavailableStatus = status;
  }

  /** Answer every request with exactly this (e.g. garbage); null goes back to normal. */
  answerWith(raw: { status: number; body: string; headers?: Record<string, string> } | null): void {
    this.rawAnswer = raw === null ? null : { status: raw.status, body: raw.body, headers: raw.headers ?? {} };
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

  /** Listens again on the same port. */
  async comeBack(): Promise<void> {
    if (!this.down) return;
    this.server = createServer();
    await this.listen(this.port);
    this.down = false;
  }

  async close(): Promise<void> {
    await this.goDown();
  }

  debitsOf(identity: string): LedgerEntry[] {
    const subscriber = subscriberIdentifier(identity);
    return this.ledger.filter((e) => e.kind === 'debit' && e.subscriber === subscriber);
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

  /** Resolves once no request is being handled (e.g. a slow one whose client already gave up). */
  async idle(timeoutMs = 5000): Promise<void> {
    if (this.handling === 0) return;
    await once(this.quiet, 'idle', { signal: AbortSignal.timeout(timeoutMs) });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.handling++;
    try {
      await this.answer(req, res);
    } finally {
      if (--this.handling === 0) this.quiet.emit('idle');
    }
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let clientGone = false;
    res.on('close', () => {
      clientGone = !res.writableFinished;
    });
    const text = await readBody(req);
    let body: unknown;
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const path = req.url ?? '/';
    this.requests.push({ method: req.method ?? '', path, headers: req.headers, body });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.abandonWhenClientGone && clientGone) return;
    const answer =
      this.rawAnswer ?? (this.unavailableStatus !== null ? problem(this.unavailableStatus, 'SYSTEM_FAILURE') : null);
    if (answer) return send(res, answer);
    const key = headerOf(req, 'idempotency-key');
    if (key === undefined) return send(res, problem(400, 'MANDATORY_IE_MISSING', 'Idempotency-Key'));
    let decided = this.answers.get(key);
    if (!decided) {
      decided = Promise.resolve(this.decide(req.method ?? '', path, body, key));
      this.answers.set(key, decided);
    }
    send(res, await decided);
  }

  private decide(method: string, path: string, body: unknown, key: string): Answer {
    if (method !== 'POST') return problem(405, 'METHOD_NOT_ALLOWED');
    if (path === CHARGING_DATA_PATH) return this.debit(body, key);
    const release = new RegExp(`^${CHARGING_DATA_PATH}/([^/]+)/release$`).exec(path);
    if (release?.[1]) return this.refund(decodeURIComponent(release[1]), key);
    return problem(404, 'RESOURCE_NOT_FOUND');
  }

  private debit(body: unknown, key: string): Answer {
    const request = body as ChargingDataRequestView | undefined;
    const subscriber = request?.subscriberIdentifier;
    const price = request?.cmrCopyInformation?.price;
    if (typeof subscriber !== 'string' || !price || !Number.isInteger(price.amountMinor)) {
      return problem(400, 'MANDATORY_IE_INCORRECT');
    }
    const account = this.accounts.get(subscriber);
    if (!account) return problem(404, 'USER_UNKNOWN');
    if (account.standing === 'barred') return problem(403, 'END_USER_SERVICE_DENIED');
    if (account.standing === 'denied') return problem(403, 'END_USER_REQUEST_DENIED');
    if (account.balanceMinor < price.amountMinor) return problem(403, 'QUOTA_LIMIT_REACHED');
    account.balanceMinor -= price.amountMinor;
    const reference = `cdr-${++this.seq}-${randomUUID().slice(0, 8)}`;
    const entry = {
      kind: 'debit' as const,
      subscriber,
      amountMinor: price.amountMinor,
      currency: price.currency,
      reference,
      idempotencyKey: key,
      callId: request?.cmrCopyInformation?.callId ?? null,
      icid: request?.iMSChargingInformation?.iMSChargingIdentifier ?? null,
    };
    this.ledger.push(entry);
    this.debits.set(reference, { ...entry, refunded: false });
    const response = {
      invocationTimeStamp: new Date().toISOString(),
      invocationSequenceNumber: 1,
      multipleUnitInformation: [{ resultCode: 'SUCCESS', ratingGroup: 700, grantedUnit: { serviceSpecificUnits: 1 } }],
    };
    return this.successStatus === 201
      ? json(201, response, { Location: `${this.url}${CHARGING_DATA_PATH}/${reference}` })
      : json(200, { ...response, chargingDataRef: reference });
  }

  private refund(reference: string, key: string): Answer {
    const debit = this.debits.get(reference);
    if (!debit) return problem(404, 'CHARGING_DATA_REF_NOT_FOUND');
    if (!debit.refunded) {
      debit.refunded = true;
      const account = this.accounts.get(debit.subscriber);
      if (account) account.balanceMinor += debit.amountMinor;
      this.ledger.push({ ...debit, kind: 'refund', idempotencyKey: key });
    }
    return { status: 204, headers: {}, body: '' };
  }
}

interface ChargingDataRequestView {
  subscriberIdentifier?: unknown;
  iMSChargingInformation?: { iMSChargingIdentifier?: string };
  cmrCopyInformation?: { price?: { amountMinor: number; currency: string }; callId?: string };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** An Nchf-style ProblemDetails (TS 29.571) with the application error in `cause`. */
function problem(status: number, cause: string, detail?: string): Answer {
  return {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
    body: JSON.stringify({ status, cause, title: cause, ...(detail ? { detail } : {}) }),
  };
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { avp, findAvp, findValue, readAvp, type Avp } from '../../../src/charging/diameter/avp-codec';
import { answerTo, capabilityAvps, unsupportedAnswer } from '../../../src/charging/diameter/diameter-base-messages';
import {
  APPLICATION,
  AVP,
  CC_REQUEST_TYPE,
  COMMAND,
  REQUESTED_ACTION,
  RESULT,
  VENDOR_3GPP,
} from '../../../src/charging/diameter/diameter-dictionary';
import { DiameterFramer } from '../../../src/charging/diameter/diameter-framer';
import { decodeMessage, encodeMessage, type DiameterMessage } from '../../../src/charging/diameter/diameter-message';
import { currencyAlphabetic, currencyInfo } from '../../../src/charging/diameter/iso4217-currency';

/**
 * A test Diameter credit-control server (an OCS) on 127.0.0.1, speaking our codec over node:net:
 * CER/CEA, DWR/DWA, DPR/DPA, and Ro event CCRs (RFC 4006 EVENT_REQUEST) with DIRECT_DEBITING and
 * REFUND_ACCOUNT against per-subscriber balances, with a ledger. Answers are kept per Session-Id: a
 * repeated CCR (e.g. a retransmission with the T flag) gets the first answer again and never debits
 * twice. It can listen on several ports sharing one state (an OCS pair). Switches make a front-end
 * slow or silent, lose answers after deciding, refuse everything, or drop connections.
 */

export type Standing = 'active' | 'barred' | 'denied';

export interface CcsLedgerEntry {
  readonly kind: 'debit' | 'refund';
  /** The Subscription-Id-Data: E.164 digits without `+`, or a SIP URI. */
  readonly subscriber: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly sessionId: string;
  readonly icid: string | null;
  /** The Refund-Information given with a debit's answer (`ledger-<n>`), or sent in a refund. */
  readonly refundInformation: string | null;
}

export interface ReceivedCcr {
  readonly sessionId: string;
  readonly retransmit: boolean;
  readonly endToEndId: number;
  /** The Origin-Host of the connection it came on (our client, or a relay). */
  readonly via: string;
  readonly message: DiameterMessage;
}

interface Connection {
  readonly socket: Socket;
  readonly endpoint: CcsEndpoint;
  peer: string | null;
}

/** One listening address of the server (an OCS front-end); its switches apply to its connections only. */
export class CcsEndpoint {
  /** Each CCR answer waits this long. */
  answerDelayMs = 0;
  /** CCRs are recorded but neither decided nor answered (a hung front-end). */
  silent = false;
  readonly connections = new Set<Connection>();

  constructor(private readonly server: Server) {}

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Drops every connection at once (no DPR), like a crash of this front-end's transport. */
  dropConnections(): void {
    for (const c of this.connections) c.socket.destroy();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const SELF = { originHost: 'ccs.ocs.test', originRealm: 'ocs.test' };

export class CreditControlServer {
  readonly ledger: CcsLedgerEntry[] = [];
  readonly received: ReceivedCcr[] = [];
  /** CCRs answered from the Session-Id store instead of being decided again. */
  duplicates = 0;
  readonly endpoints: CcsEndpoint[] = [];
  /** The next N decided CCRs are not answered (the answer is lost after the debit). */
  dropAnswers = 0;
  /** Every new CCR is answered with this Result-Code, nothing debited. */
  forcedResultCode: number | null = null;
  private readonly balances = new Map<string, { balanceMinor: number; standing: Standing }>();
  private readonly answers = new Map<string, { resultCode: number; avps: Avp[] }>();
  private readonly watchers = new Set<() => void>();

  private constructor(
    readonly originHost: string,
    readonly originRealm: string,
  ) {}

  static async start(options: { originHost?: string; originRealm?: string } = {}): Promise<CreditControlServer> {
    const ccs = new CreditControlServer(options.originHost ?? SELF.originHost, options.originRealm ?? SELF.originRealm);
    await ccs.addEndpoint();
    return ccs;
  }

  /** Another front-end sharing the accounts, ledger and answers (an active-active OCS pair). */
  async addEndpoint(port = 0): Promise<CcsEndpoint> {
    const server = createServer();
    const endpoint = new CcsEndpoint(server);
    server.on('connection', (socket) => this.accept(endpoint, socket));
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.endpoints.push(endpoint);
    return endpoint;
  }

  /** The first front-end. */
  get primary(): CcsEndpoint {
    return this.endpoints[0]!;
  }

  get port(): number {
    return this.primary.port;
  }

  /** The Origin-Hosts of the connections that completed CER/CEA. */
  get peers(): string[] {
    return this.endpoints.flatMap((e) => [...e.connections].flatMap((c) => (c.peer ? [c.peer] : [])));
  }

  /** Forgets accounts, ledger, received CCRs and stored answers, and turns every switch off (connections stay). */
  reset(): void {
    this.ledger.length = 0;
    this.received.length = 0;
    this.duplicates = 0;
    this.dropAnswers = 0;
    this.forcedResultCode = null;
    this.balances.clear();
    this.answers.clear();
    for (const endpoint of this.endpoints) {
      endpoint.silent = false;
      endpoint.answerDelayMs = 0;
    }
  }

  /** Subscriber `identity` (`+1555...` or `sip:...`) with a balance in minor units. */
  setBalance(identity: string, balanceMinor: number, standing: Standing = 'active'): void {
    this.balances.set(subscriberKey(identity), { balanceMinor, standing });
  }

  balanceOf(identity: string): number | undefined {
    return this.balances.get(subscriberKey(identity))?.balanceMinor;
  }

  /** Resolves once a peer with this Origin-Host has exchanged capabilities; rejects after `timeoutMs`. */
  async waitForPeer(originHost: string, timeoutMs: number): Promise<void> {
    await this.waitFor(() => this.peers.includes(originHost), `peer ${originHost}`, timeoutMs);
  }

  /** Resolves once `count` CCRs have arrived; rejects after `timeoutMs`. */
  async waitForCcrs(count: number, timeoutMs: number): Promise<void> {
    await this.waitFor(() => this.received.length >= count, `${count} CCR(s)`, timeoutMs);
  }

  private async waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.watchers.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.watchers.delete(check);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.watchers.add(check);
      check();
    });
  }

  private notify(): void {
    for (const watch of [...this.watchers]) watch();
  }

  async stop(): Promise<void> {
    await Promise.all(this.endpoints.map((e) => e.stop()));
  }

  private accept(endpoint: CcsEndpoint, socket: Socket): void {
    const connection: Connection = { socket, endpoint, peer: null };
    const framer = new DiameterFramer(1 << 20);
    endpoint.connections.add(connection);
    socket.on('data', (chunk: Buffer) => {
      const { messages, error } = framer.push(chunk);
      for (const bytes of messages) this.onMessage(connection, bytes);
      if (error) socket.destroy();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => endpoint.connections.delete(connection));
  }

  private send(connection: Connection, message: DiameterMessage): void {
    if (!connection.socket.destroyed) connection.socket.write(encodeMessage(message));
  }

  private onMessage(connection: Connection, bytes: Buffer): void {
    let message: DiameterMessage;
    try {
      message = decodeMessage(bytes);
    } catch {
      connection.socket.destroy();
      return;
    }
    if (!message.request) return;
    const base = message.applicationId === APPLICATION.COMMON;
    if (base && message.commandCode === COMMAND.CAPABILITIES_EXCHANGE) {
      connection.peer = findValue(message.avps, AVP.ORIGIN_HOST) ?? null;
      this.send(connection, answerTo(message, this, RESULT.SUCCESS, capabilityAvps(this.capabilities())));
      this.notify();
    } else if (base && message.commandCode === COMMAND.DEVICE_WATCHDOG) {
      this.send(connection, answerTo(message, this, RESULT.SUCCESS));
    } else if (base && message.commandCode === COMMAND.DISCONNECT_PEER) {
      this.send(connection, answerTo(message, this, RESULT.SUCCESS));
      connection.socket.end();
    } else if (message.applicationId === APPLICATION.CREDIT_CONTROL && message.commandCode === COMMAND.CREDIT_CONTROL) {
      this.onCreditControl(connection, message);
    } else {
      this.send(connection, unsupportedAnswer(message, this, [APPLICATION.CREDIT_CONTROL]));
    }
  }

  private capabilities() {
    return {
      originHost: this.originHost,
      originRealm: this.originRealm,
      hostIpAddresses: ['127.0.0.1'],
      vendorId: 0,
      productName: 'cmr-test-ocs',
      originStateId: 1,
      authApplicationIds: [APPLICATION.CREDIT_CONTROL],
      supportedVendorIds: [VENDOR_3GPP],
    };
  }

  private onCreditControl(connection: Connection, request: DiameterMessage): void {
    const sessionId = findValue(request.avps, AVP.SESSION_ID) ?? '';
    const { retransmit, endToEndId } = request;
    this.received.push({ sessionId, retransmit, endToEndId, via: connection.peer ?? '?', message: request });
    this.notify();
    if (connection.endpoint.silent) return;
    let decided = this.answers.get(sessionId);
    if (decided) {
      this.duplicates += 1;
    } else {
      decided = this.decide(request, sessionId);
      this.answers.set(sessionId, decided);
      if (this.dropAnswers > 0) {
        this.dropAnswers -= 1;
        return;
      }
    }
    const answer = answerTo(request, this, decided.resultCode, [
      avp(AVP.AUTH_APPLICATION_ID, APPLICATION.CREDIT_CONTROL),
      avp(AVP.CC_REQUEST_TYPE, CC_REQUEST_TYPE.EVENT),
      avp(AVP.CC_REQUEST_NUMBER, 0),
      ...decided.avps,
    ]);
    const delay = connection.endpoint.answerDelayMs;
    if (delay > 0) setTimeout(() => this.send(connection, answer), delay);
    else this.send(connection, answer);
  }

  private decide(request: DiameterMessage, sessionId: string): { resultCode: number; avps: Avp[] } {
    if (this.forcedResultCode !== null) return { resultCode: this.forcedResultCode, avps: [] };
    const charge = readCharge(request);
    if (!charge) return { resultCode: RESULT.MISSING_AVP, avps: [] };
    const account = this.balances.get(charge.subscriber);
    if (!account) return { resultCode: RESULT.USER_UNKNOWN, avps: [] };
    if (account.standing === 'barred') return { resultCode: RESULT.AUTHORIZATION_REJECTED, avps: [] };
    if (account.standing === 'denied') return { resultCode: RESULT.END_USER_SERVICE_DENIED, avps: [] };
    const entry = { ...charge.entry, sessionId };
    if (charge.action === REQUESTED_ACTION.REFUND_ACCOUNT) {
      account.balanceMinor += entry.amountMinor;
      this.ledger.push({ ...entry, kind: 'refund' });
      return { resultCode: RESULT.SUCCESS, avps: [] };
    }
    if (charge.action !== REQUESTED_ACTION.DIRECT_DEBITING) return { resultCode: RESULT.INVALID_AVP_VALUE, avps: [] };
    if (account.balanceMinor < entry.amountMinor) return { resultCode: RESULT.CREDIT_LIMIT_REACHED, avps: [] };
    account.balanceMinor -= entry.amountMinor;
    const refundInformation = `ledger-${this.ledger.length + 1}`;
    this.ledger.push({ ...entry, kind: 'debit', refundInformation });
    return { resultCode: RESULT.SUCCESS, avps: [avp(AVP.REFUND_INFORMATION, refundInformation)] };
  }
}

/** The Subscription-Id-Data our adapter sends for an identity. */
function subscriberKey(identity: string): string {
  return identity.startsWith('+') ? identity.slice(1) : identity;
}

/** The charge a CCR asks for, or null when an AVP it needs is missing or malformed. */
function readCharge(request: DiameterMessage) {
  try {
    const subscription = findAvp(request.avps, AVP.SUBSCRIPTION_ID);
    const rsu = findAvp(request.avps, AVP.REQUESTED_SERVICE_UNIT);
    const action = findValue(request.avps, AVP.REQUESTED_ACTION);
    if (!subscription || !rsu || action === undefined) return null;
    const subscriber = findValue(readAvp(AVP.SUBSCRIPTION_ID, subscription), AVP.SUBSCRIPTION_ID_DATA);
    const money = findAvp(readAvp(AVP.REQUESTED_SERVICE_UNIT, rsu), AVP.CC_MONEY);
    const moneyAvps = money ? readAvp(AVP.CC_MONEY, money) : [];
    const unitValue = findAvp(moneyAvps, AVP.UNIT_VALUE);
    const currency = currencyAlphabetic(findValue(moneyAvps, AVP.CURRENCY_CODE) ?? -1);
    if (subscriber === undefined || !unitValue || !currency) return null;
    const digits = findValue(readAvp(AVP.UNIT_VALUE, unitValue), AVP.VALUE_DIGITS) ?? 0n;
    const exponent = findValue(readAvp(AVP.UNIT_VALUE, unitValue), AVP.EXPONENT) ?? 0;
    const amountMinor = Number(digits) * 10 ** (exponent + (currencyInfo(currency)?.minorUnits ?? 0));
    const service = findAvp(request.avps, AVP.SERVICE_INFORMATION);
    const ims = service ? findAvp(readAvp(AVP.SERVICE_INFORMATION, service), AVP.IMS_INFORMATION) : undefined;
    const icid = ims ? (findValue(readAvp(AVP.IMS_INFORMATION, ims), AVP.IMS_CHARGING_IDENTIFIER) ?? null) : null;
    const refund = findValue(request.avps, AVP.REFUND_INFORMATION);
    return {
      action,
      subscriber,
      entry: {
        subscriber,
        amountMinor: Math.round(amountMinor),
        currency,
        icid,
        refundInformation: refund ? refund.toString('utf8') : null,
      },
    };
  } catch {
    return null;
  }
}

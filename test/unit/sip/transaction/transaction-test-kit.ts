import { SipHeaders } from '../../../../src/sip/message/sip-headers';
import {
  SipRequest,
  SipResponse,
  type MessageSource,
  type TransportProtocol,
} from '../../../../src/sip/message/sip-message';
import { parseMessage } from '../../../../src/sip/message/sip-parser';
import type { PreparedResponse } from '../../../../src/sip/transport/prepared-response';
import { silentLogger } from '../../../../src/observability/logger';
import type { SendFailure, SendTarget, SipTransport } from '../../../../src/sip/transport/transport';
import { reportLater } from '../../../../src/sip/transport/transport-error';
import { TransactionLayer } from '../../../../src/sip/transaction/transaction-layer';
import type {
  ClientTransactionHandlers,
  ServerTransaction,
  TransactionUser,
} from '../../../../src/sip/transaction/transaction-user';
import { FakeClock } from '../../../support/fake-clock';

const TEST_PARSE_LIMITS = { maxMessageBytes: 65535, maxHeaders: 256, maxLineBytes: 8192 };

export const TIMERS = { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 };
export const LOCAL = { host: '192.0.2.10', port: 5060 };
export const PEER = { address: '198.51.100.7', port: 5070 };

export interface SentRequest {
  readonly request: SipRequest;
  readonly target: SendTarget;
  readonly at: number;
}

export interface SentResponse {
  /** The response as sent; for one prepared as bytes (a lingering transaction's), those bytes parsed back. */
  readonly response: SipResponse;
  readonly source: MessageSource | undefined;
  readonly at: number;
  /** Set when the response went as prepared bytes. */
  readonly prepared?: PreparedResponse;
}

/** Records every send with the fake clock's time; can be told to fail. */
export class FakeTransport implements SipTransport {
  readonly requests: SentRequest[] = [];
  readonly responses: SentResponse[] = [];
  failWith: Error | null = null;

  constructor(private readonly clock: FakeClock) {}

  viaSentBy(_protocol: TransportProtocol): { host: string; port: number } {
    return LOCAL;
  }

  sendRequest(request: SipRequest, target: SendTarget, onFailure: SendFailure): void {
    if (this.failWith) return reportLater(onFailure, this.failWith);
    this.requests.push({ request, target, at: this.clock.now() });
  }

  sendResponse(response: SipResponse, source: MessageSource | undefined, onFailure: SendFailure): void {
    if (this.failWith) return reportLater(onFailure, this.failWith);
    this.responses.push({ response, source, at: this.clock.now() });
  }

  sendPrepared(prepared: PreparedResponse, onFailure: SendFailure): void {
    if (this.failWith) return reportLater(onFailure, this.failWith);
    const response = parseMessage(prepared.data, TEST_PARSE_LIMITS);
    if (response.isRequest()) throw new Error('a prepared response parsed as a request');
    this.responses.push({ response, source: prepared.requestSource, at: this.clock.now(), prepared });
  }

  /** Recorded as a request, parsed back from its bytes. */
  sendSerialized(data: Buffer, target: SendTarget, onFailure: SendFailure): void {
    if (this.failWith) return reportLater(onFailure, this.failWith);
    const request = parseMessage(data, TEST_PARSE_LIMITS);
    if (!request.isRequest()) throw new Error('serialized bytes parsed as a response');
    this.requests.push({ request, target, at: this.clock.now() });
  }

  /** Send times relative to `start`. */
  requestTimes(start: number): number[] {
    return this.requests.map((s) => s.at - start);
  }

  responseTimes(start: number): number[] {
    return this.responses.map((s) => s.at - start);
  }
}

/** Records what reaches the TU; `onRequestHook` lets a test answer at once. */
export class RecordingUser implements TransactionUser {
  readonly requests: { request: SipRequest; transaction: ServerTransaction }[] = [];
  readonly acks: SipRequest[] = [];
  readonly cancels: { cancel: SipRequest; invite: ServerTransaction }[] = [];
  readonly strays: SipResponse[] = [];
  readonly ackTimeouts: ServerTransaction[] = [];
  readonly ended: ServerTransaction[] = [];
  onRequestHook: ((request: SipRequest, transaction: ServerTransaction) => void) | null = null;

  onRequest(request: SipRequest, transaction: ServerTransaction): void {
    this.requests.push({ request, transaction });
    this.onRequestHook?.(request, transaction);
  }
  onAck(ack: SipRequest): void {
    this.acks.push(ack);
  }
  onCancel(cancel: SipRequest, invite: ServerTransaction): void {
    this.cancels.push({ cancel, invite });
  }
  onStrayResponse(response: SipResponse): void {
    this.strays.push(response);
  }
  onAckTimeout(invite: ServerTransaction): void {
    this.ackTimeouts.push(invite);
  }
  onServerTransactionEnded(transaction: ServerTransaction): void {
    this.ended.push(transaction);
  }
}

export class RecordingHandlers implements ClientTransactionHandlers {
  readonly responses: SipResponse[] = [];
  timeouts = 0;
  readonly transportErrors: Error[] = [];

  onResponse(response: SipResponse): void {
    this.responses.push(response);
  }
  onTimeout(): void {
    this.timeouts++;
  }
  onTransportError(error: Error): void {
    this.transportErrors.push(error);
  }

  statuses(): number[] {
    return this.responses.map((r) => r.status);
  }
}

export interface Harness {
  readonly clock: FakeClock;
  readonly transport: FakeTransport;
  readonly user: RecordingUser;
  readonly layer: TransactionLayer;
  readonly start: number;
}

export function harness(): Harness {
  const clock = new FakeClock();
  const transport = new FakeTransport(clock);
  const user = new RecordingUser();
  const layer = new TransactionLayer({ transport, user, clock, timers: TIMERS, logger: silentLogger() });
  return { clock, transport, user, layer, start: clock.now() };
}

/** Lets the promise callbacks of failed sends run. */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

export function target(protocol: TransportProtocol = 'udp'): SendTarget {
  return { protocol, address: PEER.address, port: PEER.port };
}

export interface RequestSpec {
  readonly method?: string;
  readonly uri?: string;
  /** null: a Via without branch (an RFC 2543 peer). */
  readonly branch?: string | null;
  readonly sentBy?: string;
  readonly protocol?: TransportProtocol;
  readonly callId?: string;
  readonly cseq?: number;
  readonly cseqMethod?: string;
  readonly toTag?: string;
  readonly fromTag?: string;
}

/** A request as the transport would hand it up: headers set, `source` filled in. */
export function incoming(spec: RequestSpec = {}): SipRequest {
  const method = spec.method ?? 'INVITE';
  const protocol = spec.protocol ?? 'udp';
  const branch = spec.branch === undefined ? 'z9hG4bKpeer1' : spec.branch;
  const via = `SIP/2.0/${protocol.toUpperCase()} ${spec.sentBy ?? `${PEER.address}:${PEER.port}`}`;
  const headers = new SipHeaders()
    .append('Via', branch === null ? via : `${via};branch=${branch}`)
    .append('Max-Forwards', '70')
    .append('From', `<sip:alice@example.com>;tag=${spec.fromTag ?? 'a1'}`)
    .append('To', spec.toTag ? `<sip:bob@example.com>;tag=${spec.toTag}` : '<sip:bob@example.com>')
    .append('Call-ID', spec.callId ?? 'call-1@198.51.100.7')
    .append('CSeq', `${spec.cseq ?? 1} ${spec.cseqMethod ?? method}`);
  const request = new SipRequest({ method, uri: spec.uri ?? 'sip:bob@example.com', headers });
  request.source = {
    protocol,
    address: PEER.address,
    port: PEER.port,
    localAddress: LOCAL.host,
    localPort: LOCAL.port,
    ...(protocol === 'tcp' ? { connectionId: 'conn-1' } : {}),
  };
  return request;
}

/** A request the TU hands to the layer to send (no Via: the layer adds it). */
export function outgoing(method = 'INVITE', cseq = 1): SipRequest {
  const headers = new SipHeaders()
    .append('Max-Forwards', '70')
    .append('From', '<sip:as@example.com>;tag=as1')
    .append('To', '<sip:bob@example.com>')
    .append('Call-ID', 'out-1@192.0.2.10')
    .append('CSeq', `${cseq} ${method}`);
  return new SipRequest({ method, uri: 'sip:bob@198.51.100.7:5070', headers });
}

/** The response a peer sends to a request we sent (RFC 3261 §8.2.6.2 copying). */
export function responseTo(request: SipRequest, status: number, toTag?: string): SipResponse {
  const headers = new SipHeaders();
  for (const via of request.headers.getAll('via')) headers.append('Via', via);
  const to = request.headers.get('to') ?? '';
  headers
    .append('From', request.headers.get('from') ?? '')
    .append('To', toTag && !to.includes(';tag=') ? `${to};tag=${toTag}` : to)
    .append('Call-ID', request.headers.get('call-id') ?? '')
    .append('CSeq', request.headers.get('cseq') ?? '');
  return new SipResponse({ status, reason: String(status), headers });
}

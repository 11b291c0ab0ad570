import { connect, type Socket } from 'node:net';
import { systemClock, type Clock, type TimerHandle } from '../../clock';
import type { Logger } from '../../observability/logger';
import { avp, findValue } from './avp-codec';
import {
  answerTo,
  capabilitiesAnswerProblem,
  capabilitiesExchangeRequest,
  deviceWatchdogRequest,
  disconnectPeerRequest,
  EndToEndIds,
  HopByHopIds,
  unsupportedAnswer,
  type Capabilities,
} from './diameter-base-messages';
import { APPLICATION, AVP, COMMAND, DISCONNECT_CAUSE, RESULT } from './diameter-dictionary';
import { DiameterError } from './diameter-error';
import { DiameterFramer } from './diameter-framer';
import { PeerWatchdog } from './peer-watchdog';
import { PendingRequests, type PeerExchange } from './pending-requests';
import {
  decodeHeader,
  decodeMessage,
  encodeMessage,
  DEFAULT_MESSAGE_LIMITS,
  type DiameterHeader,
  type DiameterMessage,
} from './diameter-message';

export type { PeerExchange } from './pending-requests';

export type PeerState = 'idle' | 'connecting' | 'wait-cea' | 'open' | 'closing' | 'closed';

export interface DiameterPeerOptions {
  /** For logs: e.g. `primary`. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** What we announce in CER; an empty `hostIpAddresses` announces the connection's local address. */
  readonly capabilities: Capabilities;
  /** RFC 3539 Tw: a DWR after this long without traffic; no answer within another Tw fails the connection. */
  readonly twMs: number;
  /** TCP connect and CER/CEA deadline (each). */
  readonly connectTimeoutMs: number;
  /** Reconnect backoff: doubles from min to max after each failed attempt. */
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly maxMessageBytes: number;
  /** Requests awaiting an answer on this connection; beyond it, requests are not sent. */
  readonly maxPending?: number;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly onStateChange?: (state: PeerState) => void;
}

const DEFAULT_MAX_PENDING = 10_000;
const SOCKET_END_GRACE_MS = 1000;

/**
 * One Diameter connection to one peer over TCP (RFC 6733 §2.1, §5): CER/CEA on connect, the RFC 3539
 * watchdog (DWR/DWA, answering the peer's DWR too), DPR/DPA on close and on the peer's request,
 * 3001/3007 answers to requests we do not handle, a pending-request table keyed by hop-by-hop id with
 * a deadline per request, and reconnection with exponential backoff. After a reconnect the peer is
 * usable at once (the RFC 3539 REOPEN probation of three DWAs is not applied).
 */
export class DiameterPeer {
  private currentState: PeerState = 'idle';
  private socket: Socket | null = null;
  private generation = 0;
  private readonly pending: PendingRequests;
  private readonly watchdog: PeerWatchdog;
  private readonly hopByHop = new HopByHopIds();
  private readonly endToEnd: EndToEndIds;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly openWaiters = new Set<() => void>();
  private reconnectTimer: TimerHandle | null = null;
  private failures = 0;
  private nextReconnectMs: number | null = null;
  private stopped = false;
  private remote: string | null = null;

  constructor(private readonly options: DiameterPeerOptions) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger.child({ peer: options.name, address: `${options.host}:${options.port}` });
    this.endToEnd = new EndToEndIds(this.clock.now());
    this.pending = new PendingRequests(this.clock);
    this.watchdog = new PeerWatchdog({
      twMs: options.twMs,
      clock: this.clock,
      probe: () => {
        const node = options.capabilities;
        void this.exchange(deviceWatchdogRequest(node, node.originStateId, this.ids()), options.twMs * 2);
      },
      expire: () => this.fail(this.generation, 'watchdog: no DWA'),
    });
  }

  get state(): PeerState {
    return this.currentState;
  }

  /** The Origin-Host the peer announced in its CEA, once open. */
  get remoteIdentity(): string | null {
    return this.remote;
  }

  isOpen(): boolean {
    return this.currentState === 'open';
  }

  /** Connects (idempotent); the peer then keeps itself connected until `close()`. */
  start(): void {
    if (this.stopped || this.currentState !== 'idle' || this.reconnectTimer) return;
    this.connect();
  }

  /** Resolves true once open, false after `timeoutMs` or on close. */
  async waitUntilOpen(timeoutMs: number): Promise<boolean> {
    if (this.isOpen()) return true;
    if (this.stopped) return false;
    return new Promise<boolean>((resolve) => {
      const done = (open: boolean): void => {
        this.openWaiters.delete(onOpen);
        this.clock.clearTimeout(timer);
        resolve(open);
      };
      const onOpen = (): void => done(this.isOpen());
      const timer = this.clock.setTimeout(() => done(false), timeoutMs);
      this.openWaiters.add(onOpen);
    });
  }

  /**
   * Sends a request on the open connection with a fresh hop-by-hop id and waits up to `timeoutMs`
   * for its answer. The caller chooses the end-to-end id and the T flag.
   */
  async request(message: Omit<DiameterMessage, 'hopByHopId'>, timeoutMs: number): Promise<PeerExchange> {
    if (!this.isOpen()) return { kind: 'not-sent', reason: `peer ${this.currentState}` };
    if (this.pending.size >= (this.options.maxPending ?? DEFAULT_MAX_PENDING)) {
      return { kind: 'not-sent', reason: 'too many requests awaiting answers' };
    }
    return this.exchange(message, timeoutMs);
  }

  /** Sends DPR (REBOOTING) and waits for DPA when open, then closes; no reconnection afterwards. */
  async close(): Promise<void> {
    this.stopped = true;
    this.clearReconnectTimer();
    this.watchdog.stop();
    for (const wake of [...this.openWaiters]) wake();
    const socket = this.socket;
    if (!socket) {
      this.setState('closed');
      return;
    }
    if (this.currentState === 'open') {
      this.setState('closing');
      const dpr = disconnectPeerRequest(this.options.capabilities, DISCONNECT_CAUSE.REBOOTING, this.ids());
      const answer = await this.exchange(dpr, this.options.connectTimeoutMs);
      this.log.info('diameter peer disconnected', { dpa: answer.kind });
    }
    await this.endSocket(socket);
    this.setState('closed');
  }

  /** Ids for a request of our own; `exchange` replaces the hop-by-hop id. */
  private ids(): { hopByHopId: number; endToEndId: number } {
    return { hopByHopId: 0, endToEndId: this.endToEnd.next() };
  }

  private setState(state: PeerState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.options.onStateChange?.(state);
  }

  private clearReconnectTimer(): void {
    if (this.reconnectTimer) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private connect(): void {
    this.reconnectTimer = null;
    if (this.stopped) return;
    const generation = ++this.generation;
    const framer = new DiameterFramer(this.options.maxMessageBytes);
    this.setState('connecting');
    const socket = connect({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    socket.setNoDelay(true);
    const connectTimer = this.clock.setTimeout(
      () => this.fail(generation, 'connect timeout'),
      this.options.connectTimeoutMs,
    );
    socket.once('connect', () => {
      this.clock.clearTimeout(connectTimer);
      void this.exchangeCapabilities(generation, socket);
    });
    socket.on('data', (chunk: Buffer) => {
      if (generation !== this.generation) return;
      const { messages, error } = framer.push(chunk);
      try {
        for (const bytes of messages) this.onMessage(bytes);
      } catch (err) {
        // Not expected (the codec throws DiameterError only, and those are handled): fail safe.
        this.fail(generation, `message handling failed: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      if (error) this.fail(generation, `unreadable stream: ${error.message}`);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.log.debug('diameter socket error', { error: err.code ?? err.message });
    });
    socket.once('close', () => {
      this.clock.clearTimeout(connectTimer);
      this.onClosed(generation);
    });
  }

  private async exchangeCapabilities(generation: number, socket: Socket): Promise<void> {
    this.setState('wait-cea');
    const caps = this.options.capabilities;
    const hostIpAddresses =
      caps.hostIpAddresses.length > 0 ? caps.hostIpAddresses : [socket.localAddress ?? '127.0.0.1'];
    let cer: DiameterMessage;
    try {
      cer = capabilitiesExchangeRequest({ ...caps, hostIpAddresses }, this.ids());
    } catch (err) {
      this.fail(generation, `CER not encodable: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const result = await this.exchange(cer, this.options.connectTimeoutMs);
    if (generation !== this.generation || this.currentState !== 'wait-cea') return;
    if (result.kind !== 'answer') {
      this.fail(generation, `no CEA (${result.kind})`);
      return;
    }
    const problem = capabilitiesAnswerProblem(result.message, this.options.capabilities.authApplicationIds);
    if (problem) {
      this.fail(generation, problem);
      return;
    }
    this.remote = safeOriginHost(result.message);
    this.failures = 0;
    this.setState('open');
    this.log.info('diameter peer open', { remoteHost: this.remote });
    this.watchdog.traffic();
    for (const wake of [...this.openWaiters]) wake();
  }

  private async exchange(message: Omit<DiameterMessage, 'hopByHopId'>, timeoutMs: number): Promise<PeerExchange> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return { kind: 'not-sent', reason: 'no connection' };
    const hopByHopId = this.hopByHop.next();
    let bytes: Buffer;
    try {
      bytes = encodeMessage({ ...message, hopByHopId });
    } catch (err) {
      return { kind: 'not-sent', reason: err instanceof DiameterError ? err.message : 'encoding failed' };
    }
    if (bytes.length > this.options.maxMessageBytes) return { kind: 'not-sent', reason: 'message too large' };
    const answer = this.pending.wait(hopByHopId, message.commandCode, timeoutMs);
    socket.write(bytes);
    return answer;
  }

  private onMessage(bytes: Buffer): void {
    let message: DiameterMessage;
    try {
      message = decodeMessage(bytes, { ...DEFAULT_MESSAGE_LIMITS, maxMessageBytes: this.options.maxMessageBytes });
    } catch (err) {
      this.onUndecodable(bytes, err);
      return;
    }
    if (this.currentState === 'open') this.watchdog.traffic();
    if (message.request) this.onRequest(message);
    else this.onAnswer(message);
  }

  /** A request we cannot decode gets an error answer (RFC 6733 §7.2); a bad answer is dropped. */
  private onUndecodable(bytes: Buffer, err: unknown): void {
    const reason = err instanceof DiameterError ? err.message : 'undecodable';
    let header: DiameterHeader;
    try {
      header = decodeHeader(bytes, this.options.maxMessageBytes);
    } catch {
      // Unreachable after the framer's checks; a header we cannot read cannot be answered either.
      this.log.warn('diameter message undecodable', { reason });
      return;
    }
    this.log.warn('diameter message undecodable', { reason, commandCode: header.commandCode, request: header.request });
    if (!header.request) return;
    const resultCode = (err instanceof DiameterError ? err.resultCode : null) ?? RESULT.UNABLE_TO_COMPLY;
    this.send(answerTo({ ...header, error: false, avps: [] }, this.options.capabilities, resultCode));
  }

  private onAnswer(answer: DiameterMessage): void {
    if (!this.pending.answer(answer)) {
      this.log.debug('diameter answer matches no pending request', { commandCode: answer.commandCode });
    }
  }

  private onRequest(request: DiameterMessage): void {
    const node = this.options.capabilities;
    const isBase = request.applicationId === APPLICATION.COMMON;
    if (isBase && request.commandCode === COMMAND.DEVICE_WATCHDOG) {
      this.send(answerTo(request, node, RESULT.SUCCESS, [avp(AVP.ORIGIN_STATE_ID, node.originStateId)]));
      return;
    }
    if (isBase && request.commandCode === COMMAND.DISCONNECT_PEER) {
      this.onDisconnectRequest(request);
      return;
    }
    if (isBase && request.commandCode === COMMAND.CAPABILITIES_EXCHANGE) {
      this.send(answerTo(request, node, RESULT.UNABLE_TO_COMPLY, [], 'capabilities already exchanged'));
      return;
    }
    this.log.info('diameter request not supported', {
      commandCode: request.commandCode,
      applicationId: request.applicationId,
    });
    this.send(unsupportedAnswer(request, node, node.authApplicationIds));
  }

  /** RFC 6733 §5.4: answer DPA, stop sending, let the peer close; reconnect later per Disconnect-Cause. */
  private onDisconnectRequest(request: DiameterMessage): void {
    let cause: number | undefined;
    try {
      cause = findValue(request.avps, AVP.DISCONNECT_CAUSE);
    } catch {
      cause = undefined;
    }
    this.log.info('diameter peer asked to disconnect', { disconnectCause: cause });
    this.nextReconnectMs =
      cause === DISCONNECT_CAUSE.REBOOTING ? this.options.reconnectMinMs : this.options.reconnectMaxMs;
    this.setState('closing');
    this.send(answerTo(request, this.options.capabilities, RESULT.SUCCESS));
    const socket = this.socket;
    if (socket) void this.endSocket(socket);
  }

  private send(message: DiameterMessage): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    try {
      socket.write(encodeMessage(message));
    } catch (err) {
      this.log.warn('diameter answer not encodable', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private fail(generation: number, reason: string): void {
    if (generation !== this.generation || !this.socket) return;
    this.log.warn('diameter peer connection failed', { reason, state: this.currentState });
    this.socket.destroy();
  }

  private onClosed(generation: number): void {
    if (generation !== this.generation) return;
    this.socket = null;
    this.remote = null;
    this.watchdog.stop();
    this.pending.loseAll();
    if (this.stopped) {
      if (this.currentState !== 'closing') this.setState('closed');
      return;
    }
    this.setState('idle');
    const backoff = Math.min(
      this.options.reconnectMaxMs,
      this.options.reconnectMinMs * 2 ** Math.min(this.failures, 20),
    );
    const delay = this.nextReconnectMs ?? backoff;
    this.nextReconnectMs = null;
    this.failures += 1;
    this.log.info('diameter peer reconnecting', { inMs: delay });
    this.reconnectTimer = this.clock.setTimeout(() => this.connect(), delay);
  }

  private async endSocket(socket: Socket): Promise<void> {
    if (socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(() => socket.destroy(), SOCKET_END_GRACE_MS);
      socket.once('close', () => {
        this.clock.clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }
}

function safeOriginHost(message: DiameterMessage): string | null {
  try {
    return findValue(message.avps, AVP.ORIGIN_HOST) ?? null;
  } catch {
    return null; // a malformed Origin-Host only costs us the name in the logs
  }
}

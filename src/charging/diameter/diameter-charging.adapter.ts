import { isIP } from 'node:net';
import { systemClock, type Clock } from '../../clock';
import type { ChargeRequest, ChargeResult, ChargingGateway } from '../../cmr/ports/charging-gateway.port';
import { AppError } from '../../errors';
import { maskIdentity, type Logger } from '../../observability/logger';
import { interpretCreditControlAnswer, refundInformationOf } from './credit-control-answer';
import {
  chargeSessionId,
  creditControlRequest,
  type ChargePurpose,
  type CreditControlContext,
} from './credit-control-request';
import { EndToEndIds } from './diameter-base-messages';
import type { DiameterChargingConfig } from '../../config/diameter-charging-schema';
import { APPLICATION, VENDOR_3GPP } from './diameter-dictionary';
import { DiameterPeer, type PeerState } from './diameter-peer';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export interface DiameterChargingOptions extends CreditControlContext {
  /** In order of preference: the primary first, then the failover peers (RFC 4006 §5.5). */
  readonly peers: readonly PeerAddress[];
  /** Tx: how long one peer has to answer one CCR before the next peer is tried. */
  readonly txMs: number;
  /** RFC 3539 Tw of each connection. */
  readonly twMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly maxMessageBytes: number;
  /** Announced in CER as Host-IP-Address; empty: each connection's local address. */
  readonly hostIpAddresses: readonly string[];
  readonly productName: string;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly onPeerStateChange?: (peer: string, state: PeerState) => void;
}

/** Our IANA enterprise number in CER Vendor-Id: none registered, so 0 (RFC 6733 §5.3.3). */
const OUR_VENDOR_ID = 0;

/**
 * The ChargingGateway over Diameter Ro (RFC 6733, RFC 4006, 3GPP TS 32.299): one Immediate Event
 * Charging CCR per debit (Requested-Action DIRECT_DEBITING) or refund (REFUND_ACCOUNT).
 *
 * The Session-Id comes from the idempotency key (`chargeSessionId`), so a repeated charge of the same
 * copy is the same session and the OCS drops the duplicate. A CCR goes to the first open peer; when
 * it times out (Tx), its connection drops, or the answer is a protocol or transient error, the same
 * CCR (same Session-Id, same End-to-End id) goes to the next peer with the T flag set (RFC 6733
 * §5.5.4, RFC 4006 §5.5). A request marked `retransmission` (a recovery after a restart) carries the T
 * flag from its first transmission. No peer answering: `unavailable`. Expected failures are values, never
 * exceptions; the constructor throws `CHARGING.CONFIG` for options no message could carry.
 */
export class DiameterChargingGateway implements ChargingGateway {
  private readonly peers: DiameterPeer[];
  private readonly names: string[];
  private readonly endToEnd: EndToEndIds;
  private readonly clock: Clock;
  private readonly log: Logger;
  private started = false;
  private closed = false;

  constructor(private readonly options: DiameterChargingOptions) {
    checkOptions(options);
    this.clock = options.clock ?? systemClock;
    this.log = options.logger;
    this.endToEnd = new EndToEndIds(this.clock.now());
    this.names = options.peers.map((_, i) => (i === 0 ? 'primary' : i === 1 ? 'secondary' : `peer-${i + 1}`));
    const originStateId = Math.floor(this.clock.now() / 1000) >>> 0;
    this.peers = options.peers.map((address, i) => {
      const name = this.names[i] ?? `peer-${i + 1}`;
      return new DiameterPeer({
        name,
        host: address.host,
        port: address.port,
        capabilities: {
          originHost: options.originHost,
          originRealm: options.originRealm,
          hostIpAddresses: options.hostIpAddresses,
          vendorId: OUR_VENDOR_ID,
          productName: options.productName,
          originStateId,
          authApplicationIds: [APPLICATION.CREDIT_CONTROL],
          supportedVendorIds: [VENDOR_3GPP],
        },
        twMs: options.twMs,
        connectTimeoutMs: options.connectTimeoutMs,
        reconnectMinMs: options.reconnectMinMs,
        reconnectMaxMs: options.reconnectMaxMs,
        maxMessageBytes: options.maxMessageBytes,
        logger: this.log,
        clock: this.clock,
        onStateChange: (state) => options.onPeerStateChange?.(name, state),
      });
    });
  }

  /** Connects to every peer (idempotent); `debit` and `refund` also start it on first use. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    for (const peer of this.peers) peer.start();
  }

  /** Resolves true once at least one peer is open, false after `timeoutMs`. */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    this.start();
    if (this.peers.some((p) => p.isOpen())) return true;
    return Promise.race(this.peers.map((p) => p.waitUntilOpen(timeoutMs)));
  }

  /** Each peer's connection state, primary first (for readiness checks and the API). */
  /** Ready while at least one peer has an open connection. */
  reachable(): boolean {
    return this.peers.some((p) => p.state === 'open');
  }

  peerStates(): readonly { readonly peer: string; readonly state: PeerState; readonly remote: string | null }[] {
    return this.peers.map((p, i) => ({ peer: this.names[i] ?? String(i), state: p.state, remote: p.remoteIdentity }));
  }

  async debit(request: ChargeRequest): Promise<ChargeResult> {
    return this.charge(request, 'debit', null);
  }

  /** A REFUND_ACCOUNT event for the debit `reference`; `charged` means refunded. */
  async refund(request: ChargeRequest, reference: string): Promise<ChargeResult> {
    return this.charge(request, 'refund', refundInformationOf(reference));
  }

  /** DPR to every open peer, then no more reconnection; later calls answer `unavailable`. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.peers.map((peer) => peer.close()));
  }

  private async charge(
    request: ChargeRequest,
    purpose: ChargePurpose,
    refundInformation: Buffer | null,
  ): Promise<ChargeResult> {
    const startedAt = this.clock.now();
    const sessionId = chargeSessionId(this.options.originHost, request.idempotencyKey, purpose);
    const { result, resultCode } = await this.send(request, purpose, sessionId, refundInformation);
    this.logOutcome(purpose, request, result, {
      sessionId,
      resultCode,
      durationMs: this.clock.now() - startedAt,
    });
    return result;
  }

  private async send(
    request: ChargeRequest,
    purpose: ChargePurpose,
    sessionId: string,
    refundInformation: Buffer | null,
  ): Promise<{ result: ChargeResult; resultCode: number | null }> {
    if (this.closed) {
      return {
        result: { status: 'unavailable', detail: 'the charging gateway is closed', neverSent: true },
        resultCode: null,
      };
    }
    const built = creditControlRequest(this.options, request, {
      purpose,
      sessionId,
      endToEndId: this.endToEnd.next(),
      refundInformation,
    });
    if ('problem' in built) {
      this.log.error('charge not expressible in Diameter', { callId: request.callId, problem: built.problem });
      return { result: { status: 'unavailable', detail: built.problem, neverSent: true }, resultCode: null };
    }
    await this.waitUntilReady(Math.min(this.options.connectTimeoutMs, this.options.txMs));
    const failures: string[] = [];
    let transmitted = false;
    for (const [i, peer] of this.peers.entries()) {
      const name = this.names[i] ?? String(i);
      const message =
        transmitted || request.retransmission === true ? { ...built.request, retransmit: true } : built.request;
      const exchange = await peer.request(message, this.options.txMs);
      if (exchange.kind === 'not-sent') {
        failures.push(`${name}: not sent (${exchange.reason})`);
        continue;
      }
      transmitted = true;
      if (exchange.kind !== 'answer') {
        failures.push(
          `${name}: ${exchange.kind === 'timeout' ? `no answer within ${this.options.txMs} ms` : 'connection lost'}`,
        );
        this.log.warn('charging request failing over', { callId: request.callId, peer: name, reason: exchange.kind });
        continue;
      }
      const verdict = interpretCreditControlAnswer(exchange.message, sessionId);
      if (verdict.kind === 'final') return { result: verdict.result, resultCode: verdict.resultCode };
      failures.push(`${name}: ${verdict.detail}`);
      this.log.warn('charging request failing over', { callId: request.callId, peer: name, reason: verdict.detail });
    }
    const detail = failures.join('; ');
    // Not one peer took the CCR: the OCS cannot have debited.
    const result: ChargeResult = transmitted
      ? { status: 'unavailable', detail }
      : { status: 'unavailable', detail, neverSent: true };
    return { result, resultCode: null };
  }

  private logOutcome(
    purpose: ChargePurpose,
    request: ChargeRequest,
    answer: ChargeResult,
    facts: { sessionId: string; resultCode: number | null; durationMs: number },
  ): void {
    const meta = {
      operation: purpose,
      callId: request.callId,
      requester: maskIdentity(request.requester),
      resourceId: request.resourceId,
      amountMinor: request.price.amountMinor,
      currency: request.price.currency,
      ...facts,
    };
    switch (answer.status) {
      case 'charged':
        this.log.info(purpose === 'debit' ? 'charge debited' : 'charge refunded', meta);
        return;
      case 'refused':
        this.log.info('charge refused', { ...meta, reason: answer.reason, detail: answer.detail });
        return;
      case 'unavailable':
        this.log.warn('charging unavailable', { ...meta, detail: answer.detail });
        return;
    }
  }
}

const DIAMETER_IDENTITY = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** Throws `CHARGING.CONFIG` naming every value the Diameter messages could not carry. */
function checkOptions(options: DiameterChargingOptions): void {
  const problems: string[] = [];
  if (options.peers.length === 0) problems.push('at least one peer is needed');
  const identities = {
    originHost: options.originHost,
    originRealm: options.originRealm,
    destinationRealm: options.destinationRealm,
    ...(options.destinationHost ? { destinationHost: options.destinationHost } : {}),
  };
  for (const [key, value] of Object.entries(identities)) {
    if (!DIAMETER_IDENTITY.test(value))
      problems.push(`${key} is not a DiameterIdentity (FQDN): ${JSON.stringify(value)}`);
  }
  for (const address of options.hostIpAddresses) {
    if (isIP(address) === 0) problems.push(`hostIpAddresses: not an IP address: ${JSON.stringify(address)}`);
  }
  if (problems.length > 0) throw new AppError('CHARGING.CONFIG', `Diameter charging: ${problems.join('; ')}`);
}

/** `host:port` or `[v6]:port` to a peer address; throws `CHARGING.CONFIG` otherwise. */
export function parsePeerAddress(text: string): PeerAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (!match || !host || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new AppError('CHARGING.CONFIG', `not a Diameter peer address (host:port): ${JSON.stringify(text)}`);
  }
  return { host, port };
}

/** The composition root's factory for `charging.kind: 'diameter'`; the gateway starts connecting at once. */
export function createDiameterChargingGateway(
  config: DiameterChargingConfig,
  logger: Logger,
  clock: Clock = systemClock,
): DiameterChargingGateway {
  const gateway = new DiameterChargingGateway({
    ...config,
    peers: config.peers.map(parsePeerAddress),
    logger: logger.child({ component: 'charging', protocol: 'diameter' }),
    clock,
  });
  gateway.start();
  return gateway;
}

import type http from 'node:http';
import { systemClock, type Clock } from '../clock';
import type { ChargeRequest, ChargeResult, ChargingGateway } from '../cmr/ports/charging-gateway.port';
import { maskIdentity, type Logger } from '../observability/logger';
import {
  idempotencyHeaderValue,
  keepAliveAgent,
  parseHttpUrl,
  postJson,
  type HttpExchange,
} from '../http/http-json-post';
import {
  CHARGING_DATA_PATH,
  chargingDataRequest,
  interpretDebitAnswer,
  interpretRefundAnswer,
} from './nchf-charging-data';

export const DEFAULT_NF_NAME = 'cmr-copy-as';
export const DEFAULT_RATING_GROUP = 700;

export interface HttpChargingGatewayOptions {
  /** Base URL of the CHF, e.g. `http://chf.example:8090` (the Nchf paths are appended). */
  readonly url: string;
  /** Deadline of one exchange (connect, request, answer). */
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly nfName?: string;
  readonly ratingGroup?: number;
}

/**
 * The ChargingGateway over HTTP/JSON, an Nchf_ConvergedCharging-like one-time event charge
 * (docs/charging-http.md). Expected failures are values, never exceptions: a refusal by the CHF is
 * `refused`, anything without a usable answer is `unavailable`. The constructor throws
 * `CHARGING.CONFIG` for a URL that is not http(s).
 */
export class HttpChargingGateway implements ChargingGateway {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly nfName: string;
  private readonly ratingGroup: number;
  private closed = false;

  constructor(private readonly options: HttpChargingGatewayOptions) {
    this.base = parseHttpUrl(options.url, 'CHARGING.CONFIG');
    this.agent = keepAliveAgent(this.base);
    this.log = options.logger;
    this.clock = options.clock ?? systemClock;
    this.nfName = options.nfName ?? DEFAULT_NF_NAME;
    this.ratingGroup = options.ratingGroup ?? DEFAULT_RATING_GROUP;
  }

  async debit(request: ChargeRequest): Promise<ChargeResult> {
    const { exchange, durationMs } = await this.exchange(request, CHARGING_DATA_PATH, 'debit', request.idempotencyKey);
    const answer = interpretDebitAnswer(exchange);
    this.logOutcome('debit', request, answer, durationMs);
    if (answer.status === 'unavailable' && exchange.kind === 'response' && exchange.status < 300) {
      // The CHF said yes but gave no reference: it may have debited. Retrying with the same key is safe.
      this.log.error('charging answered success without a reference', {
        callId: request.callId,
        status: exchange.status,
      });
    }
    return answer;
  }

  /** Releases the one-time event `reference` (POST .../chargingdata/{ref}/release); `charged` means refunded. */
  async refund(request: ChargeRequest, reference: string): Promise<ChargeResult> {
    const path = `${CHARGING_DATA_PATH}/${encodeURIComponent(reference)}/release`;
    const { exchange, durationMs } = await this.exchange(request, path, 'refund', `${request.idempotencyKey}:refund`);
    const answer = interpretRefundAnswer(exchange, reference);
    this.logOutcome('refund', request, answer, durationMs);
    return answer;
  }

  /** Drops idle connections; later calls answer `unavailable`. */
  async close(): Promise<void> {
    this.closed = true;
    this.agent.destroy();
  }

  private async exchange(
    request: ChargeRequest,
    path: string,
    purpose: 'debit' | 'refund',
    idempotencyKey: string,
  ): Promise<{ exchange: HttpExchange; durationMs: number }> {
    if (this.closed) {
      return {
        exchange: { kind: 'failure', reason: 'network', detail: 'the charging gateway is closed', neverSent: true },
        durationMs: 0,
      };
    }
    const started = this.clock.now();
    const body = chargingDataRequest(
      request,
      {
        nfName: this.nfName,
        ratingGroup: this.ratingGroup,
        invocationTimeStamp: new Date(started).toISOString(),
      },
      purpose,
    );
    const exchange = await postJson({
      url: new URL(joinPath(this.base, path)),
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, application/problem+json',
        'Idempotency-Key': idempotencyHeaderValue(idempotencyKey),
      },
      body,
      timeoutMs: this.options.timeoutMs,
      agent: this.agent,
    });
    return { exchange, durationMs: this.clock.now() - started };
  }

  private logOutcome(
    operation: 'debit' | 'refund',
    request: ChargeRequest,
    answer: ChargeResult,
    durationMs: number,
  ): void {
    const meta = {
      operation,
      callId: request.callId,
      requester: maskIdentity(request.requester),
      resourceId: request.resourceId,
      amountMinor: request.price.amountMinor,
      currency: request.price.currency,
      durationMs,
    };
    switch (answer.status) {
      case 'charged':
        this.log.info(operation === 'debit' ? 'charge debited' : 'charge refunded', {
          ...meta,
          reference: answer.reference,
        });
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

/** The base URL's path (e.g. a proxy prefix) followed by `path`. */
function joinPath(base: URL, path: string): string {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  url.search = '';
  return url.href;
}

import type http from 'node:http';
import {
  idempotencyHeaderValue,
  keepAliveAgent,
  parseHttpUrl,
  postJson,
  type HttpExchange,
} from '../http/http-json-post';
import type { OutboxMessage } from '../cmr/model';
import type { PortalClient, PortalDelivery } from '../cmr/ports/portal-client.port';
import type { Logger } from '../observability/logger';
import { portalSignature, SIGNATURE_HEADER } from './portal-signature';

export interface HttpPortalClientOptions {
  /** Where records are POSTed (`portal.url`). */
  readonly url: string;
  /** Deadline of one delivery (connect, request, answer). */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Signs every body (`X-Cmr-Signature`) with this secret; empty or absent: unsigned. Never logged. */
  readonly hmacSecret?: string;
}

/**
 * The CMR Portal over HTTP: each outbox message's payload is POSTed as JSON to `url` with
 * `Idempotency-Key: <outbox message id>` (so a redelivery after a lost answer is recognisable) and
 * `X-Cmr-Topic: <topic>`, and, with `hmacSecret`, `X-Cmr-Signature: sha256=<hex HMAC-SHA256 of the body
 * bytes>` (portal-signature.ts). 2xx: delivered; 408, 429, 5xx, timeout, network trouble: retry; any
 * other status: rejected. Never throws for those; the constructor throws `PORTAL.CONFIG` for a bad URL.
 */
export class HttpPortalClient implements PortalClient {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private closed = false;

  constructor(private readonly options: HttpPortalClientOptions) {
    this.url = parseHttpUrl(options.url, 'PORTAL.CONFIG');
    this.agent = keepAliveAgent(this.url, 4);
  }

  async deliver(message: OutboxMessage): Promise<PortalDelivery> {
    if (this.closed) return { status: 'retry', detail: 'the portal client is closed' };
    const secret = this.options.hmacSecret ?? '';
    const exchange = await postJson({
      url: this.url,
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': idempotencyHeaderValue(message.id),
        'X-Cmr-Topic': idempotencyHeaderValue(message.topic),
      },
      body: message.payload,
      timeoutMs: this.options.timeoutMs,
      agent: this.agent,
      ...(secret === '' ? {} : { sign: (body: Buffer) => ({ [SIGNATURE_HEADER]: portalSignature(secret, body) }) }),
    });
    const delivery = portalDeliveryOf(exchange);
    this.options.logger.debug('portal answered', {
      outboxId: message.id,
      topic: message.topic,
      status: delivery.status,
      ...(delivery.status === 'delivered' ? {} : { detail: delivery.detail }),
    });
    return delivery;
  }

  /** Drops idle connections; later deliveries answer `retry`. */
  async close(): Promise<void> {
    this.closed = true;
    this.agent.destroy();
  }
}

/** The status table above, as a pure function. */
export function portalDeliveryOf(exchange: HttpExchange): PortalDelivery {
  if (exchange.kind === 'failure') return { status: 'retry', detail: `${exchange.reason}: ${exchange.detail}` };
  const { status } = exchange;
  if (status >= 200 && status < 300) return { status: 'delivered' };
  const detail = `HTTP ${status}${exchange.text.length > 0 ? ` ${exchange.text.slice(0, 200)}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) return { status: 'retry', detail };
  return { status: 'rejected', detail };
}

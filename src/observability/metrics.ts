import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { KNOWN_METHODS } from '../sip/message/sip-methods';

/** What the SIP layers count; narrow so the stack does not depend on Prometheus. */
export interface SipMetrics {
  requestReceived(method: string): void;
  responseSent(status: number): void;
}

export interface MetricsSources {
  /** Calls not yet ended. */
  activeCalls(): number;
  /** The portal outbox as the store counts it: waiting, oldest waiting (ISO instant or null), dead letters. */
  outbox(): Promise<{ depth: number; oldestCreatedAt: string | null; deadLetters: number }>;
  now(): number;
  /** Transport counters since start. */
  transport(): {
    received: number;
    parseErrors: number;
    errorsAnswered: number;
    tcpConnections: number;
    /** Inbound stream connections closed at accept, by protocol and reason (caps, shutdown). */
    refusedConnections?: readonly { protocol: string; reason: string; count: number }[];
    tlsHandshakes?: number;
    tlsHandshakeFailures?: number;
  };
}

/**
 * The application's Prometheus metrics in their own registry (no global default), exposed at /metrics.
 * Gauges that mirror state are read from `sources` at scrape time, so hot paths pay nothing for them.
 */
export class Metrics implements SipMetrics {
  readonly registry = new Registry();
  private readonly sipIn: Counter<'method'>;
  private readonly sipOut: Counter<'status'>;
  private readonly calls: Counter<'outcome'>;
  private readonly refusedCalls: Counter<string>;
  private readonly copies: Counter<'trigger' | 'outcome'>;
  private readonly chargingLatency: Histogram<'operation' | 'result'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'cmr_' });
    this.sipIn = new Counter({
      name: 'cmr_sip_requests_received_total',
      help: 'New SIP requests received (retransmissions absorbed by transactions are not counted), by method',
      labelNames: ['method'],
      registers,
    });
    this.sipOut = new Counter({
      name: 'cmr_sip_responses_sent_total',
      help: 'SIP responses sent by the UA core, by status class',
      labelNames: ['status'],
      registers,
    });
    this.calls = new Counter({
      name: 'cmr_calls_total',
      help: 'Calls ended, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.refusedCalls = new Counter({
      name: 'cmr_calls_refused_total',
      help: 'New calls refused before they started, by reason (overload, capacity, source-rate, source-calls, too-many-calls, shutting-down)',
      labelNames: ['reason'],
      registers,
    });
    this.copies = new Counter({
      name: 'cmr_copy_requests_total',
      help: 'Copy requests decided, by trigger and outcome',
      labelNames: ['trigger', 'outcome'],
      registers,
    });
    this.chargingLatency = new Histogram({
      name: 'cmr_charging_latency_seconds',
      help: 'Time the Charging Enabler took to answer, by operation and result',
      labelNames: ['operation', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers,
    });
    new Gauge({
      name: 'cmr_calls_active',
      help: 'Calls in progress',
      registers,
      collect() {
        this.set(sources.activeCalls());
      },
    });
    // One store read per scrape feeds the three outbox gauges.
    let outbox: Promise<{ depth: number; oldestCreatedAt: string | null; deadLetters: number }> | null = null;
    const readOutbox = () => (outbox ??= sources.outbox().finally(() => setImmediate(() => (outbox = null))));
    new Gauge({
      name: 'cmr_outbox_depth',
      help: 'Copy records waiting for delivery to the portal',
      registers,
      async collect() {
        this.set((await readOutbox()).depth);
      },
    });
    new Gauge({
      name: 'cmr_outbox_oldest_age_seconds',
      help: 'Age of the oldest copy record waiting for the portal (0 when none waits)',
      registers,
      async collect() {
        const oldest = (await readOutbox()).oldestCreatedAt;
        this.set(oldest === null ? 0 : Math.max(0, (sources.now() - Date.parse(oldest)) / 1000));
      },
    });
    new Gauge({
      name: 'cmr_outbox_dead_letters',
      help: 'Copy records the portal refused for good or that ran out of attempts (replay them through the API)',
      registers,
      async collect() {
        this.set((await readOutbox()).deadLetters);
      },
    });
    const transportGauge = (name: string, help: string, read: (t: ReturnType<MetricsSources['transport']>) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(sources.transport()));
        },
      });
    transportGauge(
      'cmr_sip_messages_received',
      'SIP messages received by the transport since start',
      (t) => t.received,
    );
    transportGauge('cmr_sip_parse_errors', 'SIP messages that failed to parse since start', (t) => t.parseErrors);
    transportGauge(
      'cmr_sip_parse_errors_answered',
      'Unparsable requests answered with an error since start',
      (t) => t.errorsAnswered,
    );
    transportGauge('cmr_sip_tcp_connections', 'Open SIP TCP connections', (t) => t.tcpConnections);
    transportGauge('cmr_sip_tls_handshakes', 'Inbound SIP TLS handshakes under way', (t) => t.tlsHandshakes ?? 0);
    transportGauge(
      'cmr_sip_tls_handshake_failures',
      'Inbound SIP TLS handshakes failed, timed out or abandoned since start',
      (t) => t.tlsHandshakeFailures ?? 0,
    );
    new Gauge({
      name: 'cmr_sip_connections_refused',
      help: 'Inbound SIP TCP/TLS connections closed at accept since start, by reason (total, per-source, handshakes, closed)',
      labelNames: ['protocol', 'reason'],
      registers,
      collect() {
        for (const row of sources.transport().refusedConnections ?? []) {
          this.set({ protocol: row.protocol, reason: row.reason }, row.count);
        }
      },
    });
  }

  requestReceived(method: string): void {
    this.sipIn.inc({ method: KNOWN_METHODS.has(method) ? method : 'other' });
  }

  responseSent(status: number): void {
    this.sipOut.inc({ status: `${Math.floor(status / 100)}xx` });
  }

  callEnded(outcome: string): void {
    this.calls.inc({ outcome });
  }

  callRefused(reason: string): void {
    this.refusedCalls.inc({ reason });
  }

  copyDecided(trigger: string, outcome: string): void {
    this.copies.inc({ trigger, outcome });
  }

  chargingAnswered(operation: 'debit' | 'refund', result: string, seconds: number): void {
    this.chargingLatency.observe({ operation, result }, seconds);
  }

  async render(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

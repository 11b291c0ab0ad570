import type { Clock } from '../clock';
import type { SipConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import type { SipMetrics } from '../observability/metrics';
import type { SipMessage } from './message/sip-message';
import { TransactionLayer } from './transaction/transaction-layer';
import type { BoundAddress, ListenSpec } from './transport/transport';
import { SipTransportLayer } from './transport/transport-layer';
import { loadTlsCredentials } from '../tls/tls-credentials';
import { SipUserAgent, type UserAgentDelegate, type UserAgentOptions } from './ua/user-agent';

export interface SipStackOptions {
  readonly config: SipConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly delegate: UserAgentDelegate;
  readonly metrics?: SipMetrics;
  readonly allowedMethods?: UserAgentOptions['allowedMethods'];
  readonly supportedExtensions?: UserAgentOptions['supportedExtensions'];
  readonly acceptedBodies?: UserAgentOptions['acceptedBodies'];
}

/** The three RFC 3261 layers wired together: transport, transactions, UA core. */
export class SipStack {
  private constructor(
    readonly ua: SipUserAgent,
    readonly transactions: TransactionLayer,
    readonly transport: SipTransportLayer,
  ) {}

  static async start(options: SipStackOptions): Promise<SipStack> {
    const { config, logger, clock } = options;
    let transactions: TransactionLayer | null = null;
    const listen: ListenSpec[] = config.transports.map((protocol) => ({
      protocol,
      host: config.host,
      port: protocol === 'tls' ? config.tls.port : config.port,
    }));
    // Certificates are read only when TLS is on, so the default configuration needs none.
    const tls = config.transports.includes('tls')
      ? {
          credentials: await loadTlsCredentials(config.tls, 'sip.tls'),
          requireClientCert: config.tls.requireClientCert,
        }
      : undefined;
    const transport = await SipTransportLayer.start({
      listen,
      tls,
      advertisedHost: config.advertisedHost || undefined,
      limits: config.limits,
      listener: { onMessage: (message: SipMessage) => transactions?.receive(message) },
      logger,
      clock,
    });
    const ua = new SipUserAgent({
      transport,
      clock,
      logger,
      timers: config.timers,
      userAgent: config.userAgent,
      delegate: options.delegate,
      metrics: options.metrics,
      allowedMethods: options.allowedMethods,
      supportedExtensions: options.supportedExtensions,
      acceptedBodies: options.acceptedBodies,
    });
    transactions = new TransactionLayer({ transport, user: ua, clock, timers: config.timers, logger });
    ua.attach(transactions);
    return new SipStack(ua, transactions, transport);
  }

  addresses(): BoundAddress[] {
    return this.transport.addresses();
  }

  async close(): Promise<void> {
    this.transactions.close();
    this.ua.close();
    await this.transport.close();
  }
}

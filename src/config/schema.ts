import { bool, int, listOf, oneOf, str, type Infer, type Schema } from './fields';

/**
 * Every configuration key, its type and its limits. `config/default.json` must give a value
 * for each one; the loader rejects unknown keys so a typo never silently falls back to a default.
 */
export const configSchema = {
  sip: {
    host: str(),
    /** 0 binds an ephemeral port per transport (tests). */
    port: int(0, 65535),
    transports: listOf(oneOf('udp', 'tcp'), { minItems: 1 }),
    /** Host put in our Via and Contact when it differs from the bind address (e.g. a NAT or a VIP). */
    advertisedHost: str({ allowEmpty: true }),
    userAgent: str(),
    timers: {
      t1Ms: int(10, 60_000),
      t2Ms: int(100, 600_000),
      t4Ms: int(100, 600_000),
    },
    limits: {
      maxMessageBytes: int(1024, 1_048_576),
      maxHeaders: int(16, 1024),
      maxLineBytes: int(256, 65_536),
      maxTcpConnections: int(1, 1_000_000),
      tcpIdleTimeoutMs: int(1000, 86_400_000),
    },
  },
  http: {
    host: str(),
    port: int(0, 65535),
    apiToken: str(),
  },
  store: {
    kind: oneOf('sqlite', 'postgres'),
    sqlitePath: str(),
    postgresUrl: str({ allowEmpty: true }),
    seedFile: str({ allowEmpty: true }),
  },
  log: {
    level: oneOf('error', 'warn', 'info', 'debug'),
    maskNumbers: bool(),
  },
} satisfies Schema;

export type AppConfig = Infer<typeof configSchema>;
export type SipConfig = AppConfig['sip'];
export type HttpConfig = AppConfig['http'];
export type StoreConfig = AppConfig['store'];
export type LogConfig = AppConfig['log'];

import { diameterChargingSchema } from './diameter-charging-schema';
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
    transports: listOf(oneOf('udp', 'tcp', 'tls'), { minItems: 1 }),
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
      /** Inbound TCP and TLS connections open at once from one source address (0: no cap); more are closed at accept. */
      maxConnectionsPerSource: int(0, 1_000_000),
      tcpIdleTimeoutMs: int(1000, 86_400_000),
      /** An inbound TLS handshake not finished within this time is abandoned and its connection closed. */
      tlsHandshakeTimeoutMs: int(100, 120_000),
      /** Inbound TLS handshakes under way at once; connections beyond are closed at accept. */
      maxTlsHandshakes: int(1, 100_000),
    },
    /** SIP over TLS (RFC 3261 §26.2), used when `transports` has 'tls'; PEM files. */
    tls: {
      /** Its own port (5061 is the sips default); 0 binds an ephemeral one (tests). */
      port: int(0, 65535),
      certFile: str({ allowEmpty: true }),
      keyFile: str({ allowEmpty: true }),
      /** CA bundle that verifies peers (outbound servers, inbound client certificates); empty: Node's CA list. */
      caFile: str({ allowEmpty: true }),
      /** Inbound connections must present a certificate the CA signed (mutual TLS). */
      requireClientCert: bool(),
    },
  },
  b2bua: {
    /** Where B-legs go when the INVITE has no Route left (a SIP URI, e.g. the S-CSCF); empty: the Request-URI. */
    nextHop: str({ allowEmpty: true }),
    /** Peers whose P-Asserted-Identity and P-Served-User are believed (RFC 3325 trust domain). */
    trustedPeers: listOf(str()),
    /** A called party that does not answer within this time: the caller gets 480. */
    noAnswerTimeoutMs: int(1000, 600_000),
    maxCalls: int(1, 10_000_000),
    /** Call state older than this is dropped whatever its phase (leak guard). */
    maxCallSeconds: int(60, 7 * 86_400),
    /** How long an ended call stays readable (late copy requests, the API). */
    lingerSeconds: int(1, 3600),
  },
  media: {
    /** Play CMR ringing media through the media server; off: every call is a plain B2BUA call. */
    enabled: bool(),
    /** The media server's SIP address; announcements go to sip:annc@<this host:port> (RFC 4240). */
    server: str(),
    /** RFC 6086 Info Packages advertised to the caller in Recv-Info with the early media. */
    recvInfo: listOf(str()),
  },
  copy: {
    /** The DTMF digit that asks for a copy of what is playing. */
    key: str({ pattern: /^[0-9*#A-D]$/ }),
    /** Ask for a second, different key before charging a key-press copy (consent before money). */
    requireConfirmation: bool(),
    confirmKey: str({ pattern: /^[0-9*#A-D]$/ }),
    /** How long an offer waits for the confirmation key; silence cancels it, with no charge. */
    consentTimeoutMs: int(1000, 120_000),
    /** A copy asked this long after the ringing media stopped still copies it (pressed just as B answered). */
    graceMs: int(0, 60_000),
    /** A non-INVITE request is answered within this time (RFC 4320); a slower outcome follows as 202 + MESSAGE. */
    responseBudgetMs: int(50, 30_000),
    /** User-Agent prefixes of client apps allowed to send copy requests; empty: any. */
    allowedClients: listOf(str()),
    /** How often unfinished charged copies (a crash, a lost charging answer) are finished or refunded. */
    recoveryIntervalMs: int(100, 3_600_000),
    /** An unfinished copy unchanged this long is recovered (longer than one copy takes, for several instances). */
    recoveryMinAgeMs: int(0, 86_400_000),
    /** Recovery passes that cannot reach charging or the store before a copy is given up (logged for reconciliation). */
    recoveryMaxTries: int(1, 100_000),
  },
  charging: {
    kind: oneOf('http', 'diameter'),
    /** Base URL of the Charging Enabler (an Nchf-like converged charging API). */
    url: str(),
    timeoutMs: int(100, 60_000),
    /** Diameter Ro (RFC 4006, 3GPP TS 32.299) peers and identities, used when kind is diameter. */
    diameter: diameterChargingSchema,
  },
  portal: {
    /** Where copy records are POSTed. */
    url: str(),
    timeoutMs: int(100, 60_000),
    pollIntervalMs: int(50, 600_000),
    maxBackoffMs: int(1000, 86_400_000),
    /** Failed deliveries of one record before it becomes a dead letter (replayable through the API). */
    maxAttempts: int(1, 1_000_000),
    /** Key of the `X-Cmr-Signature: sha256=<HMAC-SHA256 of the body>` header; empty: records are not signed. */
    hmacSecret: str({ allowEmpty: true }),
  },
  http: {
    host: str(),
    port: int(0, 65535),
    apiToken: str(),
    /** HTTPS for the API; PEM files. */
    tls: {
      enabled: bool(),
      certFile: str({ allowEmpty: true }),
      keyFile: str({ allowEmpty: true }),
      /** A TLS handshake not finished within this time is abandoned and its connection closed. */
      handshakeTimeoutMs: int(100, 120_000),
    },
    /** Connections to the API open at once (TLS handshakes included); more are closed at accept. */
    maxConnections: int(1, 1_000_000),
  },
  store: {
    kind: oneOf('sqlite', 'postgres'),
    sqlitePath: str(),
    postgresUrl: str({ allowEmpty: true }),
    seedFile: str({ allowEmpty: true }),
    /**
     * How long a called subscriber's rules, groups and resources are reused between calls (0: read on
     * every call). Our own writes drop them at once; another instance's, on a shared PostgreSQL, are
     * seen after at most this long.
     */
    selectionCacheMs: int(0, 60_000),
  },
  limits: {
    /** New INVITEs per second from one untrusted source address (0: no limit); trusted peers are exempt. */
    invitesPerSecondPerSource: int(0, 1_000_000),
    inviteBurst: int(1, 1_000_000),
    /** New calls per second in all, trusted peers included (0: no limit); set it below the measured capacity. */
    maxNewCallsPerSecond: int(0, 1_000_000),
    /** Calls in progress at once from one untrusted source address (0: no cap); trusted peers are exempt. */
    maxCallsInProgressPerSource: int(0, 10_000_000),
    /** Copy requests per minute from one requester (0: no limit). */
    copiesPerMinutePerRequester: int(0, 100_000),
    /** New calls get 503 while the event loop lags more than this (ms, p99 of the last second); 0: off. */
    maxEventLoopDelayMs: int(0, 60_000),
  },
  shutdown: {
    /** On SIGTERM, calls in progress may go on this long before they are hung up. */
    drainSeconds: int(0, 3600),
  },
  log: {
    level: oneOf('error', 'warn', 'info', 'debug'),
    maskNumbers: bool(),
  },
  testing: {
    /** Test hook: the process kills itself (SIGKILL) at this step of a charged copy. Empty in production. */
    crashAt: str({ allowEmpty: true, pattern: /^(|after-requested|after-debit|after-charged|after-copied)$/ }),
  },
} satisfies Schema;

export type AppConfig = Infer<typeof configSchema>;
export type SipConfig = AppConfig['sip'];
export type HttpConfig = AppConfig['http'];
export type StoreConfig = AppConfig['store'];
export type LogConfig = AppConfig['log'];

import { int, listOf, str, type Infer } from './fields';

/**
 * The `charging.diameter` configuration section (used when `charging.kind` is `diameter`), ready to
 * be placed in src/config/schema.ts as `diameter: diameterChargingSchema`. Its defaults are
 * `DIAMETER_CHARGING_DEFAULTS`, the block for config/default.json.
 */
export const diameterChargingSchema = {
  /** `host:port` (`[v6]:port`) of the OCS or Diameter agents, primary first; the others are failover peers. */
  peers: listOf(str({ pattern: /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):\d{1,5}$/ }), { minItems: 1 }),
  originHost: str(),
  originRealm: str(),
  destinationRealm: str(),
  /** Empty: CCRs are routed by Destination-Realm only. */
  destinationHost: str({ allowEmpty: true }),
  /** TS 32.299 Service-Context-Id; `32260@3gpp.org` is IMS charging (an AS event). */
  serviceContextId: str(),
  /** Tx: how long one peer has to answer one CCR before the next peer gets it (T flag set). */
  txMs: int(100, 60_000),
  /** RFC 3539 Tw watchdog interval (at least 6 s). */
  twMs: int(6000, 3_600_000),
  connectTimeoutMs: int(100, 60_000),
  reconnectMinMs: int(10, 600_000),
  reconnectMaxMs: int(100, 3_600_000),
  maxMessageBytes: int(4096, 16_777_215),
  /** Host-IP-Address in CER; empty: the local address of each connection. */
  hostIpAddresses: listOf(str()),
  productName: str(),
};

export type DiameterChargingConfig = Infer<typeof diameterChargingSchema>;

export const DIAMETER_CHARGING_DEFAULTS: DiameterChargingConfig = {
  peers: ['127.0.0.1:3868'],
  originHost: 'cmr-as.localdomain',
  originRealm: 'localdomain',
  destinationRealm: 'ocs.localdomain',
  destinationHost: '',
  serviceContextId: '32260@3gpp.org',
  txMs: 2000,
  twMs: 30_000,
  connectTimeoutMs: 3000,
  reconnectMinMs: 1000,
  reconnectMaxMs: 30_000,
  maxMessageBytes: 65_536,
  hostIpAddresses: [],
  productName: 'cmr-copy-as',
};

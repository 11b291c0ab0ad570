import { randomUUID } from 'node:crypto';
import {
  DiameterChargingGateway,
  type DiameterChargingOptions,
  type PeerAddress,
} from '../../../src/charging/diameter/diameter-charging.adapter';
import { copyIdempotencyKey } from '../../../src/cmr/model';
import type { ChargeRequest } from '../../../src/cmr/ports/charging-gateway.port';
import type { Logger } from '../../../src/observability/logger';

/** The caller who copies (and pays) and the called party whose ringing media is copied. */
export const REQUESTER = '+15550001002';
export const OWNER = '+15550001001';
export const CLIENT_NODE = { originHost: 'cmr-as.client.test', originRealm: 'client.test' };

/** A copy charge on a fresh call, unless `over` names one. */
export function aCharge(over: Partial<ChargeRequest> = {}): ChargeRequest {
  const callId = over.callId ?? `${randomUUID()}@127.0.0.1`;
  const requester = over.requester ?? REQUESTER;
  return {
    idempotencyKey: copyIdempotencyKey(callId, requester, 'summer-breeze'),
    requester,
    owner: OWNER,
    resourceId: 'summer-breeze',
    title: 'Summer Breeze',
    price: { amountMinor: 199, currency: 'USD' },
    callId,
    icid: `icid-${callId.slice(0, 8)}`,
    requestedAt: '2026-01-01T10:00:00.000Z',
    ...over,
  };
}

/** A Diameter gateway of the test client towards `peers`, with short timers. */
export function aGateway(
  peers: readonly PeerAddress[],
  logger: Logger,
  over: Partial<DiameterChargingOptions> = {},
): DiameterChargingGateway {
  return new DiameterChargingGateway({
    ...CLIENT_NODE,
    peers,
    destinationRealm: 'ocs.test',
    destinationHost: '',
    serviceContextId: '32260@3gpp.org',
    txMs: 500,
    twMs: 6000,
    connectTimeoutMs: 1000,
    reconnectMinMs: 50,
    reconnectMaxMs: 500,
    maxMessageBytes: 65_536,
    hostIpAddresses: [],
    productName: 'cmr-copy-as-test',
    logger,
    ...over,
  });
}

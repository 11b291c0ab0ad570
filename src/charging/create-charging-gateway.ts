import { systemClock, type Clock } from '../clock';
import type { ChargingGateway } from '../cmr/ports/charging-gateway.port';
import type { AppConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import { createDiameterChargingGateway } from './diameter/diameter-charging.adapter';
import { HttpChargingGateway } from './http-charging.adapter';

export type ChargingConfig = AppConfig['charging'];

/** The Charging Enabler adapter that `charging.kind` names: Diameter Ro towards an OCS, or Nchf-like HTTP. */
export function createChargingGateway(
  config: ChargingConfig,
  logger: Logger,
  clock: Clock = systemClock,
): ChargingGateway {
  const log = logger.child({ component: 'charging' });
  switch (config.kind) {
    case 'http':
      return new HttpChargingGateway({ url: config.url, timeoutMs: config.timeoutMs, logger: log, clock });
    case 'diameter':
      return createDiameterChargingGateway(config.diameter, log, clock);
  }
}

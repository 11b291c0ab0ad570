import type { CallRegistry } from '../../calls/call-registry';
import type { ChargingGateway } from '../../cmr/ports/charging-gateway.port';
import type { CmrStore } from '../../cmr/ports/cmr-store.port';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import type { RouteModule } from '../route';
import { adminRoutes } from './admin-routes';
import { callRoutes } from './call-routes';
import { healthRoutes } from './health-routes';
import { metricsRoutes } from './metrics-routes';

export interface OperationsDeps {
  readonly calls: CallRegistry;
  readonly store: Pick<CmrStore, 'isEmpty'>;
  readonly charging?: Pick<ChargingGateway, 'reachable'>;
  readonly metrics: Pick<Metrics, 'render'>;
  readonly logger: Logger;
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
}

/** The routes the app adds beside provisioning: live calls, health, metrics and operator controls. */
export function operationsRoutes(deps: OperationsDeps): RouteModule[] {
  return [
    callRoutes(deps.calls),
    healthRoutes({ store: deps.store, charging: deps.charging }),
    metricsRoutes(deps.metrics),
    adminRoutes({ logger: deps.logger, initialLevel: deps.logLevel }),
  ];
}

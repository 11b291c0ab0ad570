import type { ChargingGateway } from '../../cmr/ports/charging-gateway.port';
import type { CmrStore } from '../../cmr/ports/cmr-store.port';
import type { RouteModule } from '../route';

/** Liveness (the process answers) and readiness (the store answers and charging is reachable), without a token. */
export function healthRoutes(deps: {
  store: Pick<CmrStore, 'isEmpty'>;
  charging?: Pick<ChargingGateway, 'reachable'>;
}): RouteModule {
  return {
    routes: [
      {
        method: 'GET',
        pattern: '/health/live',
        auth: 'none',
        handler: async () => ({ status: 200, body: { status: 'live' } }),
      },
      {
        method: 'GET',
        pattern: '/health/ready',
        auth: 'none',
        handler: async () => {
          const store = await deps.store.isEmpty().then(
            () => 'up' as const,
            () => 'down' as const,
          );
          const charging = (deps.charging?.reachable?.() ?? true) ? ('up' as const) : ('down' as const);
          const checks = { store, charging };
          if (store === 'up' && charging === 'up') return { status: 200, body: { status: 'ready', checks } };
          return { status: 503, body: { status: 'not ready', checks }, headers: { 'Retry-After': '5' } };
        },
      },
    ],
  };
}

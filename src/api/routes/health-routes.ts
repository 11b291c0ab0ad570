import type { CmrStore } from '../../cmr/ports/cmr-store.port';
import type { RouteModule } from '../route';

/** Liveness (the process answers) and readiness (the store answers a query), both without a token. */
export function healthRoutes(deps: { store: Pick<CmrStore, 'isEmpty'> }): RouteModule {
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
          try {
            await deps.store.isEmpty();
            return { status: 200, body: { status: 'ready', checks: { store: 'up' } } };
          } catch {
            return {
              status: 503,
              body: { status: 'not ready', checks: { store: 'down' } },
              headers: { 'Retry-After': '5' },
            };
          }
        },
      },
    ],
  };
}

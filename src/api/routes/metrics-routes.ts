import type { Metrics } from '../../observability/metrics';
import type { RouteModule } from '../route';

/** Prometheus text exposition at /metrics, without the API token (scrapers are kept out by the network). */
export function metricsRoutes(metrics: Pick<Metrics, 'render'>): RouteModule {
  return {
    routes: [
      {
        method: 'GET',
        pattern: '/metrics',
        auth: 'none',
        handler: async () => {
          const { text, contentType } = await metrics.render();
          return { status: 200, text, contentType };
        },
      },
    ],
  };
}

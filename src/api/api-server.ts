import { systemClock, type Clock } from '../clock';
import type { CmrStore } from '../cmr/ports/cmr-store.port';
import type { Logger } from '../observability/logger';
import { createHttpApiServer, type HttpApiConfig, type HttpApiServer } from './http-api-server';
import { callerGroupRoutes } from './routes/caller-group-routes';
import { historyRoutes } from './routes/history-routes';
import { portalRoutes } from './routes/portal-routes';
import { resourceRoutes } from './routes/resource-routes';
import { ringingRulesRoutes } from './routes/ringing-rules-routes';
import { selectionRoutes } from './routes/selection-routes';
import { subscriberRoutes } from './routes/subscriber-routes';
import { mapStoreError } from './store-error-mapping';

export interface ApiServerOptions {
  /** Without `tls` (tests), plain HTTP. */
  readonly config: HttpApiConfig;
  readonly store: CmrStore;
  readonly logger: Logger;
  readonly clock?: Pick<Clock, 'now'>;
  /** Request bodies larger than this get 413 (default 256 KiB). */
  readonly maxBodyBytes?: number;
}

export type ApiServer = HttpApiServer;

/**
 * The provisioning API under /v1 (see docs/openapi.yaml), with the portal feed's dead letters. More routes
 * (health, metrics, calls) are added with `addRoute`/`addRoutes` on the returned server; `auth: 'none'`
 * makes a route public.
 */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const logger = options.logger.child({ component: 'http-api' });
  const server = createHttpApiServer({
    config: options.config,
    logger,
    mapError: mapStoreError,
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
  });
  const deps = { store: options.store, clock: options.clock ?? systemClock };
  for (const module of [
    subscriberRoutes(deps),
    resourceRoutes(deps),
    ringingRulesRoutes(deps),
    callerGroupRoutes(deps),
    historyRoutes(deps),
    selectionRoutes(deps),
    portalRoutes(deps),
  ]) {
    server.addRoutes(module);
  }
  return server;
}

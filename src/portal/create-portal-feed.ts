import type { Clock } from '../clock';
import type { AppConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import { HttpPortalClient } from './http-portal.adapter';
import { PortalFeed, type OutboxStore } from './portal-feed';

export type PortalConfig = AppConfig['portal'];

export interface PortalFeedDeps {
  readonly store: OutboxStore;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** The portal delivery as the composition root holds it. */
export interface PortalDeliveryService {
  readonly feed: PortalFeed;
  /** Stops the feed (waiting for a delivery in flight), then closes the HTTP client. */
  close(): Promise<void>;
}

/**
 * Builds the HTTP portal client and the outbox feed from `portal.*`. Not started: call `feed.start()`
 * once the store is open, and `feed.wake()` after each recorded copy.
 */
export function createPortalFeed(config: PortalConfig, deps: PortalFeedDeps): PortalDeliveryService {
  const logger = deps.logger.child({ component: 'portal' });
  const client = new HttpPortalClient({
    url: config.url,
    timeoutMs: config.timeoutMs,
    logger,
    hmacSecret: config.hmacSecret,
  });
  if (config.hmacSecret === '') logger.warn('portal.hmacSecret is empty: copy records are sent unsigned');
  const feed = new PortalFeed({
    store: deps.store,
    client,
    clock: deps.clock,
    logger,
    pollIntervalMs: config.pollIntervalMs,
    maxBackoffMs: config.maxBackoffMs,
    maxAttempts: config.maxAttempts,
  });
  return {
    feed,
    close: async () => {
      await feed.stop();
      await client.close();
    },
  };
}

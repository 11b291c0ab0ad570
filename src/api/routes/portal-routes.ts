import { badRequest } from '../api-error';
import { parsePageRequest, rejectUnknownQuery } from '../pagination';
import type { RouteModule } from '../route';
import type { RouteDeps } from './route-deps';
import { pageAnswer } from './route-helpers';

/** Outbox message ids: UUIDs in practice; anything else that could be one is looked up, the rest is 400. */
const OUTBOX_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Dead letters of the portal feed: copy records the portal refused, or that failed `portal.maxAttempts`
 * times. Listed oldest first; a replay puts one back in the queue, due at once, its attempts from zero
 * (the feed delivers it at its next poll, under the same Idempotency-Key).
 */
export function portalRoutes({ store, clock }: RouteDeps): RouteModule {
  return {
    routes: [
      {
        method: 'GET',
        pattern: '/v1/portal/dead-letters',
        handler: async (req) => {
          rejectUnknownQuery(req.query, ['limit', 'cursor']);
          return pageAnswer(await store.listDeadLetters(parsePageRequest(req.query)));
        },
      },
      {
        method: 'POST',
        pattern: '/v1/portal/dead-letters/:outboxId/replay',
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          const id = req.params['outboxId'] ?? '';
          if (!OUTBOX_ID.test(id)) {
            throw badRequest('the id in the path is not valid', [
              { field: 'path.outboxId', problem: 'must be 1-128 characters of letters, digits, ".", "_", ":" and "-"' },
            ]);
          }
          const message = await store.replayDeadLetter(id, new Date(clock.now()).toISOString());
          req.logger.info('dead letter replayed', { outboxId: id });
          return { status: 200, body: message };
        },
      },
    ],
  };
}

import type { CopyHistoryRole } from '../../cmr/ports/cmr-store.port';
import { badRequest } from '../api-error';
import { parsePageRequest, rejectUnknownQuery } from '../pagination';
import type { RouteModule } from '../route';
import type { RouteDeps } from './route-deps';
import { found, pageAnswer, pathIdentity } from './route-helpers';

const ROLES: readonly CopyHistoryRole[] = ['requester', 'owner', 'either'];

function readRole(query: URLSearchParams): CopyHistoryRole {
  const all = query.getAll('role');
  if (all.length === 0) return 'either';
  const role = ROLES.find((r) => r === all[0]);
  if (all.length > 1 || role === undefined) {
    throw badRequest('bad role', [{ field: 'query.role', problem: `expected one of ${ROLES.join(', ')}` }]);
  }
  return role;
}

/**
 * Read-only views: a subscriber's library (oldest first) and copy history (newest first). The copy
 * history outlives the subscriber, so it is served for any valid identity, known or not.
 */
export function historyRoutes({ store }: RouteDeps): RouteModule {
  return {
    routes: [
      {
        method: 'GET',
        pattern: '/v1/subscribers/:identity/library',
        handler: async (req) => {
          rejectUnknownQuery(req.query, ['limit', 'cursor']);
          const owner = pathIdentity(req);
          const page = parsePageRequest(req.query);
          found(await store.getSubscriber(owner), 'subscriber');
          return pageAnswer(await store.listLibrary(owner, page));
        },
      },
      {
        method: 'GET',
        pattern: '/v1/subscribers/:identity/copies',
        handler: async (req) => {
          rejectUnknownQuery(req.query, ['limit', 'cursor', 'role']);
          const identity = pathIdentity(req);
          const role = readRole(req.query);
          return pageAnswer(await store.listCopyHistory(identity, role, parsePageRequest(req.query)));
        },
      },
    ],
  };
}

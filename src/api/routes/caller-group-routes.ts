import { validateCallerGroup } from '../../cmr/provisioning-validation';
import { parsePageRequest, rejectUnknownQuery } from '../pagination';
import type { RouteModule } from '../route';
import type { RouteDeps } from './route-deps';
import {
  found,
  noContent,
  pageAnswer,
  pathId,
  pathIdentity,
  putAnswer,
  requireSameKey,
  segment,
  validated,
  withKeyFromPath,
} from './route-helpers';

/** A subscriber's named caller groups, referred to by id from the subscriber's rules. */
export function callerGroupRoutes({ store }: RouteDeps): RouteModule {
  const one = '/v1/subscribers/:identity/groups/:groupId';
  return {
    routes: [
      {
        method: 'GET',
        pattern: '/v1/subscribers/:identity/groups',
        handler: async (req) => {
          rejectUnknownQuery(req.query, ['limit', 'cursor']);
          const owner = pathIdentity(req);
          const page = parsePageRequest(req.query);
          found(await store.getSubscriber(owner), 'subscriber');
          return pageAnswer(await store.listCallerGroups(owner, page));
        },
      },
      {
        method: 'GET',
        pattern: one,
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          const group = await store.getCallerGroup(pathIdentity(req), pathId(req, 'groupId'));
          return { status: 200, body: found(group, 'caller group') };
        },
      },
      {
        method: 'PUT',
        pattern: one,
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          const owner = pathIdentity(req);
          const id = pathId(req, 'groupId');
          const group = validated(validateCallerGroup(withKeyFromPath(await req.readJson(), 'id', id), owner));
          requireSameKey(group.id, id, 'id');
          const result = await store.putCallerGroup(group);
          return putAnswer(result, `/v1/subscribers/${segment(owner)}/groups/${segment(id)}`, group);
        },
      },
      {
        method: 'DELETE',
        pattern: one,
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          await store.deleteCallerGroup(pathIdentity(req), pathId(req, 'groupId'));
          return noContent;
        },
      },
    ],
  };
}

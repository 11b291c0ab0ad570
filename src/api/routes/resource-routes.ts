import { validateResource } from '../../cmr/provisioning-validation';
import { parsePageRequest, rejectUnknownQuery } from '../pagination';
import type { RouteModule } from '../route';
import type { RouteDeps } from './route-deps';
import {
  found,
  noContent,
  pageAnswer,
  pathId,
  putAnswer,
  requireSameKey,
  segment,
  validated,
  withKeyFromPath,
} from './route-helpers';

/** The catalogue of CMR resources. Deleting one still in a playlist, library or override is 409. */
export function resourceRoutes({ store }: RouteDeps): RouteModule {
  return {
    routes: [
      {
        method: 'GET',
        pattern: '/v1/resources',
        handler: async (req) => {
          rejectUnknownQuery(req.query, ['limit', 'cursor']);
          return pageAnswer(await store.listResources(parsePageRequest(req.query)));
        },
      },
      {
        method: 'GET',
        pattern: '/v1/resources/:resourceId',
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          return { status: 200, body: found(await store.getResource(pathId(req, 'resourceId')), 'resource') };
        },
      },
      {
        method: 'PUT',
        pattern: '/v1/resources/:resourceId',
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          const id = pathId(req, 'resourceId');
          const resource = validated(validateResource(withKeyFromPath(await req.readJson(), 'id', id)));
          requireSameKey(resource.id, id, 'id');
          const result = await store.putResource(resource);
          return putAnswer(result, `/v1/resources/${segment(id)}`, resource);
        },
      },
      {
        method: 'DELETE',
        pattern: '/v1/resources/:resourceId',
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          await store.deleteResource(pathId(req, 'resourceId'));
          return noContent;
        },
      },
    ],
  };
}

import { validatePrivacy, validateSubscriber } from '../../cmr/provisioning-validation';
import { parsePageRequest, rejectUnknownQuery } from '../pagination';
import type { RouteModule } from '../route';
import type { RouteDeps } from './route-deps';
import {
  found,
  noContent,
  pageAnswer,
  pathIdentity,
  putAnswer,
  requireSameKey,
  segment,
  validated,
  withKeyFromPath,
} from './route-helpers';

const PAGE_QUERY = ['limit', 'cursor'] as const;

/**
 * Subscribers and their privacy settings. A PUT that leaves out `privacy` keeps the privacy already
 * stored (a new subscriber gets the default), so changing a subscriber's status never widens who may copy.
 */
export function subscriberRoutes({ store }: RouteDeps): RouteModule {
  return {
    routes: [
      {
        method: 'GET',
        pattern: '/v1/subscribers',
        handler: async (req) => {
          rejectUnknownQuery(req.query, PAGE_QUERY);
          return pageAnswer(await store.listSubscribers(parsePageRequest(req.query)));
        },
      },
      {
        method: 'GET',
        pattern: '/v1/subscribers/:identity',
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          return { status: 200, body: found(await store.getSubscriber(pathIdentity(req)), 'subscriber') };
        },
      },
      {
        method: 'PUT',
        pattern: '/v1/subscribers/:identity',
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          const identity = pathIdentity(req);
          const doc = withKeyFromPath(await req.readJson(), 'identity', identity);
          const parsed = validated(validateSubscriber(doc));
          requireSameKey(parsed.identity, identity, 'identity');
          const keepsPrivacy = typeof doc === 'object' && doc !== null && !('privacy' in doc);
          const existing = keepsPrivacy ? await store.getSubscriber(identity) : null;
          const subscriber = existing ? { ...parsed, privacy: existing.privacy } : parsed;
          const result = await store.putSubscriber(subscriber);
          return putAnswer(result, `/v1/subscribers/${segment(identity)}`, subscriber);
        },
      },
      {
        method: 'DELETE',
        pattern: '/v1/subscribers/:identity',
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          await store.deleteSubscriber(pathIdentity(req));
          return noContent;
        },
      },
      {
        method: 'GET',
        pattern: '/v1/subscribers/:identity/privacy',
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          return { status: 200, body: found(await store.getSubscriber(pathIdentity(req)), 'subscriber').privacy };
        },
      },
      {
        method: 'PUT',
        pattern: '/v1/subscribers/:identity/privacy',
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          const identity = pathIdentity(req);
          const privacy = validated(validatePrivacy(await req.readJson()));
          await store.setPrivacy(identity, privacy);
          return { status: 200, body: privacy };
        },
      },
    ],
  };
}

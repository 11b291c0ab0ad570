import { validateRingingRules } from '../../cmr/provisioning-validation';
import { rejectUnknownQuery } from '../pagination';
import type { RouteModule } from '../route';
import type { RouteDeps } from './route-deps';
import { found, noContent, pathIdentity, putAnswer, segment, validated } from './route-helpers';

/** A subscriber's ringing rules, replaced as a whole (ordered list plus default playlist). */
export function ringingRulesRoutes({ store }: RouteDeps): RouteModule {
  const pattern = '/v1/subscribers/:identity/rules';
  return {
    routes: [
      {
        method: 'GET',
        pattern,
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          const identity = pathIdentity(req);
          found(await store.getSubscriber(identity), 'subscriber');
          return { status: 200, body: found(await store.getRingingRules(identity), 'ringing rules') };
        },
      },
      {
        method: 'PUT',
        pattern,
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          const identity = pathIdentity(req);
          const rules = validated(validateRingingRules(await req.readJson()));
          const result = await store.putRingingRules(identity, rules);
          return putAnswer(result, `/v1/subscribers/${segment(identity)}/rules`, rules);
        },
      },
      {
        method: 'DELETE',
        pattern,
        handler: async (req) => {
          rejectUnknownQuery(req.query, []);
          await store.deleteRingingRules(pathIdentity(req));
          return noContent;
        },
      },
    ],
  };
}

import type { Logger } from '../../observability/logger';
import { validationFailed } from '../api-error';
import type { RouteModule } from '../route';

const LEVELS = ['error', 'warn', 'info', 'debug'] as const;
type Level = (typeof LEVELS)[number];

/** Operator controls: `GET`/`PUT /v1/admin/log-level` changes the log level without a restart. */
export function adminRoutes(deps: { logger: Logger; initialLevel: Level }): RouteModule {
  let level: Level = deps.initialLevel;
  return {
    routes: [
      { method: 'GET', pattern: '/v1/admin/log-level', handler: async () => ({ status: 200, body: { level } }) },
      {
        method: 'PUT',
        pattern: '/v1/admin/log-level',
        handler: async (req) => {
          const doc = await req.readJson();
          const wanted = (doc as { level?: unknown } | null)?.level;
          const keys = typeof doc === 'object' && doc !== null ? Object.keys(doc) : [];
          if (!LEVELS.includes(wanted as Level) || keys.some((k) => k !== 'level')) {
            throw validationFailed([{ field: 'level', problem: `must be one of ${LEVELS.join(', ')}` }]);
          }
          level = wanted as Level;
          deps.logger.setLevel(level);
          deps.logger.warn('log level changed', { level });
          return { status: 200, body: { level } };
        },
      },
    ],
  };
}

import type { Call, Presentation } from '../../calls/call';
import type { CallRegistry } from '../../calls/call-registry';
import { ApiError } from '../api-error';
import type { RouteModule } from '../route';

function presentationView(p: Presentation) {
  return {
    resourceId: p.resource.id,
    title: p.resource.title,
    mediaUri: p.resource.mediaUri,
    startedAt: new Date(p.startedAt).toISOString(),
    endedAt: p.endedAt === null ? null : new Date(p.endedAt).toISOString(),
  };
}

function callView(call: Call) {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const presenting = call.presenting;
  return {
    id: call.id,
    phase: call.phase,
    caller: call.parties.caller,
    called: call.parties.called,
    callerUri: call.parties.callerUri,
    calledUri: call.parties.calledUri,
    icid: call.icid,
    createdAt: iso(call.createdAt),
    answeredAt: iso(call.answeredAt),
    endedAt: iso(call.endedAt),
    endReason: call.endReason,
    presenting: presenting ? presentationView(presenting) : null,
    presentations: call.presentations.map(presentationView),
  };
}

/** Live calls and what presents on each: `GET /v1/calls`, `GET /v1/calls/:id` (read-only, for support staff). */
export function callRoutes(registry: CallRegistry): RouteModule {
  return {
    routes: [
      {
        method: 'GET',
        pattern: '/v1/calls',
        handler: async (req) => {
          const includeEnded = req.query.get('ended') === 'true';
          const calls = registry.values().filter((c) => includeEnded || c.phase !== 'ended');
          calls.sort((a, b) => a.createdAt - b.createdAt);
          return { status: 200, body: { items: calls.map(callView), active: registry.activeCount } };
        },
      },
      {
        method: 'GET',
        pattern: '/v1/calls/:callId',
        handler: async (req) => {
          const call = registry.get(req.params.callId ?? '');
          if (!call) throw new ApiError(404, 'CALL.NOT_FOUND', 'no such call');
          return { status: 200, body: callView(call) };
        },
      },
    ],
  };
}

import { parseIdentity } from '../../cmr/identity';
import { localMoment } from '../../cmr/local-time';
import type { Identity } from '../../cmr/model';
import type { Problem } from '../../cmr/problem';
import { DocumentReader } from '../../cmr/validation/document-reader';
import { arrangePlaylist, presentsCmr, seededRandom, selectPlaylist } from '../../cmr/ringing-selection';
import { badRequest, notFound } from '../api-error';
import { rejectUnknownQuery } from '../pagination';
import type { RouteModule } from '../route';
import type { RouteDeps } from './route-deps';

/** Why the selection came out as it did. */
export type SelectionReason =
  'rule-matched' | 'default-playlist' | 'no-rule-matched' | 'no-rules' | 'cmr-disabled' | 'subscriber-not-active';

interface SelectionQuery {
  readonly called: Identity;
  readonly caller: Identity | null;
  readonly at: Date | null;
  readonly sequence: number;
}

function single(query: URLSearchParams, name: string, problems: Problem[]): string | undefined {
  const all = query.getAll(name);
  if (all.length > 1) problems.push({ field: `query.${name}`, problem: 'given more than once' });
  return all[0];
}

function readQuery(query: URLSearchParams): SelectionQuery {
  rejectUnknownQuery(query, ['called', 'caller', 'at', 'sequence']);
  const problems: Problem[] = [];
  const identity = (name: string, raw: string | undefined): Identity | null => {
    if (raw === undefined) return null;
    const r = parseIdentity(raw);
    if (!r.ok) problems.push({ field: `query.${name}`, problem: `not a valid identity: ${r.problem}` });
    return r.ok ? r.identity : null;
  };
  const rawCalled = single(query, 'called', problems);
  if (rawCalled === undefined) problems.push({ field: 'query.called', problem: 'required' });
  const called = identity('called', rawCalled);
  const caller = identity('caller', single(query, 'caller', problems));
  const rawAt = single(query, 'at', problems);
  let at: Date | null = null;
  if (rawAt !== undefined) {
    const reader = new DocumentReader();
    const iso = reader.instant(rawAt, 'query.at');
    problems.push(...reader.problems);
    if (iso !== undefined) at = new Date(iso);
  }
  const rawSequence = single(query, 'sequence', problems);
  let sequence = 0;
  if (rawSequence !== undefined) {
    if (!/^\d{1,9}$/.test(rawSequence))
      problems.push({ field: 'query.sequence', problem: 'expected an integer from 0 to 999999999' });
    else sequence = Number(rawSequence);
  }
  if (problems.length > 0 || called === null) throw badRequest('bad selection query', problems);
  return { called, caller, at, sequence };
}

/**
 * The support view: what a call from `caller` (absent: anonymous) to `called` would present at `at`
 * (absent: now), and why. `sequence` is the how-many-th call for sequential playlists; a shuffled
 * playlist is shown in one reproducible order, seeded by called, caller and instant.
 */
export function selectionRoutes({ store, clock }: RouteDeps): RouteModule {
  return {
    routes: [
      {
        method: 'GET',
        pattern: '/v1/selection',
        handler: async (req) => {
          const q = readQuery(req.query);
          const at = q.at ?? new Date(clock.now());
          const context = await store.loadSelectionContext(q.called);
          if (!context) throw notFound('subscriber not found');
          const { subscriber } = context;
          const base = {
            called: q.called,
            caller: q.caller,
            at: at.toISOString(),
            local: { timeZone: subscriber.timeZone, ...localMoment(at, subscriber.timeZone) },
          };
          const none = (reason: SelectionReason) => ({
            status: 200,
            body: { ...base, reason, ruleId: null, resource: null, playlist: null },
          });
          if (!presentsCmr(subscriber)) return none(subscriber.cmrEnabled ? 'subscriber-not-active' : 'cmr-disabled');
          if (!context.rules) return none('no-rules');
          const selection = selectPlaylist({
            timeZone: subscriber.timeZone,
            rules: context.rules,
            groups: context.groups,
            resources: context.resources,
            caller: q.caller,
            at,
          });
          if (!selection) return none('no-rule-matched');
          const playOrder = arrangePlaylist(selection, {
            sequence: q.sequence,
            random: seededRandom(`${q.called}|${q.caller ?? ''}|${at.toISOString()}`),
          });
          return {
            status: 200,
            body: {
              ...base,
              reason: selection.ruleId === null ? 'default-playlist' : 'rule-matched',
              ruleId: selection.ruleId,
              resource: playOrder[0] ?? null,
              playlist: { order: selection.order, playOrder: playOrder.map((r) => r.id) },
            },
          };
        },
      },
    ],
  };
}

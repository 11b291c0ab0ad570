import assert from 'node:assert/strict';
import {
  ALICE,
  BOB,
  CAROL,
  copyWrite,
  NOW,
  path,
  resourceDoc,
  snapshot,
  startApi,
  subscriberDoc,
  type ApiHarness,
} from './api-harness';

type PageJson = { items: Record<string, unknown>[]; next: string | null };
interface SelectionJson {
  called: string;
  caller: string | null;
  at: string;
  local: { timeZone: string; day: string; time: string };
  reason: string;
  ruleId: string | null;
  resource: { id: string } | null;
  playlist: { order: string; playOrder: string[] } | null;
}

describe('Read-only views of the provisioning API', () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await startApi();
    await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE), body: subscriberDoc(ALICE) });
    await h.call({ method: 'PUT', path: path('v1/subscribers', BOB), body: subscriberDoc(BOB) });
    for (const id of ['a', 'b', 'c'])
      await h.call({ method: 'PUT', path: path('v1/resources', id), body: resourceDoc(id) });
  });
  afterEach(async () => {
    await h.dispose();
  });

  describe('library and copy history', () => {
    beforeEach(async () => {
      await h.store.addLibraryEntry({
        owner: BOB,
        resourceId: 'a',
        acquisition: 'provisioned',
        acquiredAt: '2025-01-01T00:00:00.000Z',
        copiedFrom: null,
        callId: null,
      });
      await h.store.recordCopy(copyWrite(BOB, ALICE, 'b', 'call-1@host', '2025-01-02T00:00:00.000Z'));
    });

    it("lists a subscriber's library oldest first, page by page", async () => {
      const first = await h.call({ method: 'GET', path: `${path('v1/subscribers', BOB, 'library')}?limit=1` });
      assert.equal(first.status, 200);
      const p1 = first.json as PageJson;
      assert.deepEqual(p1.items, [
        {
          owner: BOB,
          resourceId: 'a',
          acquisition: 'provisioned',
          acquiredAt: '2025-01-01T00:00:00.000Z',
          copiedFrom: null,
          callId: null,
        },
      ]);
      assert.ok(p1.next);
      const second = await h.call({
        method: 'GET',
        path: `${path('v1/subscribers', BOB, 'library')}?limit=1&cursor=${encodeURIComponent(p1.next)}`,
      });
      const p2 = second.json as PageJson;
      assert.deepEqual(
        p2.items.map((e) => [e.resourceId, e.acquisition, e.copiedFrom, e.callId]),
        [['b', 'copy', ALICE, 'call-1@host']],
      );
      assert.equal(p2.next, null);
    });

    it('answers 404 for the library of an unknown subscriber', async () => {
      assert.equal((await h.call({ method: 'GET', path: path('v1/subscribers', CAROL, 'library') })).status, 404);
    });

    it('shows a copy in the history of the requester and of the owner, filtered by role', async () => {
      const asRequester = await h.call({
        method: 'GET',
        path: `${path('v1/subscribers', BOB, 'copies')}?role=requester`,
      });
      const items = (asRequester.json as PageJson).items;
      assert.equal(items.length, 1);
      assert.equal(items[0]?.callId, 'call-1@host');
      assert.equal(items[0]?.chargeReference, 'charge-call-1@host');
      const asOwner = await h.call({ method: 'GET', path: `${path('v1/subscribers', ALICE, 'copies')}?role=owner` });
      assert.equal((asOwner.json as PageJson).items.length, 1);
      const aliceAsRequester = await h.call({
        method: 'GET',
        path: `${path('v1/subscribers', ALICE, 'copies')}?role=requester`,
      });
      assert.deepEqual(aliceAsRequester.json, { items: [], next: null });
      const either = await h.call({ method: 'GET', path: path('v1/subscribers', ALICE, 'copies') });
      assert.equal((either.json as PageJson).items.length, 1);
    });
  });

  describe('selection support view', () => {
    beforeEach(async () => {
      await h.call({
        method: 'PUT',
        path: path('v1/subscribers', ALICE, 'groups', 'family'),
        body: { members: [BOB] },
      });
      await h.call({
        method: 'PUT',
        path: path('v1/subscribers', ALICE, 'rules'),
        body: {
          rules: [
            {
              id: 'family-friday-night',
              callers: { kind: 'listed', groups: ['family'] },
              days: ['fri'],
              window: { from: '22:00', until: '06:00' },
              playlist: { order: 'sequential', resourceIds: ['a', 'b'] },
            },
            {
              id: 'carol',
              callers: { kind: 'listed', identities: [CAROL] },
              playlist: { order: 'sequential', resourceIds: ['c'] },
            },
          ],
          defaultPlaylist: { order: 'sequential', resourceIds: ['a', 'b', 'c'] },
        },
      });
    });

    async function select(query: Record<string, string>): Promise<SelectionJson> {
      const r = await h.call({ method: 'GET', path: `/v1/selection?${new URLSearchParams(query).toString()}` });
      assert.equal(r.status, 200, r.text);
      return r.json as SelectionJson;
    }

    it('names the matching rule for a group member inside its window, read in the subscriber time zone', async () => {
      // Friday 22:30 in Paris is 21:30 UTC.
      const s = await select({ called: ALICE, caller: 'tel:+1-555-000-1002', at: '2025-01-17T21:30:00Z' });
      assert.equal(s.reason, 'rule-matched');
      assert.equal(s.ruleId, 'family-friday-night');
      assert.equal(s.resource?.id, 'a');
      assert.deepEqual(s.playlist, { order: 'sequential', playOrder: ['a', 'b'] });
      assert.deepEqual(s.local, { timeZone: 'Europe/Paris', day: 'fri', time: '22:30' });
      assert.equal(s.caller, BOB);
    });

    it('keeps the Friday night rule after midnight and advances a sequential playlist by sequence', async () => {
      const s = await select({ called: ALICE, caller: BOB, at: '2025-01-18T02:00:00Z', sequence: '1' });
      assert.equal(s.ruleId, 'family-friday-night');
      assert.equal(s.resource?.id, 'b');
    });

    it('falls back to the default playlist outside every rule', async () => {
      const s = await select({ called: ALICE, caller: BOB, at: '2025-01-18T22:00:00Z' });
      assert.equal(s.reason, 'default-playlist');
      assert.equal(s.ruleId, null);
      assert.deepEqual(s.playlist?.playOrder, ['a', 'b', 'c']);
    });

    it('matches a listed identity on any day, and treats a missing caller as anonymous', async () => {
      assert.equal((await select({ called: ALICE, caller: CAROL })).ruleId, 'carol');
      const anonymous = await select({ called: ALICE });
      assert.equal(anonymous.caller, null);
      assert.equal(anonymous.reason, 'default-playlist');
    });

    it('uses the clock when no instant is given', async () => {
      const s = await select({ called: ALICE, caller: BOB });
      assert.equal(s.at, new Date(NOW).toISOString());
      assert.deepEqual(s.local, { timeZone: 'Europe/Paris', day: 'wed', time: '11:00' });
    });

    it('says why nothing presents: CMR disabled, subscriber not active, no rules', async () => {
      await h.call({
        method: 'PUT',
        path: path('v1/subscribers', ALICE),
        body: subscriberDoc(ALICE, { cmrEnabled: false }),
      });
      assert.equal((await select({ called: ALICE })).reason, 'cmr-disabled');
      await h.call({
        method: 'PUT',
        path: path('v1/subscribers', ALICE),
        body: subscriberDoc(ALICE, { status: 'suspended' }),
      });
      const suspended = await select({ called: ALICE });
      assert.equal(suspended.reason, 'subscriber-not-active');
      assert.equal(suspended.resource, null);
      assert.equal((await select({ called: BOB })).reason, 'no-rules');
    });

    it('reads an unencoded + in a query parameter as part of an E.164 number, not as a space', async () => {
      const r = await h.call({
        method: 'GET',
        path: `/v1/selection?called=${ALICE}&caller=${BOB}&at=2025-01-17T21:30:00Z`,
      });
      assert.equal(r.status, 200, r.text);
      assert.equal((r.json as SelectionJson).caller, BOB);
      assert.equal((r.json as SelectionJson).ruleId, 'family-friday-night');
    });

    it('answers 404 for an unknown called subscriber', async () => {
      const r = await h.call({ method: 'GET', path: `/v1/selection?called=${encodeURIComponent(CAROL)}` });
      assert.equal(r.status, 404);
    });
  });

  describe('authentication on every route', () => {
    const concrete = (pattern: string): string =>
      pattern.replace(':identity', encodeURIComponent(ALICE)).replace(':resourceId', 'a').replace(':groupId', 'family');

    it('answers 401 with a challenge on every route without a token or with a wrong one, changing nothing', async () => {
      const before = await snapshot(h.store);
      const routes = h.server.routes();
      assert.ok(routes.length >= 20, `only ${routes.length} routes`);
      for (const route of routes) {
        for (const token of [null, 'wrong-token']) {
          const body = route.method === 'PUT' ? { copy: 'nobody' } : undefined;
          const r = await h.call({ method: route.method, path: concrete(route.pattern), token, body });
          assert.equal(r.status, 401, `${route.method} ${route.pattern} with ${String(token)}`);
          assert.match(String(r.headers['www-authenticate']), /^Bearer realm="cmr"/);
        }
      }
      assert.deepEqual(await snapshot(h.store), before);
    });
  });
});

import assert from 'node:assert/strict';
import { ALICE, BOB, CAROL, path, resourceDoc, startApi, subscriberDoc, type ApiHarness } from './api-harness';

type ErrorJson = { error: { code: string; message: string; problems?: { field: string; problem: string }[] } };
type PageJson = { items: Record<string, unknown>[]; next: string | null };

describe('Provisioning API over SQLite', () => {
  let h: ApiHarness;
  beforeEach(async () => {
    h = await startApi();
  });
  afterEach(async () => {
    await h.dispose();
  });

  describe('subscribers', () => {
    it('creates a subscriber with 201 and Location, filling defaults, and reads it back', async () => {
      const put = await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE), body: subscriberDoc(ALICE) });
      assert.equal(put.status, 201);
      assert.equal(put.headers.location, '/v1/subscribers/%2B15550001001');
      const got = await h.call({ method: 'GET', path: path('v1/subscribers', ALICE) });
      assert.equal(got.status, 200);
      assert.deepEqual(got.json, {
        identity: ALICE,
        displayName: 'Someone',
        status: 'active',
        cmrEnabled: true,
        libraryCapacity: 5,
        timeZone: 'Europe/Paris',
        privacy: { copy: 'everyone', contacts: [], overrides: [] },
      });
      assert.deepEqual(put.json, got.json);
    });

    it('replaces an existing subscriber with 200', async () => {
      await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE), body: subscriberDoc(ALICE) });
      const put = await h.call({
        method: 'PUT',
        path: path('v1/subscribers', ALICE),
        body: subscriberDoc(ALICE, { status: 'suspended' }),
      });
      assert.equal(put.status, 200);
      assert.equal((await h.store.getSubscriber(ALICE))?.status, 'suspended');
    });

    it('normalises the identity in the path and takes it for the body when the body leaves it out', async () => {
      const put = await h.call({
        method: 'PUT',
        path: path('v1/subscribers', 'sip:+1-555-000-1001@ims.example.net;user=phone'),
        body: { timeZone: 'UTC' },
      });
      assert.equal(put.status, 201);
      assert.equal((await h.store.getSubscriber(ALICE))?.timeZone, 'UTC');
      assert.equal((await h.call({ method: 'GET', path: path('v1/subscribers', 'tel:+15550001001') })).status, 200);
    });

    it('keeps the stored privacy when a replacement leaves privacy out', async () => {
      const privacy = { copy: 'contacts', contacts: [BOB], overrides: [] };
      await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE), body: subscriberDoc(ALICE, { privacy }) });
      await h.call({
        method: 'PUT',
        path: path('v1/subscribers', ALICE),
        body: subscriberDoc(ALICE, { status: 'barred' }),
      });
      assert.deepEqual((await h.store.getSubscriber(ALICE))?.privacy, privacy);
    });

    it('lists subscribers page by page with an opaque next cursor', async () => {
      for (const id of [ALICE, BOB, CAROL]) {
        await h.call({ method: 'PUT', path: path('v1/subscribers', id), body: subscriberDoc(id) });
      }
      const seen: string[] = [];
      let next: string | null = null;
      for (let i = 0; i < 5; i++) {
        const q: string = next === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(next)}`;
        const r = await h.call({ method: 'GET', path: `/v1/subscribers${q}` });
        assert.equal(r.status, 200);
        const page = r.json as PageJson;
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((s) => String(s.identity)));
        next = page.next;
        if (next === null) break;
      }
      assert.deepEqual(seen.sort(), [ALICE, BOB, CAROL].sort());
    });

    it('deletes a subscriber with 204, then answers 404 for it', async () => {
      await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE), body: subscriberDoc(ALICE) });
      assert.equal((await h.call({ method: 'DELETE', path: path('v1/subscribers', ALICE) })).status, 204);
      const get = await h.call({ method: 'GET', path: path('v1/subscribers', ALICE) });
      assert.equal(get.status, 404);
      assert.equal((get.json as ErrorJson).error.code, 'API.NOT_FOUND');
      assert.equal((await h.call({ method: 'DELETE', path: path('v1/subscribers', ALICE) })).status, 404);
    });
  });

  describe('resources', () => {
    it('creates, replaces, reads, lists and deletes a resource', async () => {
      const created = await h.call({
        method: 'PUT',
        path: path('v1/resources', 'summer'),
        body: resourceDoc('summer'),
      });
      assert.equal(created.status, 201);
      assert.equal(created.headers.location, '/v1/resources/summer');
      const replaced = await h.call({
        method: 'PUT',
        path: path('v1/resources', 'summer'),
        body: resourceDoc('summer', { title: 'Summer Breeze', validUntil: '2030-01-01T00:00:00+01:00' }),
      });
      assert.equal(replaced.status, 200);
      const got = await h.call({ method: 'GET', path: path('v1/resources', 'summer') });
      assert.equal((got.json as { title: string }).title, 'Summer Breeze');
      assert.equal((got.json as { validUntil: string }).validUntil, '2029-12-31T23:00:00.000Z');
      const list = await h.call({ method: 'GET', path: '/v1/resources' });
      assert.deepEqual(
        (list.json as PageJson).items.map((r) => r.id),
        ['summer'],
      );
      assert.equal((await h.call({ method: 'DELETE', path: path('v1/resources', 'summer') })).status, 204);
      assert.equal((await h.call({ method: 'GET', path: path('v1/resources', 'summer') })).status, 404);
    });

    it('answers 409 when deleting a resource a playlist still names, and keeps it', async () => {
      await h.call({ method: 'PUT', path: path('v1/resources', 'summer'), body: resourceDoc('summer') });
      await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE), body: subscriberDoc(ALICE) });
      await h.call({
        method: 'PUT',
        path: path('v1/subscribers', ALICE, 'rules'),
        body: { rules: [], defaultPlaylist: { order: 'sequential', resourceIds: ['summer'] } },
      });
      const del = await h.call({ method: 'DELETE', path: path('v1/resources', 'summer') });
      assert.equal(del.status, 409);
      assert.equal((del.json as ErrorJson).error.code, 'API.IN_USE');
      assert.ok(await h.store.getResource('summer'));
    });
  });

  describe('ringing rules', () => {
    const rules = {
      rules: [
        {
          id: 'family-evenings',
          callers: { kind: 'listed', identities: ['tel:+1-555-000-1002'], groups: ['family'] },
          days: ['fri', 'sat'],
          window: { from: '22:00', until: '06:00' },
          playlist: { order: 'shuffle', resourceIds: ['a', 'b'] },
        },
      ],
      defaultPlaylist: { order: 'sequential', resourceIds: ['a'] },
    };

    beforeEach(async () => {
      await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE), body: subscriberDoc(ALICE) });
      for (const id of ['a', 'b'])
        await h.call({ method: 'PUT', path: path('v1/resources', id), body: resourceDoc(id) });
      await h.call({
        method: 'PUT',
        path: path('v1/subscribers', ALICE, 'groups', 'family'),
        body: { members: [BOB] },
      });
    });

    it('stores the ordered rules with the default, normalised, and reads them back', async () => {
      const put = await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE, 'rules'), body: rules });
      assert.equal(put.status, 201);
      const got = await h.call({ method: 'GET', path: path('v1/subscribers', ALICE, 'rules') });
      assert.equal(got.status, 200);
      const first = (got.json as { rules: { callers: { identities: string[] } }[] }).rules[0];
      assert.deepEqual(first?.callers.identities, [BOB]);
      assert.deepEqual(got.json, put.json);
      assert.equal(
        (await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE, 'rules'), body: rules })).status,
        200,
      );
    });

    it('deletes the rules, after which reading them is 404', async () => {
      await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE, 'rules'), body: rules });
      assert.equal((await h.call({ method: 'DELETE', path: path('v1/subscribers', ALICE, 'rules') })).status, 204);
      assert.equal((await h.call({ method: 'GET', path: path('v1/subscribers', ALICE, 'rules') })).status, 404);
    });

    it('answers 404 for the rules of an unknown subscriber', async () => {
      assert.equal(
        (await h.call({ method: 'PUT', path: path('v1/subscribers', BOB, 'rules'), body: rules })).status,
        404,
      );
      assert.equal((await h.call({ method: 'GET', path: path('v1/subscribers', BOB, 'rules') })).status, 404);
    });
  });

  describe('caller groups', () => {
    beforeEach(async () => {
      await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE), body: subscriberDoc(ALICE) });
    });

    it('creates, replaces, reads, lists and deletes a group', async () => {
      const url = path('v1/subscribers', ALICE, 'groups', 'family');
      const created = await h.call({
        method: 'PUT',
        path: url,
        body: { name: 'Family', members: ['tel:+15550001002'] },
      });
      assert.equal(created.status, 201);
      assert.equal(created.headers.location, url);
      assert.deepEqual(created.json, { owner: ALICE, id: 'family', name: 'Family', members: [BOB] });
      const replaced = await h.call({ method: 'PUT', path: url, body: { id: 'family', members: [BOB, CAROL] } });
      assert.equal(replaced.status, 200);
      assert.deepEqual((await h.call({ method: 'GET', path: url })).json, replaced.json);
      const list = await h.call({ method: 'GET', path: path('v1/subscribers', ALICE, 'groups') });
      assert.deepEqual((list.json as PageJson).items, [replaced.json]);
      assert.equal((await h.call({ method: 'DELETE', path: url })).status, 204);
      assert.equal((await h.call({ method: 'GET', path: url })).status, 404);
    });

    it('answers 409 when deleting a group a rule still names', async () => {
      await h.call({ method: 'PUT', path: path('v1/resources', 'a'), body: resourceDoc('a') });
      await h.call({
        method: 'PUT',
        path: path('v1/subscribers', ALICE, 'groups', 'family'),
        body: { members: [BOB] },
      });
      const rule = {
        id: 'r',
        callers: { kind: 'listed', groups: ['family'] },
        playlist: { order: 'sequential', resourceIds: ['a'] },
      };
      await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE, 'rules'), body: { rules: [rule] } });
      const del = await h.call({ method: 'DELETE', path: path('v1/subscribers', ALICE, 'groups', 'family') });
      assert.equal(del.status, 409);
      assert.ok(await h.store.getCallerGroup(ALICE, 'family'));
    });

    it('answers 404 for the groups of an unknown subscriber', async () => {
      const put = await h.call({
        method: 'PUT',
        path: path('v1/subscribers', BOB, 'groups', 'g'),
        body: { members: [] },
      });
      assert.equal(put.status, 404);
      assert.equal((await h.call({ method: 'GET', path: path('v1/subscribers', BOB, 'groups') })).status, 404);
    });
  });

  describe('privacy', () => {
    it('replaces and reads the privacy settings of a subscriber', async () => {
      await h.call({ method: 'PUT', path: path('v1/resources', 'a'), body: resourceDoc('a') });
      await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE), body: subscriberDoc(ALICE) });
      const privacy = {
        copy: 'contacts',
        contacts: ['tel:+15550001002'],
        overrides: [{ resourceId: 'a', copy: 'nobody' }],
      };
      const put = await h.call({ method: 'PUT', path: path('v1/subscribers', ALICE, 'privacy'), body: privacy });
      assert.equal(put.status, 200);
      const expected = { ...privacy, contacts: [BOB] };
      assert.deepEqual(put.json, expected);
      assert.deepEqual(
        (await h.call({ method: 'GET', path: path('v1/subscribers', ALICE, 'privacy') })).json,
        expected,
      );
      assert.deepEqual((await h.store.getSubscriber(ALICE))?.privacy, expected);
    });

    it('answers 404 for the privacy of an unknown subscriber', async () => {
      assert.equal((await h.call({ method: 'GET', path: path('v1/subscribers', ALICE, 'privacy') })).status, 404);
      const put = await h.call({
        method: 'PUT',
        path: path('v1/subscribers', ALICE, 'privacy'),
        body: { copy: 'nobody' },
      });
      assert.equal(put.status, 404);
    });
  });
});

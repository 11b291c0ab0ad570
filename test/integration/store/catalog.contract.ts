import assert from 'node:assert/strict';
import type { Subscriber } from '../../../src/cmr/model';
import { aGroup, aResource, aSubscriber, provisioned, rulesPlaying } from './fixtures';
import { rejectsWith, withStore, type StoreFactory } from './store-harness';

async function allPages<T>(
  fetch: (cursor: string | null) => Promise<{ items: readonly T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page = await fetch(cursor);
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error('more than 100 pages');
}

/** Subscribers, privacy, resources, caller groups, ringing rules and the library. */
export function catalogContract(factory: StoreFactory): void {
  const store = withStore(factory);
  const alice = aSubscriber('+15550001001', {
    displayName: 'Alice',
    timeZone: 'Europe/Paris',
    privacy: { copy: 'contacts', contacts: ['+15550001002'], overrides: [] },
  });

  describe('subscribers', () => {
    it('reads a subscriber back exactly as written, privacy overrides included', async () => {
      await store().createResource(aResource('tone-a'));
      const written: Subscriber = {
        ...alice,
        privacy: { ...alice.privacy, overrides: [{ resourceId: 'tone-a', copy: 'nobody' }] },
      };
      await store().createSubscriber(written);
      assert.deepEqual(await store().getSubscriber(alice.identity), written);
    });

    it('answers null for a subscriber that does not exist', async () => {
      assert.equal(await store().getSubscriber('+15559999999'), null);
    });

    it('refuses to create a subscriber twice and keeps the first', async () => {
      await store().createSubscriber(alice);
      await rejectsWith(store().createSubscriber({ ...alice, displayName: 'Other' }), 'STORE.CONFLICT');
      assert.equal((await store().getSubscriber(alice.identity))?.displayName, 'Alice');
    });

    it('tells a put that created from a put that replaced', async () => {
      assert.deepEqual(await store().putSubscriber(alice), { created: true });
      assert.deepEqual(await store().putSubscriber({ ...alice, status: 'barred' }), { created: false });
      assert.equal((await store().getSubscriber(alice.identity))?.status, 'barred');
    });

    it('replaces privacy settings and refuses an override naming an unknown resource without changing anything', async () => {
      await store().createSubscriber(alice);
      await store().setPrivacy(alice.identity, { copy: 'nobody', contacts: [], overrides: [] });
      assert.equal((await store().getSubscriber(alice.identity))?.privacy.copy, 'nobody');
      const err = await rejectsWith(
        store().setPrivacy(alice.identity, {
          copy: 'everyone',
          contacts: [],
          overrides: [{ resourceId: 'ghost', copy: 'nobody' }],
        }),
        'STORE.REFERENCE',
      );
      assert.deepEqual(
        err.problems.map((p) => p.field),
        ['overrides[0].resourceId'],
      );
      assert.equal((await store().getSubscriber(alice.identity))?.privacy.copy, 'nobody');
      await rejectsWith(store().setPrivacy('+15559999999', alice.privacy), 'STORE.NOT_FOUND');
    });

    it('deletes a subscriber with their rules, groups and library', async () => {
      await store().createResource(aResource('tone-a'));
      await store().createSubscriber(alice);
      await store().createCallerGroup(aGroup(alice.identity, 'family', ['+15550001002']));
      await store().putRingingRules(alice.identity, rulesPlaying(['tone-a'], ['family']));
      await store().addLibraryEntry(provisioned(alice.identity, 'tone-a'));
      await store().deleteSubscriber(alice.identity);
      assert.equal(await store().getSubscriber(alice.identity), null);
      assert.equal(await store().getRingingRules(alice.identity), null);
      assert.equal(await store().getCallerGroup(alice.identity, 'family'), null);
      assert.equal(await store().countLibrary(alice.identity), 0);
      await store().deleteResource('tone-a');
      await rejectsWith(store().deleteSubscriber(alice.identity), 'STORE.NOT_FOUND');
    });

    it('lists every subscriber once, in identity order, page by page', async () => {
      const ids = Array.from({ length: 7 }, (_, i) => `+1555000200${i}`).concat([
        'sip:zed@example.com',
        'sip:amy@example.com',
      ]);
      for (const id of ids) await store().createSubscriber(aSubscriber(id));
      const listed = await allPages((cursor) => store().listSubscribers({ limit: 2, cursor }));
      assert.deepEqual(
        listed.map((s) => s.identity),
        [...ids].sort(),
      );
    });

    it('refuses a cursor it did not hand out, or one of another list', async () => {
      await store().createSubscriber(alice);
      await store().createSubscriber(aSubscriber('+15550001002'));
      const page = await store().listSubscribers({ limit: 1 });
      assert.ok(page.nextCursor);
      await rejectsWith(store().listSubscribers({ cursor: 'not-a-cursor' }), 'STORE.INVALID_CURSOR');
      await rejectsWith(store().listResources({ cursor: page.nextCursor }), 'STORE.INVALID_CURSOR');
    });
  });

  describe('resources', () => {
    it('reads a resource back exactly as written, validity and price included', async () => {
      const r = aResource('tone-a', {
        provider: 'Label',
        kind: 'video',
        copyable: false,
        validFrom: '2025-01-01T00:00:00.000Z',
        validUntil: '2026-06-30T12:30:00.000Z',
        price: { amountMinor: 1234567, currency: 'JPY' },
      });
      await store().createResource(r);
      assert.deepEqual(await store().getResource('tone-a'), r);
      await rejectsWith(store().createResource(r), 'STORE.CONFLICT');
      assert.deepEqual(await store().putResource({ ...r, title: 'New' }), { created: false });
      assert.equal((await store().getResource('tone-a'))?.title, 'New');
    });

    it('refuses to delete a resource while a playlist, a library or a privacy override uses it', async () => {
      for (const id of ['in-rules', 'in-library', 'in-override', 'free']) await store().createResource(aResource(id));
      await store().createSubscriber({
        ...alice,
        privacy: { ...alice.privacy, overrides: [{ resourceId: 'in-override', copy: 'nobody' }] },
      });
      await store().putRingingRules(alice.identity, rulesPlaying(['in-rules']));
      await store().addLibraryEntry(provisioned(alice.identity, 'in-library'));
      for (const id of ['in-rules', 'in-library', 'in-override'])
        await rejectsWith(store().deleteResource(id), 'STORE.IN_USE');
      await store().deleteResource('free');
      assert.equal(await store().getResource('free'), null);
      assert.ok(await store().getResource('in-rules'));
      await rejectsWith(store().deleteResource('free'), 'STORE.NOT_FOUND');
    });

    it('lists resources page by page in id order', async () => {
      const ids = ['b', 'a', 'c-1', 'C', 'z', '0'];
      for (const id of ids) await store().createResource(aResource(id));
      const listed = await allPages((cursor) => store().listResources({ limit: 4, cursor }));
      assert.deepEqual(
        listed.map((r) => r.id),
        [...ids].sort(),
      );
    });
  });

  describe('ringing rules and caller groups', () => {
    beforeEach(async () => {
      await store().createResource(aResource('tone-a'));
      await store().createResource(aResource('tone-b'));
      await store().createSubscriber(alice);
    });

    it('stores the rules of a subscriber and reports whether they replaced earlier ones', async () => {
      await store().createCallerGroup(aGroup(alice.identity, 'family', ['+15550001002']));
      const rules = rulesPlaying(['tone-b', 'tone-a'], ['family']);
      assert.deepEqual(await store().putRingingRules(alice.identity, rules), { created: true });
      assert.deepEqual(await store().getRingingRules(alice.identity), rules);
      assert.deepEqual(await store().putRingingRules(alice.identity, rulesPlaying(['tone-a'])), { created: false });
      await store().deleteRingingRules(alice.identity);
      assert.equal(await store().getRingingRules(alice.identity), null);
      await rejectsWith(store().deleteRingingRules(alice.identity), 'STORE.NOT_FOUND');
    });

    it('refuses rules naming unknown resources or groups, names the fields, and keeps the previous rules', async () => {
      const before = rulesPlaying(['tone-a']);
      await store().putRingingRules(alice.identity, before);
      const err = await rejectsWith(
        store().putRingingRules(alice.identity, rulesPlaying(['tone-a', 'ghost'], ['nobody-group'])),
        'STORE.REFERENCE',
      );
      assert.deepEqual(err.problems.map((p) => p.field).sort(), [
        'rules[0].callers.groups[0]',
        'rules[0].playlist.resourceIds[1]',
      ]);
      assert.deepEqual(await store().getRingingRules(alice.identity), before);
      await rejectsWith(store().putRingingRules('+15559999999', before), 'STORE.NOT_FOUND');
    });

    it('does not let a rule name a group of another subscriber', async () => {
      await store().createSubscriber(aSubscriber('+15550001002'));
      await store().createCallerGroup(aGroup('+15550001002', 'friends', ['+15550001003']));
      await rejectsWith(
        store().putRingingRules(alice.identity, rulesPlaying(['tone-a'], ['friends'])),
        'STORE.REFERENCE',
      );
    });

    it('keeps caller groups per owner and refuses to delete a group a rule names', async () => {
      const family = aGroup(alice.identity, 'family', ['+15550001002', 'sip:dave@example.com']);
      await store().createCallerGroup(family);
      await rejectsWith(store().createCallerGroup(family), 'STORE.CONFLICT');
      await rejectsWith(store().createCallerGroup(aGroup('+15559999999', 'x', [])), 'STORE.NOT_FOUND');
      assert.deepEqual(await store().getCallerGroup(alice.identity, 'family'), family);
      await store().putRingingRules(alice.identity, rulesPlaying(['tone-a'], ['family']));
      await rejectsWith(store().deleteCallerGroup(alice.identity, 'family'), 'STORE.IN_USE');
      await store().putRingingRules(alice.identity, rulesPlaying(['tone-a']));
      await store().deleteCallerGroup(alice.identity, 'family');
      await rejectsWith(store().deleteCallerGroup(alice.identity, 'family'), 'STORE.NOT_FOUND');
    });

    it('lists one owner’s groups page by page', async () => {
      for (const id of ['g3', 'g1', 'g2']) await store().createCallerGroup(aGroup(alice.identity, id, []));
      await store().createSubscriber(aSubscriber('+15550001002'));
      await store().createCallerGroup(aGroup('+15550001002', 'other', []));
      const listed = await allPages((cursor) => store().listCallerGroups(alice.identity, { limit: 2, cursor }));
      assert.deepEqual(
        listed.map((g) => g.id),
        ['g1', 'g2', 'g3'],
      );
    });

    it('loads what selection needs: the subscriber, rules, groups and only the resources the rules name', async () => {
      await store().createCallerGroup(aGroup(alice.identity, 'family', ['+15550001002']));
      await store().putRingingRules(alice.identity, rulesPlaying(['tone-b'], ['family']));
      const ctx = await store().loadSelectionContext(alice.identity);
      assert.equal(ctx?.subscriber.identity, alice.identity);
      assert.deepEqual(ctx?.rules, rulesPlaying(['tone-b'], ['family']));
      assert.deepEqual(
        ctx?.groups.map((g) => g.id),
        ['family'],
      );
      assert.deepEqual(
        ctx?.resources.map((r) => r.id),
        ['tone-b'],
      );
      assert.equal(await store().loadSelectionContext('+15559999999'), null);
    });

    it('sees each provisioning write at once, though selection contexts are cached between calls', async () => {
      await store().putRingingRules(alice.identity, rulesPlaying(['tone-a']));
      const ids = async () => (await store().loadSelectionContext(alice.identity))?.resources.map((r) => r.id);
      assert.deepEqual(await ids(), ['tone-a']);
      await store().putRingingRules(alice.identity, rulesPlaying(['tone-b']));
      assert.deepEqual(await ids(), ['tone-b'], 'new rules');
      await store().putResource({ ...aResource('tone-b'), title: 'Renamed' });
      const renamed = await store().loadSelectionContext(alice.identity);
      assert.equal(renamed?.resources[0]?.title, 'Renamed', 'a changed resource');
      await store().setPrivacy(alice.identity, { copy: 'nobody', contacts: [], overrides: [] });
      const ctx = await store().loadSelectionContext(alice.identity);
      assert.equal(ctx?.subscriber.privacy.copy, 'nobody', 'new privacy');
      await store().deleteRingingRules(alice.identity);
      assert.equal((await store().loadSelectionContext(alice.identity))?.rules, null, 'rules removed');
      assert.equal(await store().loadSelectionContext('+15559999998'), null);
      await store().createSubscriber(aSubscriber('+15559999998'));
      assert.notEqual(await store().loadSelectionContext('+15559999998'), null, 'a subscriber created after a miss');
    });
  });

  describe('library', () => {
    beforeEach(async () => {
      for (const id of ['t1', 't2', 't3']) await store().createResource(aResource(id));
      await store().createSubscriber({ ...alice, libraryCapacity: 2 });
    });

    it('lists entries in acquisition order and counts them', async () => {
      await store().addLibraryEntry(provisioned(alice.identity, 't2', '2025-01-02T00:00:00.000Z'));
      await store().addLibraryEntry(provisioned(alice.identity, 't1', '2025-01-03T00:00:00.000Z'));
      const first = await store().listLibrary(alice.identity, { limit: 1 });
      const second = await store().listLibrary(alice.identity, { limit: 1, cursor: first.nextCursor });
      assert.deepEqual(
        [...first.items, ...second.items].map((e) => e.resourceId),
        ['t2', 't1'],
      );
      assert.equal(second.nextCursor, null);
      assert.equal(await store().countLibrary(alice.identity), 2);
      assert.deepEqual(
        await store().getLibraryEntry(alice.identity, 't1'),
        provisioned(alice.identity, 't1', '2025-01-03T00:00:00.000Z'),
      );
    });

    it('refuses duplicates, unknown resources, unknown owners and a full library', async () => {
      await store().addLibraryEntry(provisioned(alice.identity, 't1'));
      await rejectsWith(store().addLibraryEntry(provisioned(alice.identity, 't1')), 'STORE.CONFLICT');
      await rejectsWith(store().addLibraryEntry(provisioned(alice.identity, 'ghost')), 'STORE.REFERENCE');
      await rejectsWith(store().addLibraryEntry(provisioned('+15559999999', 't1')), 'STORE.NOT_FOUND');
      await store().addLibraryEntry(provisioned(alice.identity, 't2'));
      await rejectsWith(store().addLibraryEntry(provisioned(alice.identity, 't3')), 'STORE.LIBRARY_FULL');
      await store().removeLibraryEntry(alice.identity, 't1');
      await store().addLibraryEntry(provisioned(alice.identity, 't3'));
      await rejectsWith(store().removeLibraryEntry(alice.identity, 't1'), 'STORE.NOT_FOUND');
    });
  });
}

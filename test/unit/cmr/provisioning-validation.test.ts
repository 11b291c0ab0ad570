import assert from 'node:assert/strict';
import {
  validateCallerGroup,
  validatePrivacy,
  validateResource,
  validateRingingRules,
  validateSubscriber,
} from '../../../src/cmr/provisioning-validation';
import type { Validation } from '../../../src/cmr/problem';

const resource = {
  id: 'summer-breeze',
  title: 'Summer Breeze',
  artist: 'The Demo Band',
  mediaUri: 'file:///var/media/tones/summer.wav',
  kind: 'audio',
  copyable: true,
  price: { amountMinor: 199, currency: 'USD' },
};
const rules = {
  rules: [
    {
      id: 'family',
      callers: { kind: 'listed', identities: ['tel:+15550001002'], groups: ['family'] },
      days: ['sat', 'mon'],
      window: { from: '22:00', until: '06:00' },
      playlist: { order: 'shuffle', resourceIds: ['a', 'b'] },
    },
  ],
  defaultPlaylist: { order: 'sequential', resourceIds: ['a'] },
};

function problemsOf<T>(v: Validation<T>): string[] {
  return v.ok ? [] : v.problems.map((p) => p.field);
}

describe('provisioning validation', () => {
  describe('of good documents', () => {
    it('fills a subscriber’s optional fields with their defaults and normalises the identity', () => {
      const v = validateSubscriber({ identity: 'tel:+1-555-000-1001' });
      assert.deepEqual(v, {
        ok: true,
        value: {
          identity: '+15550001001',
          displayName: null,
          status: 'active',
          cmrEnabled: true,
          libraryCapacity: 100,
          timeZone: 'UTC',
          privacy: { copy: 'everyone', contacts: [], overrides: [] },
        },
      });
    });

    it('normalises privacy contacts and drops duplicates', () => {
      const v = validatePrivacy({
        copy: 'contacts',
        contacts: ['tel:+15550001002', 'sip:+15550001002@x.example;user=phone'],
      });
      assert.deepEqual(v.ok && v.value.contacts, ['+15550001002']);
    });

    it('reads a resource with unbounded validity and normalises validity instants to UTC', () => {
      const plain = validateResource(resource);
      assert.ok(plain.ok);
      assert.equal(plain.value.validFrom, null);
      assert.equal(plain.value.durationSeconds, 30);
      const dated = validateResource({
        ...resource,
        validFrom: '2025-01-01T01:00:00+01:00',
        validUntil: '2025-12-31T23:59:59Z',
      });
      assert.ok(dated.ok);
      assert.equal(dated.value.validFrom, '2025-01-01T00:00:00.000Z');
    });

    it('reads rules with their days in week order and defaults callers, days and window', () => {
      const v = validateRingingRules(rules);
      assert.ok(v.ok);
      assert.deepEqual(v.value.rules[0]?.days, ['mon', 'sat']);
      assert.deepEqual(v.value.rules[0]?.callers, { kind: 'listed', identities: ['+15550001002'], groups: ['family'] });
      const minimal = validateRingingRules({
        rules: [{ id: 'r', playlist: { order: 'sequential', resourceIds: ['a'] } }],
      });
      assert.ok(minimal.ok);
      assert.deepEqual(minimal.value.rules[0]?.callers, { kind: 'anyone' });
      assert.equal(minimal.value.rules[0]?.days.length, 7);
      assert.equal(minimal.value.rules[0]?.window, null);
      assert.equal(minimal.value.defaultPlaylist, null);
    });

    it('gives a caller group the owner it is told', () => {
      const v = validateCallerGroup({ id: 'family', members: ['tel:+15550001002'] }, '+15550001001');
      assert.deepEqual(v, {
        ok: true,
        value: { owner: '+15550001001', id: 'family', name: null, members: ['+15550001002'] },
      });
    });
  });

  describe('of bad documents', () => {
    const cases: [string, () => Validation<unknown>, string[]][] = [
      ['a subscriber that is not an object', () => validateSubscriber([]), ['$']],
      ['a subscriber without identity', () => validateSubscriber({}), ['identity']],
      ['a subscriber with a bad identity', () => validateSubscriber({ identity: 'alice' }), ['identity']],
      [
        'a subscriber with an unknown field',
        () => validateSubscriber({ identity: '+15550001001', colour: 'red' }),
        ['colour'],
      ],
      [
        'a subscriber with a capacity of the wrong type',
        () => validateSubscriber({ identity: '+15550001001', libraryCapacity: '5' }),
        ['libraryCapacity'],
      ],
      [
        'a subscriber with a negative capacity',
        () => validateSubscriber({ identity: '+15550001001', libraryCapacity: -1 }),
        ['libraryCapacity'],
      ],
      [
        'a subscriber with an unknown status',
        () => validateSubscriber({ identity: '+15550001001', status: 'gone' }),
        ['status'],
      ],
      [
        'a subscriber with cmrEnabled as a string',
        () => validateSubscriber({ identity: '+15550001001', cmrEnabled: 'yes' }),
        ['cmrEnabled'],
      ],
      [
        'a subscriber with an unknown time zone',
        () => validateSubscriber({ identity: '+15550001001', timeZone: 'Mars/Olympus' }),
        ['timeZone'],
      ],
      ['a subscriber with two problems', () => validateSubscriber({ identity: 1, status: 2 }), ['identity', 'status']],
      ['privacy without copy', () => validatePrivacy({ contacts: [] }), ['copy']],
      [
        'privacy with a bad contact',
        () => validatePrivacy({ copy: 'contacts', contacts: ['+1', 'tel:+15550001002'] }),
        ['contacts[0]'],
      ],
      [
        'privacy with two overrides for one resource',
        () =>
          validatePrivacy({
            copy: 'everyone',
            overrides: [
              { resourceId: 'a', copy: 'nobody' },
              { resourceId: 'a', copy: 'contacts' },
            ],
          }),
        ['overrides[1].resourceId'],
      ],
      [
        'privacy nested in a subscriber with a bad value',
        () => validateSubscriber({ identity: '+15550001001', privacy: { copy: 'friends' } }),
        ['privacy.copy'],
      ],
      ['a resource with an id with spaces', () => validateResource({ ...resource, id: 'a b' }), ['id']],
      ['a resource with an empty title', () => validateResource({ ...resource, title: '' }), ['title']],
      [
        'a resource with an ftp media URI',
        () => validateResource({ ...resource, mediaUri: 'ftp://media.example/t.wav' }),
        ['mediaUri'],
      ],
      [
        'a resource with a media URI that is not a URI',
        () => validateResource({ ...resource, mediaUri: 'summer.wav' }),
        ['mediaUri'],
      ],
      ['a resource of an unknown kind', () => validateResource({ ...resource, kind: 'image' }), ['kind']],
      [
        'a resource with a fractional price',
        () => validateResource({ ...resource, price: { amountMinor: 1.99, currency: 'USD' } }),
        ['price.amountMinor'],
      ],
      [
        'a resource with a lower-case currency',
        () => validateResource({ ...resource, price: { amountMinor: 1, currency: 'usd' } }),
        ['price.currency'],
      ],
      ['a resource with copyable as a number', () => validateResource({ ...resource, copyable: 1 }), ['copyable']],
      [
        'a resource with a validity without time zone',
        () => validateResource({ ...resource, validFrom: '2025-01-01T00:00:00' }),
        ['validFrom'],
      ],
      [
        'a resource valid until before it is valid from',
        () => validateResource({ ...resource, validFrom: '2025-02-01T00:00:00Z', validUntil: '2025-01-01T00:00:00Z' }),
        ['validUntil'],
      ],
      ['rules that are an array', () => validateRingingRules([]), ['$']],
      ['rules with an unknown top-level field', () => validateRingingRules({ ...rules, fallback: null }), ['fallback']],
      [
        'rules with two rules of one id',
        () => validateRingingRules({ rules: [rules.rules[0], rules.rules[0]] }),
        ['rules[1].id'],
      ],
      ['a rule without playlist', () => validateRingingRules({ rules: [{ id: 'r' }] }), ['rules[0].playlist']],
      [
        'a rule with an empty playlist',
        () => validateRingingRules({ rules: [{ id: 'r', playlist: { order: 'sequential', resourceIds: [] } }] }),
        ['rules[0].playlist.resourceIds'],
      ],
      [
        'a playlist naming one resource twice',
        () => validateRingingRules({ defaultPlaylist: { order: 'sequential', resourceIds: ['a', 'b', 'a'] } }),
        ['defaultPlaylist.resourceIds[2]'],
      ],
      [
        'a playlist with an unknown order',
        () => validateRingingRules({ defaultPlaylist: { order: 'random', resourceIds: ['a'] } }),
        ['defaultPlaylist.order'],
      ],
      [
        'a playlist item that is not an id',
        () =>
          validateRingingRules({
            rules: [{ ...rules.rules[0], playlist: { order: 'shuffle', resourceIds: ['a', 7] } }],
          }),
        ['rules[0].playlist.resourceIds[1]'],
      ],
      [
        'a rule with an unknown day',
        () => validateRingingRules({ rules: [{ ...rules.rules[0], days: ['mon', 'funday'] }] }),
        ['rules[0].days[1]'],
      ],
      [
        'a rule with no days',
        () => validateRingingRules({ rules: [{ ...rules.rules[0], days: [] }] }),
        ['rules[0].days'],
      ],
      [
        'a rule with a day twice',
        () => validateRingingRules({ rules: [{ ...rules.rules[0], days: ['mon', 'mon'] }] }),
        ['rules[0].days[1]'],
      ],
      [
        'a window with 24:00',
        () => validateRingingRules({ rules: [{ ...rules.rules[0], window: { from: '08:00', until: '24:00' } }] }),
        ['rules[0].window.until'],
      ],
      [
        'a window of no length',
        () => validateRingingRules({ rules: [{ ...rules.rules[0], window: { from: '08:00', until: '08:00' } }] }),
        ['rules[0].window.until'],
      ],
      [
        'a window without from',
        () => validateRingingRules({ rules: [{ ...rules.rules[0], window: { until: '08:00' } }] }),
        ['rules[0].window.from'],
      ],
      [
        'callers listing nobody',
        () => validateRingingRules({ rules: [{ ...rules.rules[0], callers: { kind: 'listed' } }] }),
        ['rules[0].callers'],
      ],
      [
        'callers with a bad identity',
        () =>
          validateRingingRules({ rules: [{ ...rules.rules[0], callers: { kind: 'listed', identities: ['bob'] } }] }),
        ['rules[0].callers.identities[0]'],
      ],
      [
        '"anyone" callers that also list groups',
        () => validateRingingRules({ rules: [{ ...rules.rules[0], callers: { kind: 'anyone', groups: ['g'] } }] }),
        ['rules[0].callers.groups'],
      ],
      ['a caller group without members', () => validateCallerGroup({ id: 'g' }, '+15550001001'), ['members']],
      [
        'a caller group with a bad member',
        () => validateCallerGroup({ id: 'g', members: ['tel:+15550001002', 'nope'] }, '+15550001001'),
        ['members[1]'],
      ],
      [
        'a caller group with an owner field',
        () => validateCallerGroup({ id: 'g', members: [], owner: '+15550001001' }, '+15550001001'),
        ['owner'],
      ],
    ];
    for (const [what, run, fields] of cases) {
      it(`refuses ${what}, naming ${fields.join(' and ')}`, () => {
        const v = run();
        assert.equal(v.ok, false);
        assert.deepEqual(problemsOf(v), fields);
        if (!v.ok) for (const p of v.problems) assert.ok(p.problem.length > 0);
      });
    }
  });
});

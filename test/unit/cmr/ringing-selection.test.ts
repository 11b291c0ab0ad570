import assert from 'node:assert/strict';
import type { CallerGroup, Resource, RingingRule, RingingRules, Subscriber } from '../../../src/cmr/model';
import {
  arrangePlaylist,
  itemAtOffset,
  seededRandom,
  selectForCall,
  selectPlaylist,
  selectResource,
  type SelectionInput,
} from '../../../src/cmr/ringing-selection';

function tone(id: string, over: Partial<Resource> = {}): Resource {
  return {
    id,
    title: id,
    artist: 'x',
    provider: null,
    mediaUri: `file:///var/media/tones/${id}.wav`,
    kind: 'audio',
    durationSeconds: 30,
    copyable: true,
    price: { amountMinor: 0, currency: 'EUR' },
    validFrom: null,
    validUntil: null,
    ...over,
  };
}

const ALL_DAYS: RingingRule['days'] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function rule(id: string, over: Partial<RingingRule> = {}): RingingRule {
  return {
    id,
    callers: { kind: 'anyone' },
    days: ALL_DAYS,
    window: null,
    playlist: { order: 'sequential', resourceIds: [id] },
    ...over,
  };
}

const resources = ['mother', 'friends', 'office', 'night', 'weekend', 'fallback', 'a', 'b', 'c'].map((id) => tone(id));
const family: CallerGroup = {
  owner: '+15550001001',
  id: 'family',
  name: null,
  members: ['+15550002001', 'sip:dad@home.example'],
};

function input(
  rules: RingingRules | null,
  caller: string | null,
  at: string,
  over: Partial<SelectionInput> = {},
): SelectionInput {
  return { timeZone: 'UTC', rules, groups: [family], resources, caller, at: new Date(at), ...over };
}

function selected(
  rules: RingingRules | null,
  caller: string | null,
  at: string,
  over: Partial<SelectionInput> = {},
): string | null {
  return selectResource(input(rules, caller, at, over))?.resource.id ?? null;
}

// 2025-01-06 is a Monday; 2025-01-10 a Friday; 2025-01-11 a Saturday.
const MONDAY_NOON = '2025-01-06T12:00:00Z';

describe('ringing selection', () => {
  describe('by caller', () => {
    const rules: RingingRules = {
      rules: [
        rule('mother', { callers: { kind: 'listed', identities: ['+15550003001'], groups: [] } }),
        rule('friends', { callers: { kind: 'listed', identities: [], groups: ['family', 'missing-group'] } }),
      ],
      defaultPlaylist: { order: 'sequential', resourceIds: ['fallback'] },
    };

    it('plays the rule that names the caller', () => {
      assert.equal(selected(rules, '+15550003001', MONDAY_NOON), 'mother');
    });

    it('plays the rule of a group the caller belongs to', () => {
      assert.equal(selected(rules, 'sip:dad@home.example', MONDAY_NOON), 'friends');
    });

    it('plays the default to a caller no rule names', () => {
      assert.equal(selected(rules, '+15550009999', MONDAY_NOON), 'fallback');
    });

    it('plays only "anyone" rules or the default to an anonymous caller', () => {
      assert.equal(selected(rules, null, MONDAY_NOON), 'fallback');
      assert.equal(selected({ rules: [rule('a')], defaultPlaylist: null }, null, MONDAY_NOON), 'a');
    });

    it('lets the first matching rule win', () => {
      const ordered: RingingRules = { rules: [rule('a'), rules.rules[0]!], defaultPlaylist: null };
      assert.equal(selected(ordered, '+15550003001', MONDAY_NOON), 'a');
    });

    it('presents nothing without rules, or when nothing matches and there is no default', () => {
      assert.equal(selected(null, '+15550003001', MONDAY_NOON), null);
      assert.equal(selected({ rules: rules.rules, defaultPlaylist: null }, '+15550009999', MONDAY_NOON), null);
    });
  });

  describe('by day and time', () => {
    const officeHours = rule('office', {
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      window: { from: '09:00', until: '17:00' },
    });
    const fridayNight = rule('night', { days: ['fri'], window: { from: '22:00', until: '06:00' } });
    const weekend = rule('weekend', { days: ['sat', 'sun'] });
    const rules: RingingRules = {
      rules: [officeHours, fridayNight, weekend],
      defaultPlaylist: { order: 'sequential', resourceIds: ['fallback'] },
    };

    const cases: [string, string, string][] = [
      ['Monday 08:59', '2025-01-06T08:59:00Z', 'fallback'],
      ['Monday 09:00 (window start is inclusive)', '2025-01-06T09:00:00Z', 'office'],
      ['Monday 16:59', '2025-01-06T16:59:59Z', 'office'],
      ['Monday 17:00 (window end is exclusive)', '2025-01-06T17:00:00Z', 'fallback'],
      ['Friday 23:30 (night window started Friday)', '2025-01-10T23:30:00Z', 'night'],
      ['Saturday 03:00 (night window started on Friday, across midnight)', '2025-01-11T03:00:00Z', 'night'],
      ['Saturday 06:00 (the night window is over)', '2025-01-11T06:00:00Z', 'weekend'],
      ['Friday 03:00 (no night window started on Thursday)', '2025-01-10T03:00:00Z', 'fallback'],
      ['Saturday 23:00 (the night window belongs to Friday only)', '2025-01-11T23:00:00Z', 'weekend'],
      ['Saturday noon', '2025-01-11T12:00:00Z', 'weekend'],
    ];
    for (const [when, at, expected] of cases) {
      it(`plays ${expected} on ${when}`, () => {
        assert.equal(selected(rules, '+15550009999', at), expected);
      });
    }
  });

  describe('in the subscriber’s time zone', () => {
    const evening = rule('night', { days: ['mon'], window: { from: '20:00', until: '23:00' } });
    const rules: RingingRules = {
      rules: [evening],
      defaultPlaylist: { order: 'sequential', resourceIds: ['fallback'] },
    };

    it('reads days and windows in the subscriber’s zone, not UTC', () => {
      // Tuesday 02:00 UTC is Monday 21:00 in New York and Tuesday 11:00 in Tokyo.
      assert.equal(selected(rules, null, '2025-01-07T02:00:00Z', { timeZone: 'America/New_York' }), 'night');
      assert.equal(selected(rules, null, '2025-01-07T02:00:00Z', { timeZone: 'Asia/Tokyo' }), 'fallback');
      assert.equal(selected(rules, null, '2025-01-07T02:00:00Z', { timeZone: 'UTC' }), 'fallback');
    });

    it('follows daylight saving time', () => {
      const morning: RingingRules = {
        rules: [rule('office', { window: { from: '09:00', until: '10:00' } })],
        defaultPlaylist: null,
      };
      const paris = { timeZone: 'Europe/Paris' };
      assert.equal(selected(morning, null, '2025-01-06T08:30:00Z', paris), 'office'); // 09:30 CET
      assert.equal(selected(morning, null, '2025-07-07T08:30:00Z', paris), null); // 10:30 CEST
      assert.equal(selected(morning, null, '2025-07-07T07:30:00Z', paris), 'office'); // 09:30 CEST
    });

    it('handles a zone with a half-hour offset', () => {
      // 14:45 UTC is 20:15 in Kolkata (UTC+05:30) on the same Monday.
      assert.equal(selected(rules, null, '2025-01-06T14:45:00Z', { timeZone: 'Asia/Kolkata' }), 'night');
    });
  });

  describe('by resource validity', () => {
    it('skips resources outside their validity and falls through when a rule has none left', () => {
      const expired = tone('a', { validUntil: '2025-01-01T00:00:00.000Z' });
      const future = tone('b', { validFrom: '2025-02-01T00:00:00.000Z' });
      const rules: RingingRules = {
        rules: [rule('ab', { playlist: { order: 'sequential', resourceIds: ['a', 'b'] } })],
        defaultPlaylist: { order: 'sequential', resourceIds: ['b', 'c'] },
      };
      const sel = selectPlaylist(input(rules, null, MONDAY_NOON, { resources: [expired, future, tone('c')] }));
      assert.deepEqual(sel && { rule: sel.ruleId, items: sel.items.map((r) => r.id) }, { rule: null, items: ['c'] });
    });
  });

  describe('playlist order', () => {
    const abc: RingingRules = { rules: [], defaultPlaylist: { order: 'sequential', resourceIds: ['a', 'b', 'c'] } };
    const shuffled: RingingRules = { rules: [], defaultPlaylist: { order: 'shuffle', resourceIds: ['a', 'b', 'c'] } };

    it('advances a sequential playlist by one item per call and wraps around', () => {
      const firsts = [0, 1, 2, 3, 4].map(
        (sequence) => selectResource(input(abc, null, MONDAY_NOON), { sequence })?.resource.id,
      );
      assert.deepEqual(firsts, ['a', 'b', 'c', 'a', 'b']);
      assert.deepEqual(
        selectResource(input(abc, null, MONDAY_NOON), { sequence: 1 })?.playOrder.map((r) => r.id),
        ['b', 'c', 'a'],
      );
    });

    it('shuffles with the injected randomness', () => {
      const order = selectResource(input(shuffled, null, MONDAY_NOON), { random: () => 0 })?.playOrder.map((r) => r.id);
      assert.deepEqual(order, ['b', 'c', 'a']);
    });

    it('shuffles the same way for the same seed and differently across seeds, keeping every item once', () => {
      const orderFor = (seed: string): string =>
        arrangePlaylist(selectPlaylist(input(shuffled, null, MONDAY_NOON))!, { random: seededRandom(seed) })
          .map((r) => r.id)
          .join();
      assert.equal(orderFor('call-1@host'), orderFor('call-1@host'));
      const orders = new Set(Array.from({ length: 30 }, (_, i) => orderFor(`call-${i}@host`)));
      assert.ok(orders.size > 1, 'expected different seeds to give different orders');
      for (const o of orders) assert.deepEqual(o.split(',').sort(), ['a', 'b', 'c']);
    });

    it('tells which item presents at an offset into the ringing, looping over the play order', () => {
      const order = [tone('a', { durationSeconds: 30 }), tone('b', { durationSeconds: 20 })];
      const at = (s: number) => {
        const item = itemAtOffset(order, s);
        return item && [item.resource.id, item.startsAtSeconds, item.endsAtSeconds];
      };
      assert.deepEqual(at(0), ['a', 0, 30]);
      assert.deepEqual(at(29.9), ['a', 0, 30]);
      assert.deepEqual(at(30), ['b', 30, 50]);
      assert.deepEqual(at(55), ['a', 50, 80]);
      assert.deepEqual(at(-5), ['a', 0, 30]);
      assert.equal(itemAtOffset([], 10), null);
    });
  });

  describe('for a call', () => {
    const subscriber: Subscriber = {
      identity: '+15550001001',
      displayName: null,
      status: 'active',
      cmrEnabled: true,
      libraryCapacity: 10,
      timeZone: 'UTC',
      privacy: { copy: 'everyone', contacts: [], overrides: [] },
    };
    const context = { subscriber, rules: { rules: [rule('a')], defaultPlaylist: null }, groups: [], resources };

    it('presents the selected resource for an active subscriber with CMR enabled', () => {
      assert.equal(selectForCall(context, null, new Date(MONDAY_NOON))?.resource.id, 'a');
    });

    it('presents nothing for a suspended or barred subscriber, or one with CMR disabled', () => {
      for (const over of [{ status: 'suspended' as const }, { status: 'barred' as const }, { cmrEnabled: false }]) {
        assert.equal(
          selectForCall({ ...context, subscriber: { ...subscriber, ...over } }, null, new Date(MONDAY_NOON)),
          null,
        );
      }
    });
  });
});

import assert from 'node:assert/strict';
import { localMoment } from '../../../src/cmr/local-time';

describe('localMoment: the wall-clock day and time in a zone', () => {
  it('reads the day and HH:MM in the zone, across a day boundary', () => {
    const at = new Date('2026-11-26T23:30:00Z'); // a Thursday in UTC
    assert.deepEqual(localMoment(at, 'UTC'), { day: 'thu', time: '23:30' });
    assert.deepEqual(localMoment(at, 'Europe/Paris'), { day: 'fri', time: '00:30' });
    assert.deepEqual(localMoment(at, 'America/New_York'), { day: 'thu', time: '18:30' });
    assert.deepEqual(localMoment(at, 'Asia/Kolkata'), { day: 'fri', time: '05:00' }); // +05:30
  });

  it('gives the next minute as soon as it starts, though the minute before was read just now', () => {
    assert.equal(localMoment(new Date('2026-11-26T10:14:59.999Z'), 'Europe/Paris').time, '11:14');
    assert.equal(localMoment(new Date('2026-11-26T10:15:00.000Z'), 'Europe/Paris').time, '11:15');
    assert.equal(localMoment(new Date('2026-11-26T10:14:00.000Z'), 'Europe/Paris').time, '11:14', 'and back');
  });

  it('keeps zones apart in the same minute', () => {
    const at = new Date('2026-03-29T01:30:00Z'); // Paris has just moved to summer time
    assert.equal(localMoment(at, 'Europe/Paris').time, '03:30');
    assert.equal(localMoment(at, 'Europe/London').time, '02:30');
    assert.equal(localMoment(at, 'Europe/Paris').time, '03:30');
  });

  it('refuses an unknown zone', () => {
    assert.throws(() => localMoment(new Date(), 'Mars/Olympus_Mons'), RangeError);
  });
});

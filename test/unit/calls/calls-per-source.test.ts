import assert from 'node:assert/strict';
import { Admission } from '../../../src/calls/admission';
import { CallsPerSource } from '../../../src/calls/calls-per-source';

describe('calls in progress per source', () => {
  it('counts calls per source up to the cap and frees a slot when one ends', () => {
    const calls = new CallsPerSource(2);
    calls.add('c1', '10.0.0.1');
    assert.equal(calls.atCap('10.0.0.1'), false);
    calls.add('c2', '10.0.0.1');
    assert.equal(calls.atCap('10.0.0.1'), true);
    assert.equal(calls.atCap('10.0.0.2'), false, 'another source has its own count');
    calls.release('c1');
    assert.equal(calls.count('10.0.0.1'), 1);
    assert.equal(calls.atCap('10.0.0.1'), false);
  });

  it('ignores a second end of the same call, a call it never counted, and a Call-ID counted twice', () => {
    const calls = new CallsPerSource(5);
    calls.add('c1', '10.0.0.1');
    calls.add('c1', '10.0.0.1');
    assert.equal(calls.count('10.0.0.1'), 1);
    calls.release('c1');
    calls.release('c1');
    calls.release('never-counted');
    assert.equal(calls.count('10.0.0.1'), 0);
    assert.equal(calls.total, 0, 'nothing is kept for a source with no call left');
  });

  it('has no cap at 0 but still counts', () => {
    const calls = new CallsPerSource(0);
    for (let i = 0; i < 100; i++) calls.add(`c${i}`, '10.0.0.1');
    assert.equal(calls.atCap('10.0.0.1'), false);
    assert.equal(calls.count('10.0.0.1'), 100);
  });
});

describe('admission with a cap on calls in progress per source', () => {
  const admission = () =>
    new Admission(
      {
        invitesPerSecondPerSource: 0,
        inviteBurst: 1,
        maxNewCallsPerSecond: 0,
        maxCallsInProgressPerSource: 2,
        copiesPerMinutePerRequester: 0,
        maxEventLoopDelayMs: 0,
      },
      { eventLoopDelayMs: () => 0 },
    );

  it('refuses a third call in progress from one source, with a Retry-After, and admits again once one ends', () => {
    const a = admission();
    assert.equal(a.admitCall('10.0.0.1', 0, 'c1'), null);
    assert.equal(a.admitCall('10.0.0.1', 0, 'c2'), null);
    assert.deepEqual(a.admitCall('10.0.0.1', 0, 'c3'), { reason: 'source-calls', retryAfterSeconds: 5 });
    assert.equal(a.admitCall('10.0.0.2', 0, 'c4'), null, 'another source is not affected');
    a.callEnded('c1');
    assert.equal(a.admitCall('10.0.0.1', 0, 'c5'), null);
    assert.equal(a.callsInProgressFrom('10.0.0.1'), 2);
  });

  it('exempts trusted peers and does not count them', () => {
    const a = admission();
    for (let i = 0; i < 10; i++) assert.equal(a.admitCall(null, 0, `t${i}`), null);
    a.callEnded('t0');
    assert.equal(a.admitCall('10.0.0.1', 0, 'c1'), null);
  });

  it('does not count a call refused for its rate', () => {
    const a = new Admission(
      {
        invitesPerSecondPerSource: 1,
        inviteBurst: 1,
        maxNewCallsPerSecond: 0,
        maxCallsInProgressPerSource: 2,
        copiesPerMinutePerRequester: 0,
        maxEventLoopDelayMs: 0,
      },
      { eventLoopDelayMs: () => 0 },
    );
    assert.equal(a.admitCall('10.0.0.1', 0, 'c1'), null);
    assert.equal(a.admitCall('10.0.0.1', 0, 'c2')?.reason, 'source-rate');
    assert.equal(a.callsInProgressFrom('10.0.0.1'), 1);
  });
});

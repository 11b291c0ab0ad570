import assert from 'node:assert/strict';
import { Admission } from '../../../src/calls/admission';
import { RateLimiter } from '../../../src/calls/rate-limiter';

describe('rate limits and overload shedding', () => {
  it('lets a key spend its burst, then refills at the rate', () => {
    const limiter = new RateLimiter({ ratePerSecond: 2, burst: 3, maxKeys: 10 });
    assert.deepEqual(
      [0, 0, 0, 0].map((t) => limiter.take('a', t)),
      [true, true, true, false],
    );
    assert.equal(limiter.take('a', 400), false);
    assert.equal(limiter.take('a', 500), true);
    assert.equal(limiter.take('b', 500), true, 'another key has its own budget');
  });

  it('forgets the oldest keys beyond its bound', () => {
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 2 });
    limiter.take('a', 0);
    limiter.take('b', 0);
    limiter.take('c', 0);
    assert.equal(limiter.take('a', 0), true, 'a was forgotten and starts full');
  });

  it('refuses new calls from one source over its budget, with a Retry-After', () => {
    const admission = new Admission(
      {
        invitesPerSecondPerSource: 1,
        inviteBurst: 2,
        maxNewCallsPerSecond: 0,
        maxCallsInProgressPerSource: 0,
        copiesPerMinutePerRequester: 0,
        maxEventLoopDelayMs: 0,
      },
      { eventLoopDelayMs: () => 0 },
    );
    assert.equal(admission.admitCall('10.0.0.1', 0, 'call-1'), null);
    assert.equal(admission.admitCall('10.0.0.1', 0, 'call-2'), null);
    assert.deepEqual(admission.admitCall('10.0.0.1', 0, 'call-3'), { reason: 'source-rate', retryAfterSeconds: 1 });
    assert.equal(admission.admitCall(null, 0, 'call-4'), null, 'a trusted peer is exempt from the source rate');
  });

  it('sheds new calls while the event loop lags, trusted peers included', () => {
    let lag = 10;
    const admission = new Admission(
      {
        invitesPerSecondPerSource: 0,
        inviteBurst: 1,
        maxNewCallsPerSecond: 0,
        maxCallsInProgressPerSource: 0,
        copiesPerMinutePerRequester: 0,
        maxEventLoopDelayMs: 100,
      },
      { eventLoopDelayMs: () => lag },
    );
    assert.equal(admission.admitCall(null, 0, 'call-5'), null);
    lag = 150;
    assert.equal(admission.admitCall(null, 0, 'call-6')?.reason, 'overload');
  });

  it('holds new calls to the server-wide rate, trusted peers included, with a Retry-After', () => {
    const admission = new Admission(
      {
        invitesPerSecondPerSource: 0,
        inviteBurst: 1,
        maxNewCallsPerSecond: 2,
        maxCallsInProgressPerSource: 0,
        copiesPerMinutePerRequester: 0,
        maxEventLoopDelayMs: 0,
      },
      { eventLoopDelayMs: () => 0 },
    );
    assert.equal(admission.admitCall(null, 0, 'call-1'), null);
    assert.equal(admission.admitCall('10.0.0.1', 0, 'call-2'), null);
    assert.deepEqual(admission.admitCall(null, 0, 'call-3'), { reason: 'capacity', retryAfterSeconds: 1 });
    assert.equal(admission.admitCall('10.0.0.2', 0, 'call-4')?.reason, 'capacity');
    assert.equal(admission.admitCall(null, 500, 'call-5'), null, 'one more after half a second');
  });

  it('limits copy requests per requester per minute', () => {
    const admission = new Admission(
      {
        invitesPerSecondPerSource: 0,
        inviteBurst: 1,
        maxNewCallsPerSecond: 0,
        maxCallsInProgressPerSource: 0,
        copiesPerMinutePerRequester: 2,
        maxEventLoopDelayMs: 0,
      },
      { eventLoopDelayMs: () => 0 },
    );
    assert.equal(admission.admitCopy('+1', 0), null);
    assert.equal(admission.admitCopy('+1', 0), null);
    assert.equal(admission.admitCopy('+1', 0)?.reason, 'requester-rate');
    assert.equal(admission.admitCopy('+1', 30_000), null, 'one more after half a minute');
  });
});

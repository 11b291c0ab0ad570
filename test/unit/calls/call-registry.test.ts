import assert from 'node:assert/strict';
import { Call } from '../../../src/calls/call';
import { CallRegistry } from '../../../src/calls/call-registry';
import { FakeClock } from '../../support/fake-clock';

/** node-cache reads Date.now() and the registry's sweep runs on its Clock: the tests move both by hand. */
class WallClock {
  private readonly real = Date.now;
  readonly timers = new FakeClock();

  install(): void {
    Date.now = () => this.timers.now();
  }

  restore(): void {
    Date.now = this.real;
  }

  advance(ms: number): void {
    this.timers.advance(ms);
  }
}

function aCall(id: string): Call {
  return new Call({
    id,
    parties: { caller: null, called: null, callerUri: 'sip:a@x', calledUri: 'sip:b@x' },
    icid: null,
    createdAt: Date.now(),
  });
}

describe('CallRegistry', () => {
  const wall = new WallClock();
  let registry: CallRegistry;
  let expired: string[];

  beforeEach(() => {
    wall.install();
    registry = new CallRegistry({ maxCalls: 2, maxCallSeconds: 60, lingerSeconds: 5 }, wall.timers);
    expired = [];
    registry.onExpired((call) => expired.push(call.id));
  });
  afterEach(() => {
    registry.close();
    wall.restore();
  });

  it('refuses a call beyond the limit of live calls', () => {
    assert.equal(registry.add(aCall('a')), true);
    assert.equal(registry.add(aCall('b')), true);
    assert.equal(registry.add(aCall('c')), false);
    assert.equal(registry.get('c'), undefined);
    assert.equal(registry.activeCount, 2);
  });

  it('does not count ended calls against the limit while they linger', () => {
    const a = aCall('a');
    registry.add(a);
    registry.add(aCall('b'));
    registry.ended(a);
    assert.equal(registry.activeCount, 1);
    assert.equal(registry.add(aCall('c')), true);
    assert.equal(registry.size, 3, 'the ended call is still held');
  });

  it('keeps an ended call readable for the linger time, then forgets it', () => {
    const a = aCall('a');
    registry.add(a);
    wall.advance(30_000);
    registry.ended(a);
    wall.advance(4_900);
    assert.equal(registry.get('a'), a);
    wall.advance(200);
    assert.equal(registry.get('a'), undefined);
    assert.deepEqual(registry.values(), []);
    assert.equal(registry.activeCount, 0);
  });

  it('drops a call that never ends after the maximum call time and tells the signaling layer', () => {
    registry.add(aCall('a'));
    registry.add(aCall('b'));
    wall.advance(59_000);
    assert.equal(registry.values().length, 2);
    wall.advance(2_000);
    assert.deepEqual(registry.values(), []);
    assert.deepEqual(expired.sort(), ['a', 'b']);
    assert.equal(registry.activeCount, 0);
    assert.equal(registry.add(aCall('c')), true, 'room again for new calls');
  });

  it('no longer counts a call in its size once its linger is over, before anything reads it', () => {
    const a = aCall('a');
    registry.add(a);
    registry.ended(a);
    assert.equal(registry.size, 1);
    wall.advance(5_001);
    assert.equal(registry.size, 0);
  });

  it('expires calls that fell due without anything reading them, and tells the signaling layer', () => {
    const a = aCall('a');
    registry.add(a);
    registry.add(aCall('b'));
    wall.advance(1_000);
    registry.ended(a);
    wall.advance(5_000);
    assert.deepEqual(expired, []);
    wall.advance(1_000);
    assert.deepEqual(expired, ['a'], 'the ended call, once its linger is over');
    assert.equal(registry.activeCount, 1);
    wall.advance(60_000);
    assert.deepEqual(expired, ['a', 'b'], 'the call that never ended, once the maximum call time is over');
    assert.equal(registry.activeCount, 0);
  });

  it('does not expire a call that ended before its maximum call time when that time comes', () => {
    const a = aCall('a');
    registry.add(a);
    registry.ended(a);
    wall.advance(6_000);
    registry.add(aCall('a'));
    wall.advance(50_000);
    assert.deepEqual(expired, ['a']);
    assert.equal(registry.activeCount, 1, 'the second call of that id is still up');
  });

  it('forgets a removed call at once', () => {
    registry.add(aCall('a'));
    registry.remove('a');
    assert.equal(registry.get('a'), undefined);
    assert.equal(registry.activeCount, 0);
    assert.deepEqual(expired, []);
  });

  it('lists the calls it holds, ended ones included', () => {
    const a = aCall('a');
    registry.add(a);
    registry.add(aCall('b'));
    registry.ended(a);
    assert.deepEqual(
      registry
        .values()
        .map((c) => c.id)
        .sort(),
      ['a', 'b'],
    );
  });
});

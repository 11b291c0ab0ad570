import assert from 'node:assert/strict';
import { Call } from '../../../src/calls/call';
import { CallRegistry } from '../../../src/calls/call-registry';

/** node-cache reads Date.now(): the tests move it by hand. */
class WallClock {
  private readonly real = Date.now;
  private t = Date.UTC(2026, 0, 1);

  install(): void {
    Date.now = () => this.t;
  }

  restore(): void {
    Date.now = this.real;
  }

  advance(ms: number): void {
    this.t += ms;
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
    registry = new CallRegistry({ maxCalls: 2, maxCallSeconds: 60, lingerSeconds: 5 });
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

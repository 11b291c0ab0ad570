import assert from 'node:assert/strict';
import { Call, type CallParties } from '../../../src/calls/call';
import type { Resource } from '../../../src/cmr/model';
import { FakeClock } from '../../support/fake-clock';

const PARTIES: CallParties = {
  caller: '+15550002001',
  called: '+15550002002',
  callerUri: 'tel:+15550002001',
  calledUri: 'sip:+15550002002@example.com',
};

function tone(id: string, durationSeconds = 30): Resource {
  return {
    id,
    title: id,
    artist: 'a',
    provider: null,
    mediaUri: `file:///${id}.wav`,
    kind: 'audio',
    durationSeconds,
    copyable: true,
    price: { amountMinor: 100, currency: 'EUR' },
    validFrom: null,
    validUntil: null,
  };
}

describe('Call', () => {
  let clock: FakeClock;
  let call: Call;

  beforeEach(() => {
    clock = new FakeClock();
    call = new Call({ id: 'c1', parties: PARTIES, icid: null, createdAt: clock.now() });
  });

  it('starts routing, rings once the callee rings, and only from routing', () => {
    assert.equal(call.phase, 'routing');
    call.ringing();
    assert.equal(call.phase, 'ringing');
    call.present(tone('a'), clock.now());
    call.ringing();
    assert.equal(call.phase, 'early-media');
  });

  it('presents a resource as early media until it is stopped', () => {
    const started = clock.now();
    call.present(tone('a'), started);
    assert.equal(call.phase, 'early-media');
    assert.equal(call.presenting?.resource.id, 'a');
    clock.advance(12_000);
    const stopped = call.stopPresenting(clock.now());
    assert.equal(stopped?.endedAt, started + 12_000);
    assert.equal(call.presenting, null);
  });

  it('ends the previous presentation at the instant the next one starts', () => {
    const t0 = clock.now();
    call.present(tone('a'), t0);
    clock.advance(30_000);
    call.present(tone('b'), clock.now());
    assert.deepEqual(
      call.presentations.map((p) => [p.resource.id, p.startedAt - t0, p.endedAt === null ? null : p.endedAt - t0]),
      [
        ['a', 0, 30_000],
        ['b', 30_000, null],
      ],
    );
  });

  it('tells which resource of a playlist presented at an instant, the next one from the instant it starts', () => {
    const t0 = clock.now();
    call.present(tone('a'), t0);
    clock.advance(30_000);
    call.present(tone('b', 20), clock.now());
    clock.advance(20_000);
    call.present(tone('a'), clock.now());
    clock.advance(5_000);
    assert.equal(call.presentingAt(t0)?.resource.id, 'a');
    assert.equal(call.presentingAt(t0 + 29_999)?.resource.id, 'a');
    assert.equal(call.presentingAt(t0 + 30_000)?.resource.id, 'b');
    assert.equal(call.presentingAt(t0 + 49_999)?.resource.id, 'b');
    assert.equal(call.presentingAt(t0 + 50_000), call.presentations[2]);
    assert.equal(call.presentingAt(t0 + 1_000_000), call.presentations[2], 'the open one presents until stopped');
  });

  it('finds nothing before the first presentation', () => {
    call.present(tone('a'), clock.now() + 1000);
    assert.equal(call.presentingAt(clock.now()), null);
    assert.equal(call.presentingAt(clock.now(), 60_000), null, 'grace looks back, not ahead');
  });

  it('still names a presentation that ended within the grace period, and nothing after it', () => {
    call.present(tone('a'), clock.now());
    clock.advance(10_000);
    const ended = clock.now();
    call.answered(ended);
    assert.equal(call.presentingAt(ended + 1500, 2000)?.resource.id, 'a');
    assert.equal(call.presentingAt(ended + 2000, 2000)?.resource.id, 'a');
    assert.equal(call.presentingAt(ended + 2001, 2000), null);
    assert.equal(call.presentingAt(ended + 1, 0), null, 'no grace: over once ended');
  });

  it('applies the grace to the last presentation before a gap, not to an earlier one', () => {
    const t0 = clock.now();
    call.present(tone('a'), t0);
    call.stopPresenting(t0 + 10_000);
    call.present(tone('b'), t0 + 20_000);
    call.stopPresenting(t0 + 25_000);
    assert.equal(call.presentingAt(t0 + 15_000, 6000)?.resource.id, 'a');
    assert.equal(call.presentingAt(t0 + 27_000, 6000)?.resource.id, 'b');
    assert.equal(call.presentingAt(t0 + 17_000, 6000), null);
  });

  it('never ends a presentation before it started', () => {
    call.present(tone('a'), clock.now());
    const p = call.stopPresenting(clock.now() - 500);
    assert.equal(p?.endedAt, p?.startedAt);
  });

  it('records the answer, stops the media then, and ends once with the first reason', () => {
    call.present(tone('a'), clock.now());
    clock.advance(8000);
    call.answered(clock.now());
    assert.equal(call.phase, 'answered');
    assert.equal(call.answeredAt, clock.now());
    assert.equal(call.presentations[0]?.endedAt, clock.now());
    clock.advance(60_000);
    call.end(clock.now(), 'caller remote BYE');
    call.end(clock.now() + 1, 'callee remote BYE');
    assert.equal(call.phase, 'ended');
    assert.equal(call.endReason, 'caller remote BYE');
    assert.equal(call.endedAt, clock.now());
  });

  it('closes an open presentation when the call ends during early media', () => {
    call.present(tone('a'), clock.now());
    clock.advance(4000);
    call.end(clock.now(), 'caller cancelled');
    assert.equal(call.presenting, null);
    assert.equal(call.presentations[0]?.endedAt, clock.now());
  });
});

import assert from 'node:assert/strict';
import { PeerWatchdog } from '../../../../src/charging/diameter/peer-watchdog';
import { FakeClock } from '../../../support/fake-clock';

describe('Diameter peer watchdog (RFC 3539)', () => {
  let clock: FakeClock;
  let probes: number;
  let expiries: number;
  let watchdog: PeerWatchdog;

  beforeEach(() => {
    clock = new FakeClock();
    probes = 0;
    expiries = 0;
    watchdog = new PeerWatchdog({ twMs: 6000, clock, probe: () => (probes += 1), expire: () => (expiries += 1) });
  });

  it('sends a DWR once Tw passes without traffic, within the ±600 ms jitter', () => {
    watchdog.traffic();
    clock.advance(5399);
    assert.equal(probes, 0);
    clock.advance(1201);
    assert.equal(probes, 1);
    assert.equal(expiries, 0);
  });

  it('fails the connection when a second Tw passes with the DWR unanswered', () => {
    watchdog.traffic();
    clock.advance(6600);
    assert.equal(probes, 1);
    clock.advance(6600);
    assert.equal(expiries, 1);
  });

  it('keeps the connection when traffic (the DWA) arrives, and restarts Tw from it', () => {
    watchdog.traffic();
    clock.advance(6600);
    watchdog.traffic();
    clock.advance(5399);
    assert.equal(probes, 1);
    assert.equal(expiries, 0);
    clock.advance(1201);
    assert.equal(probes, 2);
  });

  it('does nothing once stopped', () => {
    watchdog.traffic();
    watchdog.stop();
    clock.advance(60_000);
    assert.equal(probes + expiries, 0);
    assert.equal(clock.timersPending, 0);
  });
});

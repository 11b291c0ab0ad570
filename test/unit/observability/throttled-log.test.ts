import assert from 'node:assert/strict';
import { ThrottledLog } from '../../../src/observability/throttled-log';
import { FakeClock } from '../../support/fake-clock';
import { LogLines } from '../portal/log-lines';

describe('a log line for events that come in floods', () => {
  it('logs the first event at once, then one line per interval saying how many were not logged', () => {
    const clock = new FakeClock();
    const out = new LogLines();
    const log = new ThrottledLog({ logger: out, level: 'warn', message: 'refused', intervalMs: 10_000, clock });
    for (let i = 0; i < 1000; i++) log.record({ remote: '10.0.0.1' });
    assert.equal(out.lines.length, 1);
    assert.deepEqual(out.lines[0], { level: 'warn', message: 'refused', meta: { remote: '10.0.0.1', suppressed: 0 } });

    clock.advance(9_999);
    log.record({ remote: '10.0.0.2' });
    assert.equal(out.lines.length, 1, 'still within the interval');
    clock.advance(1);
    log.record({ remote: '10.0.0.3' });
    assert.deepEqual(out.lines[1]?.meta, { remote: '10.0.0.3', suppressed: 1000 });
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessageCounts, parseStatCsv, parseStatScreen } from '../../support/sipp/sipp-stats';

/** A `-trace_screen` dump of uac-invite-bye-200 run against uas-answer-200 with `-d 100` by SIPp 3.6.1. */
const screen = readFileSync(join(__dirname, 'fixtures', 'uac-invite-bye-200.screen.log'), 'utf8');

describe('SIPp harness: reading SIPp reports', () => {
  it('reads the per-message counters of the scenario screen in scenario order', () => {
    const rows = parseMessageCounts(screen).map(
      (m) => `${m.direction} ${m.name} ${m.count}/${m.retransmissions}/${m.timeouts}/${m.unexpected}`,
    );

    assert.deepEqual(rows, [
      'send INVITE 1/0/0/0',
      'recv 100 0/0/0/0',
      'recv 180 1/0/0/0',
      'recv 183 0/0/0/0',
      'recv 200 1/0/0/0',
      'send ACK 1/0/0/0',
      'pause Pause 1/0/0/0',
      'send BYE 1/0/0/0',
      'recv 200 1/0/0/0',
    ]);
  });

  it('falls back on the statistics screen for call counts when there is no CSV', () => {
    const stats = parseStatScreen(screen);

    assert.equal(stats?.source, 'screen');
    assert.equal(stats?.successfulCalls, 1);
    assert.equal(stats?.failedCalls, 0);
    assert.equal(stats?.totalCalls, 1);
  });

  it('takes the counters from the last line of the stat CSV', () => {
    const header =
      'StartTime;TotalCallCreated;CurrentCall;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);FailedCall(C);Retransmissions(C);FailedRegexpHdrNotFound(C);';
    const csv = `${header}\n2026-01-01\t00:00:00;0;0;0;0;0;0;0;0;\n2026-01-01\t00:00:01;3;1;0;1;0;1;4;1;\n`;

    const stats = parseStatCsv(csv);

    assert.equal(stats?.source, 'csv');
    assert.equal(stats?.totalCalls, 3);
    assert.equal(stats?.currentCalls, 1);
    assert.equal(stats?.successfulCalls, 1);
    assert.equal(stats?.failedCalls, 1);
    assert.equal(stats?.retransmissions, 4);
    assert.equal(stats?.failedRegexpHdrNotFound, 1);
    assert.equal(stats?.raw['StartTime'], '2026-01-01\t00:00:01');
  });

  it('has no statistics to give from an empty or header-only CSV', () => {
    assert.equal(parseStatCsv(''), undefined);
    assert.equal(parseStatCsv('StartTime;SuccessfulCall(C);\n'), undefined);
  });
});

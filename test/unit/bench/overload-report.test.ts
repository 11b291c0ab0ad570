import assert from 'node:assert/strict';
import { parseBenchOptions } from '../../../bench/load/bench-options';
import { parseSample } from '../../../bench/load/metrics-scraper';
import { callCounts, udpSocketDrops } from '../../../bench/load/overload-mode';
import { failureCauses } from '../../../bench/load/overload-report';
import type { SippLoadResult } from '../../../bench/load/sipp-load-process';
import { parseStatDumps } from '../../../bench/load/sipp-stat-dumps';

describe('bench: overload mode options and readings', () => {
  it('takes --overload with its length, a given sustainable rate and the server call limit', () => {
    const o = parseBenchOptions([
      '--overload',
      '--sustainable-cps',
      '150',
      '--overload-seconds',
      '20',
      '--max-calls',
      '300',
    ]);
    assert.deepEqual([o.overload, o.sustainableCps, o.overloadSeconds, o.maxCalls], [true, 150, 20, 300]);
    const d = parseBenchOptions([]);
    assert.deepEqual([d.overload, d.sustainableCps, d.overloadSeconds, d.maxCalls], [false, 0, 30, 0]);
    assert.throws(() => parseBenchOptions(['--overload-seconds', '4000']), { code: 'BENCH.OPTIONS' });
  });

  it('reads event-loop delay, calls in progress and 5xx answers from the Prometheus text, and a miss as such', () => {
    const text = [
      'cmr_nodejs_eventloop_lag_p99_seconds 0.0421',
      'cmr_nodejs_eventloop_lag_max_seconds 0.25',
      'cmr_calls_active 17',
      'cmr_sip_responses_sent_total{status="2xx"} 900',
      'cmr_sip_responses_sent_total{status="5xx"} 42',
    ].join('\n');
    const s = parseSample(1000, text);
    assert.deepEqual(
      [s.answered, Math.round(s.lagP99Ms * 10) / 10, s.lagMaxMs, s.callsActive, s.responses5xx],
      [true, 42.1, 250, 17, 42],
    );
    assert.equal(parseSample(1000, 'cmr_calls_active 0').responses5xx, 0, 'no 5xx line yet: none sent');
    assert.equal(parseSample(2000, null).answered, false);
  });

  it('counts shed calls from their RTD, completed ones as the other successes, and every call not successful as failed', () => {
    const stat = 'ElapsedTime(C);TotalCallCreated;SuccessfulCall(C);FailedCall(C);CurrentCall\n00:00:10;100;90;6;0\n';
    const rtt = [
      ...Array.from({ length: 30 }, (_, i) => ({ atMs: i, ms: 1, rtd: 'shed' })),
      ...Array.from({ length: 64 }, (_, i) => ({ atMs: i, ms: 5, rtd: 'setup' })),
    ];
    const result: SippLoadResult = { exitCode: 1, killed: false, pid: 1, dumps: parseStatDumps(stat), rtt, stderr: '' };
    assert.deepEqual(callCounts(result, 100), { shed: 30, completed: 60, failed: 10 });
  });

  it("sums SIPp's error trace by kind, leaving out messages to calls already over", () => {
    const at = (n: number) => `2026-11-26\t08:12:1${n}.572061\t1795680733.57206${n}: `;
    const log = [
      'The following events occurred:',
      `${at(1)}Aborting call on unexpected message for Call-Id '1-2@127.0.0.1': while sending (index 18), received 'SIP/2.0 200 OK`,
      'Via: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-1',
      'CSeq: 4 BYE',
      '',
      `'${at(2)}Dead call 1-2@127.0.0.1 (aborted at index 18), received 'SIP/2.0 481 Call/Transaction Does Not Exist`,
      'CSeq: 5 BYE',
      '',
      `'${at(3)}Call-Id: 3-2@127.0.0.1, receive timeout on message uac-bench-overload-call:3 without label to jump to (ontimeout attribute): aborting call`,
      `${at(4)}Call-Id: 4-2@127.0.0.1, receive timeout on message uac-bench-overload-call:3 without label to jump to (ontimeout attribute): aborting call`,
    ].join('\n');
    assert.deepEqual(failureCauses(log), {
      'Aborting call on unexpected message at element 18: SIP/2.0 200 OK (4 BYE)': 1,
      'receive timeout at element 3 of uac-bench-overload-call': 2,
    });
  });

  it('reads the drops of the UDP sockets bound to one port from /proc/net/udp', async () => {
    const procNetUdp = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      '  101: 0100007F:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1111 2 0000000000000000 17',
      '  102: 0100007F:13C5 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2222 2 0000000000000000 5',
    ].join('\n');
    assert.equal(await udpSocketDrops(5060, procNetUdp), 17);
    assert.equal(await udpSocketDrops(5062, procNetUdp), 0);
  });
});

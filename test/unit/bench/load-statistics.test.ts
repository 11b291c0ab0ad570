import assert from 'node:assert/strict';
import { achievedRate } from '../../../bench/load/load-step';
import { stepTable } from '../../../bench/load/bench-report';
import { stepPassed } from '../../../bench/load/load-series';
import type { StepResult } from '../../../bench/load/load-step';
import { parseRttCsv, percentile, summarize } from '../../../bench/load/rtt-samples';
import { finalDump, parseElapsed, parseStatDumps } from '../../../bench/load/sipp-stat-dumps';
import { parseRcvbufErrors } from '../../../bench/load/udp-drops';

const RTT = [
  'Date_ms;response_time_ms;rtd_no',
  '28.001;4;setup',
  '48.001;9;setup',
  '50.5;2;copy',
  '1028.001;7;setup',
  '',
].join('\n');

function step(over: Partial<StepResult> = {}): StepResult {
  const latency = { count: 10, p50: 5, p95: 20, p99: 40 };
  return {
    offeredCps: 100,
    achievedCps: 100,
    calls: 1000,
    successful: 1000,
    failed: 0,
    retransmissions: 0,
    trying: latency,
    setup: latency,
    copy: latency,
    cpuPercent: 50,
    machineBusyPercent: 60,
    peakKb: 100_000,
    serverLoopMaxMs: 12,
    udpDrops: 0,
    problem: null,
    ...over,
  };
}

describe('bench: SIPp response times and statistics', () => {
  it('reads every response time of the -trace_rtt file with its RTD name, skipping the header', () => {
    const samples = parseRttCsv(RTT);
    assert.equal(samples.length, 4);
    assert.deepEqual(samples[2], { atMs: 50.5, ms: 2, rtd: 'copy' });
  });

  it('takes percentiles by nearest rank and summarises one RTD only', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(sorted, 50), 50);
    assert.equal(percentile(sorted, 99), 99);
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.deepEqual(summarize(parseRttCsv(RTT), 'setup'), { count: 3, p50: 7, p95: 9, p99: 9 });
  });

  it('paces the achieved rate on the span of the setups and counts only successful calls', () => {
    const samples = Array.from({ length: 101 }, (_, i) => ({ atMs: i * 10, ms: 3, rtd: 'setup' }));
    assert.equal(achievedRate(samples, 101, 101), 100);
    assert.equal(achievedRate(samples, 50, 100), 50);
    assert.equal(achievedRate([], 0, 100), 0);
  });

  it('reads the counters of each -trace_stat dump, the elapsed time in seconds', () => {
    const csv = [
      'StartTime;ElapsedTime(C);TotalCallCreated;SuccessfulCall(C);FailedCall(C);CurrentCall;Retransmissions(C)',
      'x;00:00:01:500000;10;8;1;1;0',
      'x;00:01:02:250000;20;18;2;0;3',
    ].join('\n');
    const dumps = parseStatDumps(csv);
    assert.equal(dumps.length, 2);
    assert.deepEqual(
      { ...finalDump(dumps), raw: undefined },
      { elapsedS: 62.25, created: 20, successful: 18, failed: 2, current: 0, retransmissions: 3, raw: undefined },
    );
    assert.equal(parseElapsed('01:00:00'), 3600);
    assert.ok(Number.isNaN(parseElapsed('soon')));
  });

  it('passes a step only with no failed call, no SIPp problem and INVITE→ringing p99 within the bound', () => {
    assert.equal(stepPassed(step(), 200), true);
    assert.equal(stepPassed(step({ failed: 1 }), 200), false);
    assert.equal(stepPassed(step({ setup: { count: 10, p50: 5, p95: 20, p99: 201 } }), 200), false);
    assert.equal(stepPassed(step({ problem: 'SIPp killed at the deadline' }), 200), false);
    assert.equal(stepPassed(step({ setup: { count: 0, p50: NaN, p95: NaN, p99: NaN } }), 200), false);
  });
});

describe('bench: UDP drops', () => {
  it("reads Linux's count of datagrams dropped for full receive buffers from /proc/net/snmp", () => {
    const snmp = [
      'Ip: Forwarding DefaultTTL',
      'Ip: 1 64',
      'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors',
      'Udp: 2675928 5977 2771 2691224 2770 0',
      'UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors',
      'UdpLite: 0 0 0 0 0 0',
    ].join('\n');
    assert.equal(parseRcvbufErrors(snmp), 2770);
    assert.ok(Number.isNaN(parseRcvbufErrors('Ip: 1\n')));
  });
});

describe('bench: the step table', () => {
  it('shows a figure no run measured as a dash, not as zero', () => {
    const series = [
      {
        target: 'kamailio' as const,
        transport: 'udp' as const,
        steps: [step({ serverLoopMaxMs: NaN })],
        maxSustainedCps: 100,
        serverLog: {},
      },
    ];
    const row = stepTable(series, 50, true)
      .split('\n')
      .find((line) => line.startsWith('| kamailio'));
    assert.ok(row);
    assert.equal(row.split('|').map((cell) => cell.trim())[11], '–');
  });
});

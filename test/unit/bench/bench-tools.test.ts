import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { parseBenchOptions } from '../../../bench/load/bench-options';
import { checkpointsFor } from '../../../bench/load/concurrent-mode';
import { kbField, machineJiffies, ticksFromStat } from '../../../bench/load/process-sampler';
import { median } from '../../../bench/micro/measure';
import { nodeFlagsOf } from '../../../bench/load/server-under-test';
import { topSelfTimes } from '../../../bench/profile/cpu-profile-summary';
import { markdownTable, textTable } from '../../../bench/report/text-table';

describe('bench: options, /proc readings, profiles and tables', () => {
  it('defaults to both transports, three runs and the rising steps up to --max-rate', () => {
    const o = parseBenchOptions([]);
    assert.deepEqual(o.transports, ['udp', 'tcp']);
    assert.equal(o.runs, 3);
    assert.deepEqual(parseBenchOptions(['--max-rate', '200']).rates, [50, 100, 200]);
    assert.equal(o.copyShare, 0.1);
    assert.equal(o.kamailio, true);
    assert.equal(o.warmupSeconds, 5);
    assert.equal(parseBenchOptions(['--warmup-seconds', '0']).warmupSeconds, 0);
  });

  it('makes --quick one UDP run of short steps, and takes explicit rates and concurrent counts', () => {
    const q = parseBenchOptions(['--quick']);
    assert.deepEqual([q.transports, q.runs, q.rates], [['udp'], 1, [50, 200, 800]]);
    const o = parseBenchOptions(['--rates', '10,30', '--concurrent', '10000,50000', '--transport', 'tcp']);
    assert.deepEqual([o.rates, o.concurrent, o.transports], [[10, 30], [10_000, 50_000], ['tcp']]);
  });

  it('refuses an option out of range or without its value', () => {
    assert.throws(() => parseBenchOptions(['--copy-share', '2']), { code: 'BENCH.OPTIONS' });
    assert.throws(() => parseBenchOptions(['--runs']), { code: 'BENCH.OPTIONS' });
    assert.throws(() => parseBenchOptions(['--transport', 'sctp']), { code: 'BENCH.OPTIONS' });
  });

  it('checks memory at every tenth of the target and at each count asked for', () => {
    assert.deepEqual(checkpointsFor([250, 1000], 1000), [100, 200, 250, 300, 400, 500, 600, 700, 800, 900, 1000]);
  });

  it('reads CPU ticks after the command name even when it holds spaces and parentheses', () => {
    const fields = Array.from({ length: 20 }, (_, i) => String(i + 3));
    fields[11] = '150'; // utime, field 14
    fields[12] = '50'; // stime, field 15
    assert.equal(ticksFromStat(`1234 (node (bench) x) ${fields.join(' ')}`), 200);
  });

  it('reads kB fields of /proc status files and the busy share of /proc/stat', () => {
    assert.equal(kbField('Name:\tnode\nVmRSS:\t  123456 kB\n', 'VmRSS'), 123456);
    assert.equal(kbField('Pss:   42 kB\n', 'VmRSS'), 0);
    assert.deepEqual(machineJiffies('cpu  10 0 20 60 10 0 0 0 0 0\ncpu0 1 1 1 1 1 1 1 1'), { total: 100, idle: 70 });
  });

  it('ranks the functions of a CPU profile by self time', () => {
    const frame = (functionName: string) => ({ functionName, url: 'file:///x/dist/src/a.js', lineNumber: 9 });
    const top = topSelfTimes(
      {
        nodes: [
          { id: 1, callFrame: frame('(root)') },
          { id: 2, callFrame: frame('parse') },
          { id: 3, callFrame: frame('send') },
        ],
        samples: [2, 3, 2, 2],
        timeDeltas: [1000, 1000, 1000, 1000],
      },
      2,
    );
    assert.deepEqual(
      top.map((t) => [t.fn, t.selfMs, t.share]),
      [
        ['parse (dist/src/a.js:10)', 3, 0.75],
        ['send (dist/src/a.js:10)', 1, 0.25],
      ],
    );
  });

  it('aligns numbers right and text left, and writes the same rows as Markdown', () => {
    const text = textTable(
      ['name', 'ops/s'],
      [
        ['a', '1,000'],
        ['longer', '5'],
      ],
    );
    assert.equal(text, 'name    ops/s\n------  -----\na       1,000\nlonger      5\n');
    assert.equal(markdownTable(['a', 'b'], [['1', '2']]), '| a | b |\n| --- | --- |\n| 1 | 2 |\n');
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
  });

  it('runs the server with the node flags of npm start, which size V8 helper threads to the cores', () => {
    assert.deepEqual(nodeFlagsOf('exec node --v8-pool-size=0 --max-old-space-size=4096 dist/src/main.js'), [
      '--v8-pool-size=0',
      '--max-old-space-size=4096',
    ]);
    assert.deepEqual(nodeFlagsOf('exec node dist/src/main.js'), []);
    assert.deepEqual(nodeFlagsOf('tsx scripts/demo.ts'), []);
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
      scripts: { start: string };
    };
    // docs/performance.md, sixth round: V8's default four helper threads took the main thread's cores.
    assert.ok(nodeFlagsOf(pkg.scripts.start).includes('--v8-pool-size=0'), pkg.scripts.start);
  });
});

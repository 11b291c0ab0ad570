import { median } from '../micro/measure';
import { formatNumber, markdownTable, textTable } from '../report/text-table';
import type { StepResult } from './load-step';
import { stepPassed, type SeriesResult } from './load-series';

type Table = (header: readonly string[], rows: readonly (readonly string[])[]) => string;

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const med = (values: readonly number[]) => {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? NaN : median(finite);
};

/** Per target, transport and offered rate: the median of each figure over the runs that got to that step. */
export function stepTable(series: readonly SeriesResult[], boundMs: number, markdown: boolean): string {
  const table: Table = markdown ? markdownTable : textTable;
  const groups = new Map<string, StepResult[]>();
  for (const s of series) {
    for (const step of s.steps) {
      const key = `${s.target}|${s.transport}|${step.offeredCps}`;
      groups.set(key, [...(groups.get(key) ?? []), step]);
    }
  }
  const order = (key: string) => {
    const [target = '', transport = '', rate = '0'] = key.split('|');
    return `${target === 'ours' ? 0 : 1}${transport}${rate.padStart(8, '0')}`;
  };
  const sorted = [...groups.entries()].sort((a, b) => order(a[0]).localeCompare(order(b[0])));
  const rows = sorted.map(([key, steps]) => {
    const [target = '', transport = '', rate = ''] = key.split('|');
    const passed = steps.filter((s) => stepPassed(s, boundMs)).length;
    const pct = (pick: (s: StepResult) => number) => ms(med(steps.map(pick)));
    const hasCopy = steps.some((s) => s.copy.count > 0);
    return [
      target,
      transport,
      rate,
      formatNumber(med(steps.map((s) => s.achievedCps))),
      formatNumber(med(steps.map((s) => s.failed))),
      `${pct((s) => s.setup.p50)} / ${pct((s) => s.setup.p95)} / ${pct((s) => s.setup.p99)}`,
      hasCopy ? `${pct((s) => s.copy.p50)} / ${pct((s) => s.copy.p95)} / ${pct((s) => s.copy.p99)}` : '–',
      formatNumber(med(steps.map((s) => s.cpuPercent))),
      formatNumber(med(steps.map((s) => s.machineBusyPercent))),
      formatNumber(med(steps.map((s) => s.peakKb)) / 1024, 1),
      pct((s) => s.serverLoopMaxMs),
      formatNumber(med(steps.map((s) => s.udpDrops))),
      `${passed}/${steps.length}`,
    ];
  });
  const header = [
    'target',
    'transport',
    'offered cps',
    'achieved cps',
    'failed',
    'INVITE→183/180 p50/p95/p99 ms',
    'copy→offer p50/p95/p99 ms',
    'CPU %',
    'machine busy %',
    'peak RSS MB',
    'server loop max ms',
    'UDP drops',
    'passed',
  ];
  return table(header, rows);
}

/** Per transport: the median over runs of the highest passing rate, ours against Kamailio, and their ratio. */
export function summaryTable(series: readonly SeriesResult[], markdown: boolean): string {
  const table: Table = markdown ? markdownTable : textTable;
  const transports = [...new Set(series.map((s) => s.transport))];
  const rows = transports.map((transport) => {
    const best = (target: string) =>
      med(series.filter((s) => s.transport === transport && s.target === target).map((s) => s.maxSustainedCps));
    const ours = best('ours');
    const kamailio = best('kamailio');
    const ratio = Number.isFinite(ours) && Number.isFinite(kamailio) && kamailio > 0 ? ours / kamailio : NaN;
    return [
      transport,
      formatNumber(ours),
      formatNumber(kamailio),
      Number.isFinite(ratio) ? `${(ratio * 100).toFixed(0)}%` : '–',
    ];
  });
  return table(['transport', 'ours: max sustained cps', 'Kamailio: max sustained cps', 'ours / Kamailio'], rows);
}

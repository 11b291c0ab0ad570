import { readdir, readFile } from 'node:fs/promises';

/** Linux's USER_HZ, the unit of utime/stime in /proc/<pid>/stat (100 on every architecture Linux ships). */
const TICKS_PER_SECOND = 100;
const SAMPLE_EVERY_MS = 200;

/** utime + stime of one process, in clock ticks; 0 once it is gone. */
export async function cpuTicks(pid: number): Promise<number> {
  const text = await readOrNull(`/proc/${pid}/stat`);
  return text === null ? 0 : ticksFromStat(text);
}

/** Fields 14 and 15 of /proc/<pid>/stat; the command name (field 2) may hold spaces, so count from its `)`. */
export function ticksFromStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

/** A `kB` line of /proc/<pid>/status or smaps_rollup (`VmRSS:`, `Pss:`), in kB; 0 when absent. */
export function kbField(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Resident memory of one process in kB: VmRSS, or Pss (shared pages split among sharers) for a process family. */
export async function residentKb(pid: number, measure: 'rss' | 'pss'): Promise<number> {
  if (measure === 'rss') return kbField((await readOrNull(`/proc/${pid}/status`)) ?? '', 'VmRSS');
  return kbField((await readOrNull(`/proc/${pid}/smaps_rollup`)) ?? '', 'Pss');
}

/** `pid` and its direct children (Kamailio's workers), from the parent PID field of /proc/<n>/stat. */
export async function processFamily(pid: number): Promise<number[]> {
  const out = [pid];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readOrNull(`/proc/${entry}/stat`);
    if (stat === null) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(entry));
  }
  return out;
}

/** Jiffies of the whole machine from the `cpu` line of /proc/stat: all, and those spent idle or waiting for I/O. */
export function machineJiffies(procStat: string): { total: number; idle: number } {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu ')) ?? '';
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return { total, idle: (values[3] ?? 0) + (values[4] ?? 0) };
}

async function readMachineJiffies(): Promise<{ total: number; idle: number }> {
  return machineJiffies((await readOrNull('/proc/stat')) ?? '');
}

export interface UsageWindow {
  /** CPU time over wall time, in percent of one core (a multi-process server can exceed 100). */
  readonly cpuPercent: number;
  /** Highest resident memory seen while sampling, in kB. */
  readonly peakKb: number;
  /** How busy the whole machine was (every core, every process), in percent of its capacity. */
  readonly machineBusyPercent: number;
  /** Resident memory at the end of the window, in kB. */
  readonly endKb: number;
  /** Every sample taken: milliseconds since the window opened, and kB. */
  readonly samples: readonly { readonly atMs: number; readonly kb: number }[];
}

/**
 * Samples the CPU and memory of a set of processes between `start()` and `stop()`: CPU from the
 * tick counters at both ends, memory every 200 ms (the timer is unref'd and stopped by `stop()`).
 */
export class ProcessSampler {
  private startTicks = 0;
  private startMachine = { total: 0, idle: 0 };
  private startedAt = 0;
  private readonly samples: { atMs: number; kb: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly pids: readonly number[],
    private readonly measure: 'rss' | 'pss',
  ) {}

  async start(): Promise<void> {
    this.startTicks = await this.ticks();
    this.startMachine = await readMachineJiffies();
    this.startedAt = Date.now();
    await this.sample();
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.sample());
    }, SAMPLE_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<UsageWindow> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sampling;
    await this.sample();
    const wallS = (Date.now() - this.startedAt) / 1000;
    const cpuS = ((await this.ticks()) - this.startTicks) / TICKS_PER_SECOND;
    const kbs = this.samples.map((s) => s.kb);
    const machine = await readMachineJiffies();
    const total = machine.total - this.startMachine.total;
    return {
      cpuPercent: wallS > 0 ? (100 * cpuS) / wallS : 0,
      machineBusyPercent: total > 0 ? (100 * (total - (machine.idle - this.startMachine.idle))) / total : 0,
      peakKb: kbs.reduce((a, b) => Math.max(a, b), 0),
      endKb: kbs[kbs.length - 1] ?? 0,
      samples: [...this.samples],
    };
  }

  private async ticks(): Promise<number> {
    let sum = 0;
    for (const pid of this.pids) sum += await cpuTicks(pid);
    return sum;
  }

  private async sample(): Promise<void> {
    let kb = 0;
    for (const pid of this.pids) kb += await residentKb(pid, this.measure);
    this.samples.push({ atMs: Date.now() - this.startedAt, kb });
  }
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return null;
    throw err;
  }
}

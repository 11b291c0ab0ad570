import { setImmediate as tick } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';

export interface MemorySample {
  /** V8 heap in use after a full garbage collection, in MiB. */
  readonly heapUsedMb: number;
  /** Resident set size of the process, in MiB. */
  readonly rssMb: number;
  /** Whether a full GC ran first (the figures are then what is really retained). */
  readonly collected: boolean;
}

let gc: (() => void) | null | undefined;

/** `global.gc` without `--expose-gc` on the command line: the flag set at run time, gc read from a fresh context. */
function collector(): (() => void) | null {
  if (gc !== undefined) return gc;
  try {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  } catch {
    gc = null;
  }
  return gc;
}

/** The process's memory after collecting what can be collected (two passes, with a tick between). */
export async function sampleMemory(): Promise<MemorySample> {
  const collect = collector();
  if (collect) {
    collect();
    await tick();
    collect();
  }
  const usage = process.memoryUsage();
  const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
  return { heapUsedMb: mb(usage.heapUsed), rssMb: mb(usage.rss), collected: collect !== null };
}

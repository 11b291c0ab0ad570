import { readFile } from 'node:fs/promises';

/** The parts of a V8 `.heapsnapshot` (what `--heapsnapshot-signal` writes) that the summary reads. */
interface HeapSnapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: unknown[] } };
  readonly nodes: number[];
  readonly strings: string[];
}

export interface HeapGroup {
  /** `Constructor` for objects, `closure name()` for functions, the V8 type for the rest (`string`, `array`...). */
  readonly what: string;
  readonly count: number;
  readonly selfBytes: number;
}

/** Self size by constructor (or V8 node type), largest first: where the live heap goes. */
export function heapGroups(snapshot: HeapSnapshot, limit: number): HeapGroup[] {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = (snapshot.snapshot.meta.node_types[0] ?? []) as string[];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, { count: number; selfBytes: number }>();
  for (let i = 0; i + width <= snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt] ?? -1] ?? '?';
    const name = snapshot.strings[snapshot.nodes[i + nameAt] ?? -1] ?? '?';
    const what = type === 'object' ? name : type === 'closure' ? `closure ${name}()` : type;
    const g = groups.get(what) ?? { count: 0, selfBytes: 0 };
    g.count++;
    g.selfBytes += snapshot.nodes[i + sizeAt] ?? 0;
    groups.set(what, g);
  }
  return [...groups.entries()]
    .map(([what, g]) => ({ what, ...g }))
    .sort((a, b) => b.selfBytes - a.selfBytes)
    .slice(0, limit);
}

export async function readHeapSnapshot(path: string): Promise<HeapSnapshot> {
  return JSON.parse(await readFile(path, 'utf8')) as HeapSnapshot;
}

import { formatNumber, textTable } from '../report/text-table';
import { bytesByOwner, retainedByConstructor } from './heap-dominators';
import { heapGroups, heapHolders, type HeapGroup, type HeapSnapshot } from './heap-snapshot-summary';

/**
 * The largest groups of a snapshot by self size, per call held when it was taken, then what holds
 * the largest of them (each member's first strong retainer): where the bytes of one call go.
 */
export function heapReport(snapshot: HeapSnapshot, calls: number, top = 25): string {
  const per = Math.max(1, calls);
  const rows = (list: readonly HeapGroup[]) =>
    list.map((g) => [
      g.what,
      formatNumber(g.count / per, 1),
      formatNumber(g.selfBytes / 1024 / 1024, 1),
      formatNumber(g.selfBytes / per, 0),
    ]);
  const header = ['constructor or type', 'per call', 'self MB', 'bytes per call'];
  const groups = heapGroups(snapshot, top);
  const total = heapGroups(snapshot, Infinity).reduce((sum, g) => sum + g.selfBytes, 0);
  let out = `live heap ${formatNumber(total / 1024 / 1024, 1)} MB, ${formatNumber(total / per, 0)} bytes per call\n`;
  out += textTable(header, rows(groups));
  const named = groups.slice(0, 8).map((g) => g.what);
  for (const { what, holders } of heapHolders(snapshot, named, 6)) {
    out += `\nheld by (first retainer): ${what}\n${textTable(header, rows(holders))}`;
  }
  // Retained sizes (dominator tree) of the objects there are about one of per call or more.
  const retained = retainedByConstructor(snapshot, Math.ceil(per / 2), top).map((g) => [
    g.what,
    formatNumber(g.count / per, 1),
    formatNumber(g.retainedBytes / g.count, 0),
    formatNumber(g.retainedBytes / per, 0),
  ]);
  out += `\nretained (what freeing them would free; nested ones overlap)\n`;
  out += textTable(['constructor', 'per call', 'retained bytes each', 'retained bytes per call'], retained);
  // The same heap split without overlap: each byte to its nearest owner among the per-call classes.
  const owners = [
    ...retainedByConstructor(snapshot, Math.ceil(per / 2), 100)
      .map((g) => g.what)
      .filter((what) => !GENERIC.has(what)),
    'Map',
    'Set',
  ];
  const split = bytesByOwner(snapshot, owners)
    .slice(0, top)
    .map((g) => [g.what, formatNumber(g.count / per, 1), formatNumber(g.selfBytes / per, 0)]);
  out += `\nbytes per call by owner (nearest dominator among the per-call classes, Map and Set)\n`;
  out += textTable(['owner', 'per call', 'bytes per call'], split);
  return out;
}

/** Constructors too general to name an owner (they belong to whatever holds them). */
const GENERIC: ReadonlySet<string> = new Set([
  'Object',
  'Array',
  'system / Context',
  'Buffer',
  'ArrayBuffer',
  'Promise',
]);

import { retainedSizes } from './heap-dominators';
import type { HeapSnapshot } from './heap-snapshot-summary';

/** One property path below the instances of a class, averaged over them. */
export interface HeapPath {
  /** `.a:IncomingInvite.request:SipRequest`: property names and what each leads to. */
  readonly path: string;
  /** Instances of the path per instance of the class (below 1 where only some have it). */
  readonly perInstance: number;
  /** Average self size of what the path leads to, per instance of the class. */
  readonly selfBytes: number;
  /** Average retained size (dominator tree) of what it leads to: a shared object shows under every instance. */
  readonly retainedBytes: number;
}

/**
 * What the instances of `className` hold, by property path down to `depth`, with self and retained
 * sizes averaged over the instances: which field of a call's session, say, keeps the bytes. Weak
 * edges, maps and prototypes are not followed; each object is counted once per instance.
 */
export function heapPaths(snapshot: HeapSnapshot, className: string, depth: number): HeapPath[] {
  const meta = snapshot.snapshot.meta;
  const width = meta.node_fields.length;
  const edgeFields = meta.edge_fields ?? ['type', 'name_or_index', 'to_node'];
  const eWidth = edgeFields.length;
  const nodeTypes = (meta.node_types[0] ?? []) as string[];
  const edgeTypes = (meta.edge_types?.[0] ?? []) as string[];
  const [typeAt, nameAt, sizeAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) =>
    meta.node_fields.indexOf(f),
  ) as [number, number, number, number];
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => edgeFields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const nodes = snapshot.nodes;
  const edges = snapshot.edges ?? [];
  const count = Math.floor(nodes.length / width);
  const firstEdge = new Uint32Array(count + 1);
  for (let n = 0, e = 0; n < count; n++) {
    firstEdge[n] = e;
    e += (nodes[n * width + edgeCountAt] ?? 0) * eWidth;
  }
  firstEdge[count] = edges.length;
  const retained = retainedSizes(snapshot);
  const type = (n: number) => nodeTypes[nodes[n * width + typeAt] ?? -1] ?? '?';
  const name = (n: number) => snapshot.strings[nodes[n * width + nameAt] ?? -1] ?? '?';
  const sums = new Map<string, { n: number; self: number; retained: number }>();
  let instances = 0;

  const walk = (from: number, path: string, level: number, seen: Set<number>): void => {
    for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e += eWidth) {
      const kind = edgeTypes[edges[e + eType] ?? -1];
      if (kind === 'weak') continue;
      const label =
        kind === 'element' || kind === 'hidden' ? `#${edges[e + eName]}` : snapshot.strings[edges[e + eName] ?? -1];
      if (label === 'map' || label === '__proto__') continue;
      const to = Math.floor((edges[e + eTo] ?? 0) / width);
      if (seen.has(to)) continue;
      seen.add(to);
      const at = `${path}.${label}:${name(to).slice(0, 24)}`;
      const sum = sums.get(at) ?? { n: 0, self: 0, retained: 0 };
      sum.n++;
      sum.self += nodes[to * width + sizeAt] ?? 0;
      sum.retained += retained[to] ?? 0;
      sums.set(at, sum);
      if (level < depth && type(to) !== 'string' && type(to) !== 'number' && type(to) !== 'code') {
        walk(to, at, level + 1, seen);
      }
    }
  };
  for (let n = 0; n < count; n++) {
    if (type(n) !== 'object' || name(n) !== className) continue;
    instances++;
    walk(n, '', 1, new Set([n]));
  }
  const per = Math.max(1, instances);
  return [...sums.entries()]
    .map(([path, s]) => ({ path, perInstance: s.n / per, selfBytes: s.self / per, retainedBytes: s.retained / per }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

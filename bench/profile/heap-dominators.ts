import type { HeapGroup, HeapSnapshot } from './heap-snapshot-summary';

/** Average retained size of the instances of one constructor: what freeing one of them would free. */
export interface RetainedGroup extends HeapGroup {
  readonly retainedBytes: number;
}

/**
 * Retained sizes from the dominator tree of the snapshot graph (weak edges ignored), by the iterative
 * algorithm of Cooper, Harvey and Kennedy ("A Simple, Fast Dominance Algorithm", 2001). Groups are
 * constructors (`SipRequest`, `Dialog`...): nested ones overlap (a request inside a transaction counts
 * in both). Only groups with at least `minCount` instances are listed, largest retained total first.
 */
export function retainedByConstructor(snapshot: HeapSnapshot, minCount: number, limit: number): RetainedGroup[] {
  const graph = strongGraph(snapshot);
  const retained = retainedOf(graph, dominators(graph));
  const groups = new Map<string, { count: number; selfBytes: number; retainedBytes: number }>();
  for (let n = 0; n < graph.count; n++) {
    if (graph.type(n) !== 'object') continue;
    const what = graph.name(n);
    const g = groups.get(what) ?? { count: 0, selfBytes: 0, retainedBytes: 0 };
    g.count++;
    g.selfBytes += graph.selfSize[n] ?? 0;
    g.retainedBytes += retained[n] ?? 0;
    groups.set(what, g);
  }
  return [...groups.entries()]
    .map(([what, g]) => ({ what, ...g }))
    .filter((g) => g.count >= minCount)
    .sort((a, b) => b.retainedBytes - a.retainedBytes)
    .slice(0, limit);
}

/** Retained size of every node, by node ordinal (0 for nodes the root does not reach). */
export function retainedSizes(snapshot: HeapSnapshot): Float64Array {
  const graph = strongGraph(snapshot);
  return retainedOf(graph, dominators(graph));
}

/**
 * Every byte of the heap given to its nearest dominator (itself included) whose constructor is one of
 * `owners`, or to `(other)`; `count` is the number of owning instances. An exclusive split of what a
 * call costs among the objects that make it up, largest first.
 */
export function bytesByOwner(snapshot: HeapSnapshot, owners: readonly string[]): HeapGroup[] {
  const graph = strongGraph(snapshot);
  const { idom, order } = dominators(graph);
  const wanted = new Set(owners);
  const owner = new Int32Array(graph.count).fill(-1);
  const groups = new Map<string, { count: number; selfBytes: number }>();
  // Reverse postorder reaches a dominator before the nodes it dominates.
  for (let p = order.length - 1; p >= 0; p--) {
    const n = order[p]!;
    const isOwner = graph.type(n) === 'object' && wanted.has(graph.name(n));
    const d = idom[n]!;
    owner[n] = isOwner ? n : d >= 0 && d !== n ? owner[d]! : -1;
    const what = owner[n]! < 0 ? '(other)' : graph.name(owner[n]!);
    const g = groups.get(what) ?? { count: 0, selfBytes: 0 };
    if (isOwner) g.count++;
    g.selfBytes += graph.selfSize[n]!;
    groups.set(what, g);
  }
  return [...groups.entries()].map(([what, g]) => ({ what, ...g })).sort((a, b) => b.selfBytes - a.selfBytes);
}

interface StrongGraph {
  readonly count: number;
  readonly selfSize: Float64Array;
  /** Successors of node n: targets[firstEdge[n] .. firstEdge[n + 1]). */
  readonly firstEdge: Uint32Array;
  readonly targets: Uint32Array;
  type(n: number): string;
  name(n: number): string;
}

function strongGraph(snapshot: HeapSnapshot): StrongGraph {
  const meta = snapshot.snapshot.meta;
  const fields = meta.node_fields;
  const width = fields.length;
  const edgeFields = meta.edge_fields ?? ['type', 'name_or_index', 'to_node'];
  const eWidth = edgeFields.length;
  const edges = snapshot.edges ?? [];
  const nodes = snapshot.nodes;
  const count = Math.floor(nodes.length / width);
  const types = (meta.node_types[0] ?? []) as string[];
  const weak = ((meta.edge_types?.[0] ?? []) as string[]).indexOf('weak');
  const [typeAt, nameAt, sizeAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) =>
    fields.indexOf(f),
  ) as [number, number, number, number];
  const eType = edgeFields.indexOf('type');
  const eTo = edgeFields.indexOf('to_node');
  const selfSize = new Float64Array(count);
  const firstEdge = new Uint32Array(count + 1);
  const targets = new Uint32Array(Math.floor(edges.length / eWidth));
  let e = 0;
  let kept = 0;
  for (let n = 0; n < count; n++) {
    selfSize[n] = nodes[n * width + sizeAt] ?? 0;
    firstEdge[n] = kept;
    const end = e + (nodes[n * width + edgeCountAt] ?? 0) * eWidth;
    for (; e < end; e += eWidth) {
      if (edges[e + eType] !== weak) targets[kept++] = (edges[e + eTo] ?? 0) / width;
    }
  }
  firstEdge[count] = kept;
  return {
    count,
    selfSize,
    firstEdge,
    targets,
    type: (n) => types[nodes[n * width + typeAt] ?? -1] ?? '?',
    name: (n) => snapshot.strings[nodes[n * width + nameAt] ?? -1] ?? '?',
  };
}

interface Dominators {
  /** Immediate dominator by node ordinal; the root's is itself, -1 for nodes the root does not reach. */
  readonly idom: Int32Array;
  /** The reached nodes in depth-first postorder (the root last). */
  readonly order: Uint32Array;
}

/** Node 0 is the root. */
function dominators(g: StrongGraph): Dominators {
  const { count, firstEdge, targets } = g;
  // Postorder by an iterative depth-first search from the root.
  const post = new Int32Array(count).fill(-1); // node -> postorder number
  const order = new Uint32Array(count); // postorder number -> node
  const visited = new Uint8Array(count);
  const stack = new Uint32Array(count);
  const cursor = new Uint32Array(count);
  let top = 0;
  let reached = 0;
  stack[top++] = 0;
  visited[0] = 1;
  cursor[0] = firstEdge[0]!;
  while (top > 0) {
    const n = stack[top - 1]!;
    if (cursor[n]! < firstEdge[n + 1]!) {
      const to = targets[cursor[n]!++]!;
      if (!visited[to]) {
        visited[to] = 1;
        cursor[to] = firstEdge[to]!;
        stack[top++] = to;
      }
    } else {
      top--;
      post[n] = reached;
      order[reached++] = n;
    }
  }
  // Predecessors of the reached nodes, as a second adjacency list.
  const firstPred = new Uint32Array(count + 1);
  for (let n = 0; n < count; n++) {
    if (post[n]! < 0) continue;
    for (let k = firstEdge[n]!; k < firstEdge[n + 1]!; k++) firstPred[targets[k]! + 1]!++;
  }
  for (let n = 0; n < count; n++) firstPred[n + 1]! += firstPred[n]!;
  const preds = new Uint32Array(firstPred[count]!);
  const fill = firstPred.slice(0, count);
  for (let n = 0; n < count; n++) {
    if (post[n]! < 0) continue;
    for (let k = firstEdge[n]!; k < firstEdge[n + 1]!; k++) preds[fill[targets[k]!]!++] = n;
  }
  // Immediate dominators by postorder number, iterated to a fixed point in reverse postorder.
  const idomPost = new Int32Array(reached).fill(-1);
  const rootPost = post[0]!;
  idomPost[rootPost] = rootPost;
  for (let changed = true; changed;) {
    changed = false;
    for (let p = reached - 1; p >= 0; p--) {
      if (p === rootPost) continue;
      const n = order[p]!;
      let best = -1;
      for (let k = firstPred[n]!; k < firstPred[n + 1]!; k++) {
        const q = post[preds[k]!]!;
        if (q < 0 || idomPost[q] === -1) continue;
        best = best === -1 ? q : intersect(idomPost, q, best);
      }
      if (best !== -1 && idomPost[p] !== best) {
        idomPost[p] = best;
        changed = true;
      }
    }
  }
  const idom = new Int32Array(count).fill(-1);
  for (let p = 0; p < reached; p++) idom[order[p]!] = idomPost[p]! < 0 ? -1 : order[idomPost[p]!]!;
  return { idom, order: order.subarray(0, reached) };
}

/** Retained sizes: postorder visits every node before its dominator, which adds what it retains. */
function retainedOf(g: StrongGraph, { idom, order }: Dominators): Float64Array {
  const retained = new Float64Array(g.count);
  for (const n of order) {
    retained[n]! += g.selfSize[n]!;
    const d = idom[n]!;
    if (d >= 0 && d !== n) retained[d]! += retained[n]!;
  }
  return retained;
}

function intersect(idom: Int32Array, a: number, b: number): number {
  let x = a;
  let y = b;
  while (x !== y) {
    while (x < y) x = idom[x]!;
    while (y < x) y = idom[y]!;
  }
  return x;
}

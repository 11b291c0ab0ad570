import { createReadStream } from 'node:fs';

/**
 * The parts of a V8 `.heapsnapshot` (what `--heapsnapshot-signal` writes) that the summary reads. Nodes
 * and edges are flat integer arrays (`node_fields` and `edge_fields` per entry), as in the file.
 */
export interface HeapSnapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: string[];
      readonly node_types: unknown[];
      readonly edge_fields?: string[];
      readonly edge_types?: unknown[];
    };
  };
  readonly nodes: ArrayLike<number>;
  readonly edges?: ArrayLike<number>;
  readonly strings: string[];
}

export interface HeapGroup {
  /** `Constructor` for objects, `closure name()` for functions, the V8 type for the rest (`string`, `array`...). */
  readonly what: string;
  readonly count: number;
  readonly selfBytes: number;
}

/** What holds the members of one group: the group of each member's first strong retainer. */
export interface HeapHolders {
  readonly what: string;
  readonly holders: readonly HeapGroup[];
}

/** Self size by constructor (or V8 node type), largest first: where the live heap goes. */
export function heapGroups(snapshot: HeapSnapshot, limit: number): HeapGroup[] {
  const view = nodeView(snapshot);
  const groups = new Map<string, { count: number; selfBytes: number }>();
  for (let n = 0; n < view.count; n++) {
    const what = view.what(n);
    const g = groups.get(what) ?? { count: 0, selfBytes: 0 };
    g.count++;
    g.selfBytes += view.selfSize(n);
    groups.set(what, g);
  }
  return largest(groups, limit);
}

/**
 * For each group named, which groups hold its members (by the first strong edge that points at each
 * member), largest first: strings held by `SipHeaders` fields, arrays held by `Map`s, and so on.
 */
export function heapHolders(snapshot: HeapSnapshot, names: readonly string[], limit: number): HeapHolders[] {
  const view = nodeView(snapshot);
  const edges = snapshot.edges;
  const edgeFields = snapshot.snapshot.meta.edge_fields;
  if (!edges || !edgeFields) return [];
  const edgeTypes = (snapshot.snapshot.meta.edge_types?.[0] ?? []) as string[];
  const eWidth = edgeFields.length;
  const eType = edgeFields.indexOf('type');
  const eTo = edgeFields.indexOf('to_node');
  const weak = edgeTypes.indexOf('weak');
  const wanted = new Set(names);
  const firstHolder = new Int32Array(view.count).fill(-1);
  let e = 0;
  for (let n = 0; n < view.count; n++) {
    const end = e + view.edgeCount(n) * eWidth;
    for (; e < end; e += eWidth) {
      if (edges[e + eType] === weak) continue;
      const to = (edges[e + eTo] ?? 0) / view.width;
      if (firstHolder[to] === -1 && wanted.has(view.what(to))) firstHolder[to] = n;
    }
  }
  const byGroup = new Map<string, Map<string, { count: number; selfBytes: number }>>();
  for (let n = 0; n < view.count; n++) {
    const holder = firstHolder[n] ?? -1;
    if (holder < 0) continue;
    const what = view.what(n);
    let holders = byGroup.get(what);
    if (!holders) byGroup.set(what, (holders = new Map()));
    const key = view.what(holder);
    const g = holders.get(key) ?? { count: 0, selfBytes: 0 };
    g.count++;
    g.selfBytes += view.selfSize(n);
    holders.set(key, g);
  }
  return names.map((what) => ({ what, holders: largest(byGroup.get(what) ?? new Map(), limit) }));
}

function largest(groups: Map<string, { count: number; selfBytes: number }>, limit: number): HeapGroup[] {
  return [...groups.entries()]
    .map(([what, g]) => ({ what, ...g }))
    .sort((a, b) => b.selfBytes - a.selfBytes)
    .slice(0, limit);
}

function nodeView(snapshot: HeapSnapshot) {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = (snapshot.snapshot.meta.node_types[0] ?? []) as string[];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const edgeCountAt = fields.indexOf('edge_count');
  const nodes = snapshot.nodes;
  return {
    width,
    count: Math.floor(nodes.length / width),
    selfSize: (n: number): number => nodes[n * width + sizeAt] ?? 0,
    edgeCount: (n: number): number => nodes[n * width + edgeCountAt] ?? 0,
    what: (n: number): string => {
      const type = types[nodes[n * width + typeAt] ?? -1] ?? '?';
      const name = snapshot.strings[nodes[n * width + nameAt] ?? -1] ?? '?';
      return type === 'object' ? name : type === 'closure' ? `closure ${name}()` : type;
    },
  };
}

/**
 * Reads a snapshot as a stream: a snapshot of tens of thousands of calls is larger than the longest
 * string V8 allows, so neither `readFile(..., 'utf8')` nor `JSON.parse` can take it whole. The
 * header is parsed as JSON, `nodes` and `edges` are scanned into typed arrays and `strings` one by one.
 */
export async function readHeapSnapshot(path: string): Promise<HeapSnapshot> {
  const reader = new SnapshotReader();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) reader.push(chunk as Buffer);
  return reader.result();
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;

type Section = 'header' | 'skip' | 'numbers' | 'strings' | 'done';

/** A byte-level state machine over the snapshot text; chunk boundaries may fall anywhere. */
class SnapshotReader {
  private section: Section = 'header';
  private header = '';
  private meta: HeapSnapshot['snapshot'] | null = null;
  private nodes = new Uint32Array(0);
  private edges = new Uint32Array(0);
  private target: Uint32Array | null = null;
  private filled = 0;
  private number = -1;
  private pending = ''; // text of the section names seen while skipping
  private readonly strings: string[] = [];
  private stringParts: Buffer[] | null = null;
  private escaped = false;
  private stringHasEscape = false;

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      switch (this.section) {
        case 'header':
          i = this.readHeader(chunk, i);
          break;
        case 'skip':
          i = this.skipToSection(chunk, i);
          break;
        case 'numbers':
          i = this.readNumbers(chunk, i);
          break;
        case 'strings':
          i = this.readStrings(chunk, i);
          break;
        case 'done':
          return;
      }
    }
  }

  result(): HeapSnapshot {
    if (!this.meta) throw new Error('not a heap snapshot: no header');
    return { snapshot: this.meta, nodes: this.nodes, edges: this.edges, strings: this.strings };
  }

  /** `{"snapshot":{...},` up to `"nodes":[`: parsed as JSON once complete. */
  private readHeader(chunk: Buffer, from: number): number {
    this.header += chunk.toString('latin1', from, Math.min(chunk.length, from + 65_536));
    const at = this.header.indexOf('"nodes":[');
    if (at < 0) {
      if (this.header.length > 1 << 20) throw new Error('not a heap snapshot: no nodes');
      return Math.min(chunk.length, from + 65_536);
    }
    const head = JSON.parse(this.header.slice(0, at).replace(/,\s*$/, '') + '}') as {
      snapshot: HeapSnapshot['snapshot'] & { node_count: number; edge_count: number };
    };
    this.meta = head.snapshot;
    this.nodes = new Uint32Array(head.snapshot.node_count * head.snapshot.meta.node_fields.length);
    this.edges = new Uint32Array(head.snapshot.edge_count * (head.snapshot.meta.edge_fields?.length ?? 3));
    const consumed = this.header.length - (at + '"nodes":['.length);
    this.header = '';
    this.startNumbers(this.nodes);
    return Math.min(chunk.length, from + 65_536) - consumed;
  }

  private startNumbers(target: Uint32Array): void {
    this.section = 'numbers';
    this.target = target;
    this.filled = 0;
    this.number = -1;
  }

  private readNumbers(chunk: Buffer, from: number): number {
    const target = this.target!;
    for (let i = from; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c >= 0x30 && c <= 0x39) {
        this.number = this.number < 0 ? c - 0x30 : this.number * 10 + (c - 0x30);
        continue;
      }
      if (this.number >= 0) {
        if (this.filled < target.length) target[this.filled] = this.number;
        this.filled++;
        this.number = -1;
      }
      if (c === CLOSE_BRACKET) {
        this.section = 'skip';
        this.pending = '';
        return i + 1;
      }
    }
    return chunk.length;
  }

  /** Between arrays: finds `"edges":[` or `"strings":[`, skipping the arrays in between. */
  private skipToSection(chunk: Buffer, from: number): number {
    for (let i = from; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c !== 0x5b /* [ */) {
        if (this.pending.length < 64) this.pending += String.fromCharCode(c);
        continue;
      }
      const name = /"(\w+)"\s*:\s*$/.exec(this.pending)?.[1];
      this.pending = '';
      if (name === 'edges') {
        this.startNumbers(this.edges);
      } else if (name === 'strings') {
        this.section = 'strings';
      } else {
        this.startNumbers(new Uint32Array(0)); // trace_function_infos, samples...: numbers, dropped
      }
      return i + 1;
    }
    return chunk.length;
  }

  private readStrings(chunk: Buffer, from: number): number {
    let i = from;
    while (i < chunk.length) {
      if (this.stringParts === null) {
        const c = chunk[i]!;
        if (c === QUOTE) {
          this.stringParts = [];
          this.stringHasEscape = false;
          this.escaped = false;
        } else if (c === CLOSE_BRACKET) {
          this.section = 'done';
          return chunk.length;
        }
        i++;
        continue;
      }
      const start = i;
      for (; i < chunk.length; i++) {
        const c = chunk[i]!;
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = this.stringHasEscape = true;
        else if (c === QUOTE) break;
      }
      this.stringParts.push(chunk.subarray(start, i));
      if (i < chunk.length) {
        const raw = Buffer.concat(this.stringParts).toString('utf8');
        this.strings.push(this.stringHasEscape ? (JSON.parse(`"${raw}"`) as string) : raw);
        this.stringParts = null;
        i++;
      }
    }
    return i;
  }
}

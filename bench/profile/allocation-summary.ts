import { readFile } from 'node:fs/promises';

/** The parts of V8's sampling heap profile (`HeapProfiler.stopSampling`) read here. */
export interface AllocationNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly AllocationNode[];
}

export interface AllocationProfile {
  readonly head: AllocationNode;
}

export interface AllocationSite {
  /** `function file:line` (line 1-based), `(anonymous)` for a function without a name. */
  readonly fn: string;
  readonly bytes: number;
  /** Of all bytes sampled. */
  readonly share: number;
}

export async function readAllocationProfile(file: string): Promise<AllocationProfile> {
  return JSON.parse(await readFile(file, 'utf8')) as AllocationProfile;
}

/** The functions that allocated most themselves (not through what they called), largest first. */
export function topAllocationSites(profile: AllocationProfile, n: number): { total: number; sites: AllocationSite[] } {
  const bytes = new Map<string, number>();
  let total = 0;
  const pending: AllocationNode[] = [profile.head];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.slice(url.lastIndexOf('/') + 1);
    const fn = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    bytes.set(fn, (bytes.get(fn) ?? 0) + node.selfSize);
    total += node.selfSize;
    pending.push(...node.children);
  }
  const sites = [...bytes]
    .filter(([, b]) => b > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([fn, b]) => ({ fn, bytes: b, share: total === 0 ? 0 : b / total }));
  return { total, sites };
}

/**
 * The parameters of a header or URI (`;branch=z9hG4bK..;rport`), in order, first occurrence of each
 * name kept. A ReadonlyMap over one flat array (name, value, name, value...): a header has one to four
 * parameters, and a Map costs about 200 bytes even when empty, so messages a call keeps for its whole
 * life are much lighter this way. Lookups scan, which for so few entries is faster than hashing.
 */
export class ParamList implements ReadonlyMap<string, string | null> {
  private readonly items: readonly (string | null)[];

  /** `items` alternates names (lower-case, distinct) and values; it is kept, not copied. */
  constructor(items: readonly (string | null)[]) {
    this.items = items;
  }

  get size(): number {
    return this.items.length >> 1;
  }

  get(name: string): string | null | undefined {
    const items = this.items;
    for (let i = 0; i < items.length; i += 2) if (items[i] === name) return items[i + 1];
    return undefined;
  }

  has(name: string): boolean {
    const items = this.items;
    for (let i = 0; i < items.length; i += 2) if (items[i] === name) return true;
    return false;
  }

  forEach(fn: (value: string | null, key: string, map: ReadonlyMap<string, string | null>) => void): void {
    const items = this.items;
    for (let i = 0; i < items.length; i += 2) fn(items[i + 1] ?? null, items[i] as string, this);
  }

  *entries(): MapIterator<[string, string | null]> {
    const items = this.items;
    for (let i = 0; i < items.length; i += 2) yield [items[i] as string, items[i + 1] ?? null];
  }

  *keys(): MapIterator<string> {
    const items = this.items;
    for (let i = 0; i < items.length; i += 2) yield items[i] as string;
  }

  *values(): MapIterator<string | null> {
    const items = this.items;
    for (let i = 0; i < items.length; i += 2) yield items[i + 1] ?? null;
  }

  [Symbol.iterator](): MapIterator<[string, string | null]> {
    return this.entries();
  }
}

/** The one empty list every parameterless header and URI shares. */
export const NO_PARAMS: ReadonlyMap<string, string | null> = new ParamList([]);

/** Parameter names nearly every message carries, by length: matched in place, then shared. */
const COMMON_NAMES: string[][] = [];
for (const n of [
  'branch',
  'tag',
  'lr',
  'rport',
  'received',
  'transport',
  'user',
  'maddr',
  'ttl',
  'method',
  'q',
  'expires',
]) {
  (COMMON_NAMES[n.length] ??= []).push(n);
}

/**
 * The lower-case parameter name in text[start, end): a common one written in lower case is found in
 * place and shared (no slice, no copy kept per message); others are sliced and lower-cased.
 */
export function paramName(text: string, start: number, end: number): string {
  const list = COMMON_NAMES[end - start];
  if (list !== undefined) {
    for (const n of list) if (text.startsWith(n, start)) return n;
  }
  return text.slice(start, end).toLowerCase();
}

/** Appends `name=value` to flat items unless the name is there already (the first one counts). */
export function pushParam(items: (string | null)[], name: string, value: string | null): void {
  for (let i = 0; i < items.length; i += 2) if (items[i] === name) return;
  items.push(name, value);
}

/** The list of flat items built by `pushParam`, copied to their exact length (push leaves spare room). */
export function paramList(items: readonly (string | null)[]): ReadonlyMap<string, string | null> {
  return items.length === 0 ? NO_PARAMS : new ParamList(items.slice());
}

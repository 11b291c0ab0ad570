import assert from 'node:assert/strict';
import type { SelectionContext } from '../../../src/cmr/ports/cmr-store.port';
import { SelectionContextCache } from '../../../src/store/selection-context-cache';

/** A context told apart by its subscriber's display name only: the cache never looks inside. */
function contextNamed(name: string): SelectionContext {
  return {
    subscriber: { displayName: name } as SelectionContext['subscriber'],
    rules: null,
    groups: [],
    resources: [],
  };
}

describe('SelectionContextCache', () => {
  let now = 0;
  let reads = 0;
  const clock = () => now;
  const loader = (name: string | null) => async () => {
    reads++;
    return name === null ? null : contextNamed(name);
  };
  const nameOf = (ctx: SelectionContext | null) => ctx?.subscriber.displayName ?? null;

  beforeEach(() => {
    now = 1_000;
    reads = 0;
  });

  it('reads a called subscriber once within the time limit, again after it', async () => {
    const cache = new SelectionContextCache(2000, clock);
    assert.equal(nameOf(await cache.get('+1', loader('v1'))), 'v1');
    now += 1999;
    assert.equal(nameOf(await cache.get('+1', loader('v2'))), 'v1');
    assert.equal(reads, 1);
    now += 1;
    assert.equal(nameOf(await cache.get('+1', loader('v2'))), 'v2');
    assert.equal(reads, 2);
  });

  it('keeps an unknown called party (null) too, and each identity apart', async () => {
    const cache = new SelectionContextCache(2000, clock);
    assert.equal(await cache.get('+1', loader(null)), null);
    assert.equal(await cache.get('+1', loader('late')), null);
    assert.equal(nameOf(await cache.get('+2', loader('two'))), 'two');
    assert.equal(reads, 2);
  });

  it('reads again after clear()', async () => {
    const cache = new SelectionContextCache(2000, clock);
    await cache.get('+1', loader('v1'));
    cache.clear();
    assert.equal(nameOf(await cache.get('+1', loader('v2'))), 'v2');
    assert.equal(reads, 2);
  });

  it('does not keep a read that a clear() overtook: it may predate the write', async () => {
    const cache = new SelectionContextCache(2000, clock);
    let finish!: (ctx: SelectionContext) => void;
    const slow = cache.get('+1', () => new Promise<SelectionContext>((resolve) => (finish = resolve)));
    cache.clear();
    finish(contextNamed('before the write'));
    assert.equal(nameOf(await slow), 'before the write', 'the caller still gets what was read');
    assert.equal(nameOf(await cache.get('+1', loader('after'))), 'after');
    assert.equal(reads, 1);
  });

  it('reads every time with a time limit of 0', async () => {
    const cache = new SelectionContextCache(0, clock);
    await cache.get('+1', loader('v1'));
    assert.equal(nameOf(await cache.get('+1', loader('v2'))), 'v2');
    assert.equal(reads, 2);
    assert.equal(cache.size, 0);
  });

  it('holds at most maxEntries identities, dropping the one stored first', async () => {
    const cache = new SelectionContextCache(60_000, clock, 2);
    await cache.get('+1', loader('one'));
    await cache.get('+2', loader('two'));
    await cache.get('+3', loader('three'));
    assert.equal(cache.size, 2);
    assert.equal(nameOf(await cache.get('+2', loader('two again'))), 'two');
    assert.equal(nameOf(await cache.get('+1', loader('one again'))), 'one again');
  });

  it('does not keep a failed read', async () => {
    const cache = new SelectionContextCache(2000, clock);
    await assert.rejects(
      cache.get('+1', () => Promise.reject(new Error('database down'))),
      /database down/,
    );
    assert.equal(nameOf(await cache.get('+1', loader('up'))), 'up');
  });
});

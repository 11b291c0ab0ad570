import assert from 'node:assert/strict';
import { heapPaths } from '../../../bench/profile/heap-paths';
import type { HeapSnapshot } from '../../../bench/profile/heap-snapshot-summary';

/** A snapshot of root → two Sessions, each → its own Leg → a string, and both → one shared Config. */
function snapshot(): HeapSnapshot {
  const strings = ['', 'Session', 'Leg', 'hello', 'Config', 'a', 'text', 'config', '(root)'];
  const S = (s: string) => strings.indexOf(s);
  // node fields: type, name, id, self_size, edge_count; types: 0 synthetic, 1 object, 2 string
  const nodes = [
    [0, S('(root)'), 1, 0, 2],
    [1, S('Session'), 2, 100, 2],
    [1, S('Leg'), 3, 40, 1],
    [2, S('hello'), 4, 32, 0],
    [1, S('Session'), 5, 100, 2],
    [1, S('Leg'), 6, 40, 1],
    [2, S('hello'), 7, 32, 0],
    [1, S('Config'), 8, 500, 0],
  ];
  const W = 5;
  // edge fields: type (0 property, 1 element), name_or_index, to_node (node index * width)
  const edges = [
    [1, 0, 1 * W],
    [1, 1, 4 * W],
    [0, S('a'), 2 * W],
    [0, S('config'), 7 * W],
    [0, S('text'), 3 * W],
    [0, S('a'), 5 * W],
    [0, S('config'), 7 * W],
    [0, S('text'), 6 * W],
  ];
  return {
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
        node_types: [['synthetic', 'object', 'string']],
        edge_fields: ['type', 'name_or_index', 'to_node'],
        edge_types: [['property', 'element', 'weak']],
      },
    },
    nodes: nodes.flat(),
    edges: edges.flat(),
    strings,
  };
}

describe('heapPaths (what the instances of a class hold, by property path)', () => {
  it('averages self and retained sizes over the instances, a shared object under each of them', () => {
    const paths = heapPaths(snapshot(), 'Session', 2);
    assert.deepEqual(paths, [
      { path: '.a:Leg', perInstance: 1, selfBytes: 40, retainedBytes: 72 },
      { path: '.a:Leg.text:hello', perInstance: 1, selfBytes: 32, retainedBytes: 32 },
      { path: '.config:Config', perInstance: 1, selfBytes: 500, retainedBytes: 500 },
    ]);
  });
});

import assert from 'node:assert/strict';
import { topAllocationSites, type AllocationNode } from '../../../bench/profile/allocation-summary';

function node(functionName: string, line: number, selfSize: number, children: AllocationNode[] = []): AllocationNode {
  return {
    callFrame: { functionName, url: 'file:///srv/dist/src/sip/x.js', lineNumber: line - 1 },
    selfSize,
    children,
  };
}

describe('bench: allocation profile summary', () => {
  it('sums what each function allocated itself, wherever it was called from, largest first', () => {
    const head = node('(root)', 0, 0, [
      node('send', 10, 300, [node('serialize', 4, 500)]),
      node('receive', 20, 100, [node('serialize', 4, 200), node('', 7, 50)]),
    ]);
    const { total, sites } = topAllocationSites({ head }, 3);
    assert.equal(total, 1150);
    assert.deepEqual(
      sites.map((s) => [s.fn, s.bytes]),
      [
        ['serialize x.js:4', 700],
        ['send x.js:10', 300],
        ['receive x.js:20', 100],
      ],
    );
    assert.equal(sites[0]!.share, 700 / 1150);
  });
});

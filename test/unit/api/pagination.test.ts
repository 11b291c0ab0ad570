import assert from 'node:assert/strict';
import { ApiError } from '../../../src/api/api-error';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, parsePageRequest, rejectUnknownQuery } from '../../../src/api/pagination';

function problemsOf(fn: () => unknown): { status: number; fields: string[] } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return { status: err.status, fields: err.problems.map((p) => p.field) };
  }
  return assert.fail('expected an ApiError');
}

describe('parsePageRequest', () => {
  it('uses the default limit and no cursor when neither is given', () => {
    assert.deepEqual(parsePageRequest(new URLSearchParams('')), { limit: DEFAULT_PAGE_LIMIT });
  });

  it('passes a limit within bounds and an opaque cursor through', () => {
    assert.deepEqual(parsePageRequest(new URLSearchParams('limit=7&cursor=abc_DEF-1')), {
      limit: 7,
      cursor: 'abc_DEF-1',
    });
    assert.equal(parsePageRequest(new URLSearchParams(`limit=${MAX_PAGE_LIMIT}`)).limit, MAX_PAGE_LIMIT);
  });

  for (const bad of ['0', '-1', '1.5', 'ten', '', String(MAX_PAGE_LIMIT + 1), '1e3']) {
    it(`answers 400 naming query.limit for limit=${JSON.stringify(bad)}`, () => {
      assert.deepEqual(
        problemsOf(() => parsePageRequest(new URLSearchParams({ limit: bad }))),
        {
          status: 400,
          fields: ['query.limit'],
        },
      );
    });
  }

  it('answers 400 for an empty or repeated cursor', () => {
    assert.deepEqual(problemsOf(() => parsePageRequest(new URLSearchParams('cursor='))).fields, ['query.cursor']);
    assert.deepEqual(problemsOf(() => parsePageRequest(new URLSearchParams('cursor=a&cursor=b'))).fields, [
      'query.cursor',
    ]);
  });
});

describe('rejectUnknownQuery', () => {
  it('names every unknown parameter', () => {
    assert.deepEqual(
      problemsOf(() => rejectUnknownQuery(new URLSearchParams('limt=5&x=1&limit=2'), ['limit'])),
      {
        status: 400,
        fields: ['query.limt', 'query.x'],
      },
    );
  });

  it('accepts known parameters', () => {
    assert.doesNotThrow(() => rejectUnknownQuery(new URLSearchParams('limit=5'), ['limit', 'cursor']));
  });
});

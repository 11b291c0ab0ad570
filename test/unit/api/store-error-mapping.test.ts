import assert from 'node:assert/strict';
import { mapStoreError } from '../../../src/api/store-error-mapping';
import { STORE_ERROR_CODES, StoreError, type StoreErrorCode } from '../../../src/cmr/ports/store-error';
import { AppError } from '../../../src/errors';

const expected: Record<StoreErrorCode, number> = {
  'STORE.NOT_FOUND': 404,
  'STORE.CONFLICT': 409,
  'STORE.REFERENCE': 422,
  'STORE.IN_USE': 409,
  'STORE.LIBRARY_FULL': 409,
  'STORE.INVALID_CURSOR': 400,
  'STORE.UNAVAILABLE': 503,
};

describe('mapStoreError', () => {
  for (const code of STORE_ERROR_CODES) {
    it(`answers ${code} with ${expected[code]}`, () => {
      assert.equal(mapStoreError(new StoreError(code, 'x'))?.status, expected[code]);
    });
  }

  it('keeps the problems of a reference error so the client sees which field names what', () => {
    const problems = [{ field: 'rules[0].playlist.resourceIds[1]', problem: 'unknown resource "ghost"' }];
    assert.deepEqual(mapStoreError(new StoreError('STORE.REFERENCE', 'x', problems))?.problems, problems);
  });

  it('tells the client to retry when the store is unavailable, without its internal message', () => {
    const mapped = mapStoreError(new StoreError('STORE.UNAVAILABLE', 'connect ECONNREFUSED 10.0.0.1:5432'));
    assert.equal(mapped?.headers['Retry-After'], '1');
    assert.ok(!mapped?.message.includes('ECONNREFUSED'));
  });

  it('leaves errors that are not store errors to the server (a 500)', () => {
    assert.equal(mapStoreError(new AppError('STORE.NOT_FOUND', 'lookalike')), undefined);
    assert.equal(mapStoreError(new Error('x')), undefined);
  });
});

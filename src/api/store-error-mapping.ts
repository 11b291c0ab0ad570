import { isStoreError } from '../cmr/ports/store-error';
import { ApiError } from './api-error';

/**
 * The one table from store failures to HTTP answers. Anything not listed here is a 500.
 * STORE.REFERENCE is a 422: the document was well-formed but names something that does not exist.
 */
export function mapStoreError(err: unknown): ApiError | undefined {
  if (!isStoreError(err)) return undefined;
  switch (err.code) {
    case 'STORE.NOT_FOUND':
      return new ApiError(404, 'API.NOT_FOUND', err.message, err.problems, {}, { cause: err });
    case 'STORE.CONFLICT':
      return new ApiError(409, 'API.CONFLICT', err.message, err.problems, {}, { cause: err });
    case 'STORE.IN_USE':
      return new ApiError(409, 'API.IN_USE', err.message, err.problems, {}, { cause: err });
    case 'STORE.LIBRARY_FULL':
      return new ApiError(409, 'API.LIBRARY_FULL', err.message, err.problems, {}, { cause: err });
    case 'STORE.REFERENCE':
      return new ApiError(422, 'API.UNKNOWN_REFERENCE', err.message, err.problems, {}, { cause: err });
    case 'STORE.INVALID_CURSOR':
      return new ApiError(
        400,
        'API.BAD_REQUEST',
        err.message,
        [{ field: 'query.cursor', problem: 'not a cursor returned by this API' }],
        {},
        { cause: err },
      );
    case 'STORE.UNAVAILABLE':
      return new ApiError(
        503,
        'API.UNAVAILABLE',
        'the data store is unavailable',
        [],
        { 'Retry-After': '1' },
        { cause: err },
      );
  }
}

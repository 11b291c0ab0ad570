import { AppError } from '../../errors';
import type { Problem } from '../problem';

export const STORE_ERROR_CODES = [
  /** The subscriber, resource, group or rule set does not exist. */
  'STORE.NOT_FOUND',
  /** Creating something that already exists, or a library entry that is already there. */
  'STORE.CONFLICT',
  /** A document names a resource, group or subscriber that does not exist; `problems` says which field. */
  'STORE.REFERENCE',
  /** Deleting something still referred to (a resource in a playlist, library or privacy override; a group in a rule). */
  'STORE.IN_USE',
  /** Adding to a library that already holds `libraryCapacity` resources. */
  'STORE.LIBRARY_FULL',
  /** A pagination cursor that this store did not hand out. */
  'STORE.INVALID_CURSOR',
  /** The database cannot be reached or failed; the operation may be retried. */
  'STORE.UNAVAILABLE',
] as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

/** The only error a CmrStore throws; third-party errors are kept as `cause`. */
export class StoreError extends AppError {
  declare readonly code: StoreErrorCode;

  constructor(
    code: StoreErrorCode,
    message: string,
    readonly problems: readonly Problem[] = [],
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

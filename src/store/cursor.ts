import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, type PageRequest } from '../cmr/ports/cmr-store.port';
import { StoreError } from '../cmr/ports/store-error';

/** Cursors are opaque to clients: base64url of `{ t: <list>, k: <last key> }`. */
export function encodeCursor(list: string, key: string | number): string {
  return Buffer.from(JSON.stringify({ t: list, k: key }), 'utf8').toString('base64url');
}

function invalid(): StoreError {
  return new StoreError('STORE.INVALID_CURSOR', 'the cursor was not issued for this list', [
    { field: 'cursor', problem: 'not a cursor of this list' },
  ]);
}

export function decodeCursor(
  list: string,
  cursor: string | null | undefined,
  keyType: 'string' | 'number',
): string | number | null {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (err) {
    throw new StoreError(
      'STORE.INVALID_CURSOR',
      'the cursor is not readable',
      [{ field: 'cursor', problem: 'malformed' }],
      {
        cause: err,
      },
    );
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { t, k } = parsed as { t?: unknown; k?: unknown };
  if (t !== list || typeof k !== keyType) throw invalid();
  return k as string | number;
}

export function pageLimit(page: PageRequest | undefined): number {
  const limit = page?.limit ?? DEFAULT_PAGE_LIMIT;
  return Number.isFinite(limit) ? Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.floor(limit))) : DEFAULT_PAGE_LIMIT;
}

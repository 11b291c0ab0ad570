import type { Page, PageRequest } from '../../cmr/ports/cmr-store.port';
import { decodeCursor, encodeCursor, pageLimit } from '../cursor';
import type { Row } from './sql-database';

/** Reads the page request of a keyset-paginated list named `list` whose key is a string or a number. */
export function pageQuery<K extends 'string' | 'number'>(
  list: string,
  page: PageRequest | undefined,
  keyType: K,
): { after: (K extends 'string' ? string : number) | null; limit: number } {
  const after = decodeCursor(list, page?.cursor, keyType) as (K extends 'string' ? string : number) | null;
  return { after, limit: pageLimit(page) };
}

/** Turns `limit + 1` fetched rows into a page and the cursor after its last item. */
export function toPage<T>(
  list: string,
  rows: readonly Row[],
  limit: number,
  key: (r: Row) => string | number,
  map: (r: Row) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(list, key(last)) : null,
  };
}

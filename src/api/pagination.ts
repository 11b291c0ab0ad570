import { badRequest, type Problem } from './api-error';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;
const MAX_CURSOR_LENGTH = 1024;

export interface PageRequest {
  readonly limit: number;
  /** Opaque; produced by the store and handed back unchanged. */
  readonly cursor?: string;
}

/** The shape of every list answer: one page of items and the cursor of the next page, or null. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next: string | null;
}

/** Reads `limit` (1..200, default 50) and `cursor` from the query; 400 naming the parameter otherwise. */
export function parsePageRequest(query: URLSearchParams): PageRequest {
  const problems: Problem[] = [];
  let limit = DEFAULT_PAGE_LIMIT;
  const rawLimit = query.getAll('limit');
  if (rawLimit.length > 1) problems.push({ field: 'query.limit', problem: 'given more than once' });
  else if (rawLimit[0] !== undefined) {
    if (!/^\d{1,6}$/.test(rawLimit[0]) || Number(rawLimit[0]) < 1 || Number(rawLimit[0]) > MAX_PAGE_LIMIT) {
      problems.push({ field: 'query.limit', problem: `expected an integer from 1 to ${MAX_PAGE_LIMIT}` });
    } else limit = Number(rawLimit[0]);
  }
  const rawCursor = query.getAll('cursor');
  let cursor: string | undefined;
  if (rawCursor.length > 1) problems.push({ field: 'query.cursor', problem: 'given more than once' });
  else if (rawCursor[0] !== undefined) {
    if (rawCursor[0].length === 0 || rawCursor[0].length > MAX_CURSOR_LENGTH || !/^[\x21-\x7e]+$/.test(rawCursor[0])) {
      problems.push({ field: 'query.cursor', problem: 'not a cursor returned by this API' });
    } else cursor = rawCursor[0];
  }
  if (problems.length > 0) throw badRequest('bad pagination parameters', problems);
  return cursor === undefined ? { limit } : { limit, cursor };
}

/** Rejects query parameters a route does not know, so a typo (`?limt=5`) is not silently ignored. */
export function rejectUnknownQuery(query: URLSearchParams, known: readonly string[]): void {
  const problems: Problem[] = [];
  for (const key of new Set(query.keys())) {
    if (!known.includes(key)) problems.push({ field: `query.${key}`, problem: 'unknown query parameter' });
  }
  if (problems.length > 0) throw badRequest('unknown query parameters', problems);
}

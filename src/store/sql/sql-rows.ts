import type { Row } from './sql-database';

/** Typed reads of driver rows; a wrong type is a schema bug and throws. */
function bad(col: string, v: unknown): Error {
  return new TypeError(`column ${col}: unexpected ${v === null ? 'null' : typeof v}`);
}

export function str(row: Row, col: string): string {
  const v = row[col];
  if (typeof v !== 'string') throw bad(col, v);
  return v;
}

export function optStr(row: Row, col: string): string | null {
  const v = row[col];
  return v === null || v === undefined ? null : str(row, col);
}

/** Integers; PostgreSQL BIGINT and COUNT arrive as strings. */
export function num(row: Row, col: string): number {
  const v = row[col];
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw bad(col, v);
  return n;
}

export function bool(row: Row, col: string): boolean {
  const v = row[col];
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  throw bad(col, v);
}

/** Instants: SQLite keeps the ISO text, PostgreSQL timestamptz arrives as a Date. */
export function optIso(row: Row, col: string): string | null {
  const v = row[col];
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return new Date(v).toISOString();
  throw bad(col, v);
}

export function iso(row: Row, col: string): string {
  const v = optIso(row, col);
  if (v === null) throw bad(col, null);
  return v;
}

/** JSON: SQLite keeps text, PostgreSQL jsonb arrives parsed. */
export function json(row: Row, col: string): unknown {
  const v = row[col];
  return typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
}

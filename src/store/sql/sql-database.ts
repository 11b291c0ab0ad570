/**
 * The narrow seam between the shared SQL store and a database driver. SQL is written once with `?`
 * placeholders; the PostgreSQL executor numbers them. Booleans are bound as the driver needs.
 */
export type SqlValue = string | number | boolean | null;
export type Row = Readonly<Record<string, unknown>>;

export interface SqlSession {
  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs one statement; resolves to the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

/** What a driver error means to the store. */
export type SqlFailureKind = 'unique' | 'foreign-key' | 'unavailable' | 'other';

export interface SqlDatabase {
  readonly dialect: 'sqlite' | 'postgres';
  /** Appended to a SELECT that must lock the rows it reads until commit (empty where the whole database is locked). */
  readonly forUpdate: string;
  /** Runs `fn` on a consistent snapshot; `fn` must only read. */
  read<T>(fn: (s: SqlSession) => Promise<T>): Promise<T>;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it rejects. */
  transaction<T>(fn: (s: SqlSession) => Promise<T>): Promise<T>;
  /** Held for the whole migration, across processes where the database allows. */
  lockForMigration(s: SqlSession): Promise<void>;
  classify(err: unknown): SqlFailureKind;
  close(): Promise<void>;
}

export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

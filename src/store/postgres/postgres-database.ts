import pg from 'pg';
import { StoreError } from '../../cmr/ports/store-error';
import type { Logger } from '../../observability/logger';
import type { Row, SqlDatabase, SqlFailureKind, SqlSession, SqlValue } from '../sql/sql-database';

export interface PostgresOptions {
  readonly url: string;
  /** A schema to create if missing and to put first on the search path (tests use one per run). */
  readonly schema?: string;
  readonly maxConnections?: number;
  readonly connectTimeoutMs?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const MIGRATION_LOCK_KEY = 0x434d52; // "CMR"

/** Numbers `?` placeholders as `$1, $2, ...` (the shared SQL never has `?` inside literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** node-postgres behind the SqlDatabase seam: a pool; each transaction on one client. */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres';
  readonly forUpdate = ' FOR UPDATE';
  private closed = false;

  private constructor(private readonly pool: pg.Pool) {}

  static async open(options: PostgresOptions, log: Logger): Promise<PostgresDatabase> {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new StoreError('STORE.UNAVAILABLE', `invalid PostgreSQL schema name ${JSON.stringify(options.schema)}`);
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    pool.on('error', (err) => log.warn('idle PostgreSQL connection failed', { error: err.message }));
    const db = new PostgresDatabase(pool);
    try {
      await pool.query('SELECT 1');
    } catch (err) {
      await pool.end();
      throw new StoreError('STORE.UNAVAILABLE', 'cannot reach PostgreSQL', [], { cause: err });
    }
    const schema = options.schema;
    if (schema) {
      try {
        // CREATE SCHEMA IF NOT EXISTS is not safe against a concurrent twin; the migration lock serialises it.
        await db.transaction(async (s) => {
          await db.lockForMigration(s);
          await s.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        });
      } catch (err) {
        await pool.end();
        throw new StoreError('STORE.UNAVAILABLE', `cannot create the PostgreSQL schema ${schema}`, [], { cause: err });
      }
    }
    return db;
  }

  private sessionOf(client: pg.PoolClient): SqlSession {
    return {
      all: async (sql, params = []) =>
        (await client.query(numberPlaceholders(sql), params as SqlValue[])).rows as Row[],
      run: async (sql, params = []) =>
        (await client.query(numberPlaceholders(sql), params as SqlValue[])).rowCount ?? 0,
      exec: async (script) => {
        await client.query(script);
      },
    };
  }

  private async withClient<T>(begin: string, fn: (s: SqlSession) => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreError('STORE.UNAVAILABLE', 'the store is closed');
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query(begin);
      const result = await fn(this.sessionOf(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = true;
        throw new AggregateError([err, rollbackErr], 'transaction and rollback failed');
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  read<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
    return this.withClient('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  transaction<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
    return this.withClient('BEGIN', fn);
  }

  async lockForMigration(s: SqlSession): Promise<void> {
    await s.all('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY]);
  }

  classify(err: unknown): SqlFailureKind {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code !== 'string') return 'other';
    if (code === '23505') return 'unique';
    if (code === '23503') return 'foreign-key';
    if (/^(08|53|57|58)/.test(code) || /^E(CONN|HOST|NET|PIPE|TIMEDOUT)/.test(code)) return 'unavailable';
    return 'other';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

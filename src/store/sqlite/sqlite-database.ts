import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../../cmr/ports/store-error';
import { SerialQueue } from '../serial-queue';
import type { Row, SqlDatabase, SqlFailureKind, SqlSession, SqlValue } from '../sql/sql-database';

export interface SqliteOptions {
  /** A file path, or `:memory:` for a private in-memory database. */
  readonly path: string;
  /** How long a statement waits for another process's lock before failing. */
  readonly busyTimeoutMs?: number;
}

type Bound = string | number | null;

/**
 * better-sqlite3 behind the SqlDatabase seam. One connection; every operation, transaction or read, runs
 * through a SerialQueue so that a transaction awaiting between statements never sees another's statements.
 * WAL journal with synchronous=FULL: a committed transaction survives a process kill and a power cut.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite';
  readonly forUpdate = '';
  private readonly queue = new SerialQueue();
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;

  private constructor(private readonly db: Database.Database) {}

  static open(options: SqliteOptions): SqliteDatabase {
    try {
      if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
      const db = new Database(options.path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      return new SqliteDatabase(db);
    } catch (err) {
      throw new StoreError('STORE.UNAVAILABLE', `cannot open the SQLite database at ${options.path}`, [], {
        cause: err,
      });
    }
  }

  /** The journal mode in force (`wal` for a file, `memory` for `:memory:`). */
  journalMode(): string {
    const mode: unknown = this.db.pragma('journal_mode', { simple: true });
    return String(mode);
  }

  private readonly session: SqlSession = {
    all: async (sql, params = []) => this.prepare(sql).all(...bind(params)) as Row[],
    run: async (sql, params = []) => this.prepare(sql).run(...bind(params)).changes,
    exec: async (script) => {
      this.db.exec(script);
    },
  };

  private prepare(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError('STORE.UNAVAILABLE', 'the store is closed'));
    return this.queue.run(async () => {
      if (!this.db.open) throw new StoreError('STORE.UNAVAILABLE', 'the store is closed');
      return task();
    });
  }

  read<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
    return this.enqueue(() => fn(this.session));
  }

  transaction<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.session);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  async lockForMigration(): Promise<void> {
    // BEGIN IMMEDIATE already holds the database's write lock against other processes.
  }

  classify(err: unknown): SqlFailureKind {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code !== 'string') return 'other';
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique';
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign-key';
    if (/^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CORRUPT|NOTADB)/.test(code)) return 'unavailable';
    return 'other';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.drain();
    this.statements.clear();
    this.db.close();
  }
}

function bind(params: readonly SqlValue[]): Bound[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

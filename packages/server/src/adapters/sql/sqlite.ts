import Database from 'better-sqlite3';
import type { SqlDialect, SqlDriver, SqlExecutor, SqlRow, SqlValue } from './driver.js';

const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  types: { bigint: 'INTEGER', double: 'REAL', text: 'TEXT', serialPk: 'INTEGER PRIMARY KEY', withoutRowid: 'WITHOUT ROWID' },
  ilike: (column) => `LOWER(${column}) LIKE LOWER(?)`,
  like: (column) => `${column} LIKE ?`,
  migrationLock: '',
  isUniqueViolation: (error) => String((error as { code?: unknown })?.code ?? '').startsWith('SQLITE_CONSTRAINT'),
};

type Statement = Database.Statement<unknown[], unknown>;

/** How long one attempt may block the event loop waiting for another connection's lock. */
const SYNC_BUSY_MS = 20;
/** How long a writer keeps retrying (asynchronously) before reporting the database busy. */
const WRITE_LOCK_PATIENCE_MS = 60_000;

const isBusy = (error: unknown) => String((error as { code?: unknown })?.code ?? '').startsWith('SQLITE_BUSY');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Executes on one better-sqlite3 connection, caching prepared statements by text. */
class ConnectionExecutor implements SqlExecutor {
  private readonly cache = new Map<string, Statement>();
  constructor(readonly db: Database.Database) {}

  private prepare(sql: string): Statement {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.cache.size > 500) this.cache.clear();
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  async all<T = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.prepare(sql).all(...params) as T[];
  }

  async get<T = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.prepare(sql).get(...params) as T | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const stmt = this.prepare(sql);
    if (!stmt.reader) return { changes: stmt.run(...params).changes };
    stmt.all(...params);
    return { changes: 0 };
  }
}

function openConnection(file: string, readonly: boolean): Database.Database {
  const db = new Database(file, { readonly: false });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${SYNC_BUSY_MS}`);
  db.pragma('foreign_keys = ON');
  db.pragma('case_sensitive_like = ON');
  if (readonly) db.pragma('query_only = ON');
  return db;
}

/**
 * SQLite through better-sqlite3 with a single writer path: one writer connection whose
 * transactions run one at a time (an in-process queue), and one reader connection that sees
 * committed data only (WAL). Other processes on the same file wait on `busy_timeout`.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = sqliteDialect;
  private readonly writer: ConnectionExecutor;
  private readonly reader: ConnectionExecutor;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(file: string) {
    this.writer = new ConnectionExecutor(openConnection(file, false));
    this.reader = file === ':memory:' ? this.writer : new ConnectionExecutor(openConnection(file, true));
  }

  all<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.reader.all<T>(sql, params);
  }

  get<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.reader.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.transaction((tx) => tx.run(sql, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const result = this.queue.then(() => this.runTransaction(fn));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runTransaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const db = this.writer.db;
    await this.beginImmediate(db);
    try {
      const value = await fn(this.writer);
      db.prepare('COMMIT').run();
      return value;
    } catch (error) {
      if (db.inTransaction) db.prepare('ROLLBACK').run();
      throw error;
    }
  }

  /**
   * Takes the write lock. Waiting happens between event-loop turns (not inside SQLite's busy
   * handler), so a lock held by another connection in this same process can be released.
   */
  private async beginImmediate(db: Database.Database): Promise<void> {
    const deadline = Date.now() + WRITE_LOCK_PATIENCE_MS;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      try {
        db.prepare('BEGIN IMMEDIATE').run();
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() > deadline) throw error;
        await sleep(delay);
      }
    }
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.reader !== this.writer) this.reader.db.close();
    this.writer.db.close();
  }
}

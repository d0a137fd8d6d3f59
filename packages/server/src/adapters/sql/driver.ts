/** A bound SQL parameter. */
export type SqlValue = string | number | null;

/** A row as returned by a driver. */
export type SqlRow = Record<string, unknown>;

/** Runs statements written with `?` placeholders. */
export interface SqlExecutor {
  all<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

/**
 * The SQL differences between backends, in one place. Shared query code asks the dialect for a
 * fragment instead of branching on the backend.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgresql';
  /** Column types used by the migrations. */
  readonly types: { bigint: string; double: string; text: string; serialPk: string; withoutRowid: string };
  /** A case-insensitive LIKE of `column` against a `?` placeholder. */
  ilike(column: string): string;
  /** A case-sensitive LIKE of `column` against a `?` placeholder. */
  like(column: string): string;
  /** Statement that takes the migration lock inside a transaction (empty when writes are serialised). */
  readonly migrationLock: string;
  /** True when `error` is a unique-constraint violation. */
  isUniqueViolation(error: unknown): boolean;
}

/** A connection (or pool) to one database. */
export interface SqlDriver extends SqlExecutor {
  readonly dialect: SqlDialect;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

import pg from 'pg';
import type { SqlDialect, SqlDriver, SqlExecutor, SqlRow, SqlValue } from './driver.js';

pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

const postgresDialect: SqlDialect = {
  name: 'postgresql',
  types: { bigint: 'BIGINT', double: 'DOUBLE PRECISION', text: 'TEXT COLLATE "C"', serialPk: 'BIGSERIAL PRIMARY KEY', withoutRowid: '' },
  ilike: (column) => `${column} ILIKE ?`,
  like: (column) => `${column} LIKE ?`,
  migrationLock: 'SELECT pg_advisory_xact_lock(7355608)',
  isUniqueViolation: (error) => (error as { code?: unknown })?.code === '23505',
};

const numbered = new Map<string, string>();

/** Rewrites `?` placeholders as `$1, $2, ...` (outside string literals), cached per text. */
function toNumbered(sql: string): string {
  let out = numbered.get(sql);
  if (out !== undefined) return out;
  let n = 0;
  let inString = false;
  out = '';
  for (const ch of sql) {
    if (ch === "'") inString = !inString;
    out += ch === '?' && !inString ? `$${++n}` : ch;
  }
  if (numbered.size > 2000) numbered.clear();
  numbered.set(sql, out);
  return out;
}

class ClientExecutor implements SqlExecutor {
  constructor(private readonly client: pg.Pool | pg.PoolClient) {}

  async all<T = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const result = await this.client.query(toNumbered(sql), params as SqlValue[]);
    return result.rows as T[];
  }

  async get<T = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const result = await this.client.query(toNumbered(sql), params as SqlValue[]);
    return { changes: result.rowCount ?? 0 };
  }
}

/** PostgreSQL through a `pg` pool; each transaction holds one pooled connection. */
export class PostgresDriver implements SqlDriver {
  readonly dialect = postgresDialect;
  private readonly pool: pg.Pool;
  private readonly direct: ClientExecutor;

  constructor(connectionString: string, maxConnections = 10) {
    this.pool = new pg.Pool({ connectionString, max: maxConnections });
    this.pool.on('error', () => undefined);
    this.direct = new ClientExecutor(this.pool);
  }

  all<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.direct.all<T>(sql, params);
  }

  get<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.direct.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.direct.run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const value = await fn(new ClientExecutor(client));
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests create their databases on; `CAPSTAN_TEST_POSTGRES` overrides it. */
export const POSTGRES_SERVER = process.env.CAPSTAN_TEST_POSTGRES ?? 'postgresql://postgres@127.0.0.1:5432';

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${POSTGRES_SERVER}/postgres`, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Why PostgreSQL tests cannot run (nothing answers), or null when they can. */
export async function postgresUnavailable(): Promise<string | null> {
  return admin((c) => c.query('SELECT 1')).then(() => null, (e: unknown) => (e instanceof Error ? e.message : String(e)));
}

/** Creates an empty database `<prefix>_<random>`; returns its URI and a function that drops it. */
export async function createTestDatabase(prefix: string): Promise<{ uri: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  return { uri: `${POSTGRES_SERVER}/${name}`, drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined) };
}

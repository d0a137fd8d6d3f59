import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetadataStore } from '../../src/adapters/sql/index.js';
import type { MetadataStore } from '../../src/ports/metadata-store.js';
import {
  T0, createVersionsConcurrently, describeMetadataStoreContract, expectWritersComplete, newRunId, runConcurrentWriters, unique,
} from '../contract/metadata-store.js';

/** The server the tests create their databases on; `CAPSTAN_TEST_POSTGRES` overrides it. */
const SERVER = process.env.CAPSTAN_TEST_POSTGRES ?? 'postgresql://postgres@127.0.0.1:5432';

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres`, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function unavailableReason(): Promise<string | null> {
  try {
    await withAdmin((client) => client.query('SELECT 1'));
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Creates `capstan_test_<random>`. The database collates with ICU `en-US`, as typical installs do,
 * so that byte-order guarantees cannot lean on a `C` server default; falls back to the default.
 */
async function createDatabase(): Promise<{ name: string; uri: string }> {
  const name = `capstan_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (client) => {
    try {
      await client.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
    } catch {
      await client.query(`CREATE DATABASE "${name}"`);
    }
  });
  return { name, uri: `${SERVER}/${name}` };
}

async function dropDatabase(name: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

const reason = await unavailableReason();
if (reason !== null) console.warn(`Skipping PostgreSQL metadata store tests: nothing answers at ${SERVER} (${reason})`);
const describePostgres = reason === null ? describe : describe.skip;

describePostgres('PostgreSQL metadata store', () => {
  describeMetadataStoreContract('postgresql', async () => {
    const db = await createDatabase();
    try {
      const store = await openMetadataStore(db.uri);
      return {
        store,
        cleanup: async () => {
          try {
            await store.close();
          } finally {
            await dropDatabase(db.name);
          }
        },
      };
    } catch (e) {
      await dropDatabase(db.name);
      throw e;
    }
  });

  describe('PostgreSQL specifics', () => {
    const load = { writers: 64, runsPerWriter: 2, batches: 8 };
    let db = { name: '', uri: '' };

    /** Opens `count` instances on the test database, as separate server replicas would, and closes them after `fn`. */
    async function withStores<T>(count: number, fn: (stores: MetadataStore[]) => Promise<T>): Promise<T> {
      const stores: MetadataStore[] = [];
      try {
        for (let i = 0; i < count; i++) stores.push(await openMetadataStore(db.uri));
        return await fn(stores);
      } finally {
        await Promise.allSettled(stores.map((s) => s.close()));
      }
    }

    beforeAll(async () => {
      db = await createDatabase();
    });
    afterAll(async () => {
      if (db.name) await dropDatabase(db.name);
    });

    it('declares itself', async () => {
      await withStores(1, async ([store]) => {
        expect(store!.capabilities).toEqual({ storeType: 'SqlStore', backend: 'postgresql' });
      });
    });

    it('keeps everything after close and reopen', async () => {
      const name = unique('durable');
      const runId = newRunId();
      const experimentId = await withStores(1, async ([first]) => {
        const id = await first!.createExperiment({ name, artifactLocation: (eid) => `mlflow-artifacts:/${eid}`, tags: [], time: T0 });
        await first!.createRun({
          runId, runName: 'kept', experimentId: id, userId: 'u', status: 'RUNNING', startTime: T0, endTime: null,
          artifactUri: `mlflow-artifacts:/${id}/${runId}/artifacts`, lifecycleStage: 'active',
        }, []);
        await first!.logBatch(runId, { metrics: [{ key: 'acc', value: 0.5, timestamp: T0, step: 1 }], params: [{ key: 'lr', value: '0.1' }], tags: [] });
        return id;
      });
      await withStores(1, async ([second]) => {
        expect((await second!.getExperimentByName(name))?.experimentId).toBe(experimentId);
        const run = (await second!.getRun(runId))!;
        expect(run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
        expect(run.data.metrics).toEqual([expect.objectContaining({ key: 'acc', value: 0.5, step: 1 })]);
      });
    });

    it('survives 64 concurrent writers on one store without losing writes', async () => {
      await withStores(1, async (stores) => {
        const result = await runConcurrentWriters(stores, load);
        await expectWritersComplete(stores[0]!, result, load);
      });
    });

    it('survives 64 concurrent writers spread over 4 store instances', async () => {
      await withStores(4, async (stores) => {
        const result = await runConcurrentWriters(stores, load);
        await expectWritersComplete(stores[0]!, result, load);
      });
    });

    it('numbers 64 concurrent model-version creates over 4 instances 1..64 without gaps or duplicates', async () => {
      await withStores(4, async (stores) => {
        const { name, versions } = await createVersionsConcurrently(stores, 64);
        expect(versions).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
        const listed = await stores[1]!.searchModelVersions({ filter: [{ type: 'attribute', key: 'name', comparator: '=', value: name }], orderBy: [], maxResults: 1000, offset: 0 });
        expect(listed.items.map((v) => v.version).toSorted((a, b) => a - b)).toEqual(versions);
      });
    });
  });
});

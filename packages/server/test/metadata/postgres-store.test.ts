import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetadataStore } from '../../src/adapters/sql/index.js';
import type { MetadataStore } from '../../src/ports/metadata-store.js';
import {
  T0, createVersionsConcurrently, describeMetadataStoreContract, expectWritersComplete, newRunId, runConcurrentWriters, unique,
} from '../contract/metadata-store.js';

const SERVER = 'postgresql://postgres@127.0.0.1:5432';

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
if (reason !== null) console.warn(`Skipping PostgreSQL metadata store tests: nothing answers at 127.0.0.1:5432 (${reason})`);
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
    const opened: MetadataStore[] = [];
    const open = async (): Promise<MetadataStore> => {
      const store = await openMetadataStore(db.uri);
      opened.push(store);
      return store;
    };

    beforeAll(async () => {
      db = await createDatabase();
    });
    afterAll(async () => {
      await Promise.allSettled(opened.map((s) => s.close()));
      if (db.name) await dropDatabase(db.name);
    });

    it('declares itself', async () => {
      const store = await open();
      expect(store.capabilities).toEqual({ storeType: 'SqlStore', backend: 'postgresql' });
    });

    it('keeps everything after close and reopen', async () => {
      const first = await openMetadataStore(db.uri);
      const name = unique('durable');
      const runId = newRunId();
      let experimentId = '';
      try {
        experimentId = await first.createExperiment({ name, artifactLocation: (id) => `mlflow-artifacts:/${id}`, tags: [], time: T0 });
        await first.createRun({
          runId, runName: 'kept', experimentId, userId: 'u', status: 'RUNNING', startTime: T0, endTime: null,
          artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`, lifecycleStage: 'active',
        }, []);
        await first.logBatch(runId, { metrics: [{ key: 'acc', value: 0.5, timestamp: T0, step: 1 }], params: [{ key: 'lr', value: '0.1' }], tags: [] });
      } finally {
        await first.close();
      }
      const second = await open();
      expect((await second.getExperimentByName(name))?.experimentId).toBe(experimentId);
      const run = (await second.getRun(runId))!;
      expect(run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
      expect(run.data.metrics).toEqual([expect.objectContaining({ key: 'acc', value: 0.5, step: 1 })]);
    });

    it('survives 64 concurrent writers on one store without losing writes', async () => {
      const store = await open();
      const result = await runConcurrentWriters([store], load);
      await expectWritersComplete(store, result, load);
    });

    it('survives 64 concurrent writers spread over 4 store instances', async () => {
      const stores = [await open(), await open(), await open(), await open()];
      const result = await runConcurrentWriters(stores, load);
      await expectWritersComplete(await open(), result, load);
    });

    it('numbers 64 concurrent model-version creates over 4 instances 1..64 without gaps or duplicates', async () => {
      const stores = [await open(), await open(), await open(), await open()];
      const { name, versions } = await createVersionsConcurrently(stores, 64);
      expect(versions).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
      const check = await open();
      const listed = await check.searchModelVersions({ filter: [{ type: 'attribute', key: 'name', comparator: '=', value: name }], orderBy: [], maxResults: 1000, offset: 0 });
      expect(listed.items.map((v) => v.version).sort((a, b) => a - b)).toEqual(versions);
    });
  });
});

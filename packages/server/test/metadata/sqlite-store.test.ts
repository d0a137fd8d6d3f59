import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openMetadataStore } from '../../src/adapters/sql/index.js';
import type { MetadataStore } from '../../src/ports/metadata-store.js';
import {
  T0, createVersionsConcurrently, describeMetadataStoreContract, expectWritersComplete, newRunId, runConcurrentWriters, unique,
} from '../contract/metadata-store.js';

const tempDirs: string[] = [];

/** A database path in a fresh temp dir and its `sqlite:///` + absolute-path URI. */
async function tempDatabase(): Promise<{ path: string; uri: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'capstan-sqlite-'));
  tempDirs.push(dir);
  const path = join(dir, 'capstan.db');
  return { path, uri: `sqlite:///${path}` };
}

afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describeMetadataStoreContract('sqlite', async () => {
  const { uri } = await tempDatabase();
  const store = await openMetadataStore(uri);
  return { store, cleanup: () => store.close() };
});

/** A separate OS process that repeatedly takes SQLite's write lock, as a second server or a CLI would. */
function lockHolder(path: string, durationMs: number): { ready: Promise<void>; done: Promise<{ code: number | null; out: string }> } {
  const script = `
    const Database = require(process.env.SQLITE_MODULE);
    const db = new Database(process.env.DB_PATH, { timeout: 30000 });
    db.exec('CREATE TABLE IF NOT EXISTS contract_lock_probe (n INTEGER)');
    const insert = db.prepare('INSERT INTO contract_lock_probe VALUES (?)');
    const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    const until = Date.now() + Number(process.env.HOLD_MS);
    process.stdout.write('ready\\n');
    let n = 0;
    while (Date.now() < until) {
      db.exec('BEGIN IMMEDIATE');
      insert.run(n++);
      pause(15);
      db.exec('COMMIT');
      pause(5);
    }
    db.close();
    process.stdout.write('done ' + n + '\\n');
  `;
  const child = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, SQLITE_MODULE: createRequire(import.meta.url).resolve('better-sqlite3'), DB_PATH: path, HOLD_MS: String(durationMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => { markReady = resolve; });
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('ready')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  const done = new Promise<{ code: number | null; out: string }>((resolve) => {
    child.on('exit', (code) => { markReady(); resolve({ code, out }); });
  });
  return { ready, done };
}

describe('SQLite metadata store specifics', () => {
  const load = { writers: 64, runsPerWriter: 2, batches: 8 };

  it('creates the database file at the absolute path of the URI, in WAL mode', async () => {
    const { path, uri } = await tempDatabase();
    const store = await openMetadataStore(uri);
    try {
      expect(store.capabilities).toEqual({ storeType: 'SqlStore', backend: 'sqlite' });
      await store.createExperiment({ name: unique('wal'), artifactLocation: 'file:///x', tags: [], time: T0 });
      expect(existsSync(path)).toBe(true);
      const db = new Database(path, { readonly: true });
      try {
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      } finally {
        db.close();
      }
    } finally {
      await store.close();
    }
  });

  it('keeps everything after close and reopen', async () => {
    const { uri } = await tempDatabase();
    const name = unique('durable');
    const runId = newRunId();
    let experimentId = '';
    const first = await openMetadataStore(uri);
    try {
      experimentId = await first.createExperiment({ name, artifactLocation: (id) => `mlflow-artifacts:/${id}`, tags: [{ key: 'k', value: 'v' }], time: T0 });
      await first.createRun({
        runId, runName: 'kept', experimentId, userId: 'u', status: 'RUNNING', startTime: T0, endTime: null,
        artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`, lifecycleStage: 'active',
      }, []);
      await first.logBatch(runId, { metrics: [{ key: 'acc', value: 0.5, timestamp: T0, step: 1 }], params: [{ key: 'lr', value: '0.1' }], tags: [{ key: 't', value: 'x' }] });
      await first.createRegisteredModel({ name, description: 'd', tags: [], time: T0 });
      await first.createModelVersion({ name, source: 's3://b/m', storageLocation: 's3://b/m', runId, runLink: null, description: null, userId: null, modelId: null, tags: [], time: T0 });
      await first.setAlias(name, 'champion', 1, T0);
    } finally {
      await first.close();
    }
    const second = await openMetadataStore(uri);
    try {
      expect((await second.getExperimentByName(name))?.experimentId).toBe(experimentId);
      const run = (await second.getRun(runId))!;
      expect(run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
      expect(run.data.tags).toContainEqual({ key: 't', value: 'x' });
      expect(run.data.metrics).toEqual([expect.objectContaining({ key: 'acc', value: 0.5, step: 1 })]);
      expect((await second.getModelVersionByAlias(name, 'champion'))?.version).toBe(1);
      expect((await second.createModelVersion({ name, source: 's3://b/m2', storageLocation: 's3://b/m2', runId: null, runLink: null, description: null, userId: null, modelId: null, tags: [], time: T0 })).version).toBe(2);
    } finally {
      await second.close();
    }
  });

  it('survives 64 concurrent writers on one store without losing writes', async () => {
    const { uri } = await tempDatabase();
    const store = await openMetadataStore(uri);
    try {
      const result = await runConcurrentWriters([store], load);
      await expectWritersComplete(store, result, load);
    } finally {
      await store.close();
    }
  });

  it('survives 64 concurrent writers spread over 4 store instances on the same file', async () => {
    const { uri } = await tempDatabase();
    const stores: MetadataStore[] = [];
    try {
      for (let i = 0; i < 4; i++) stores.push(await openMetadataStore(uri));
      const probe = await Promise.allSettled(stores.slice(0, 2).map((s) =>
        s.createExperiment({ name: unique('probe'), artifactLocation: 'file:///x', tags: [], time: T0 })));
      expect(probe.flatMap((p) => (p.status === 'rejected' ? [String(p.reason)] : [])), 'two instances writing at once').toEqual([]);
      const result = await runConcurrentWriters(stores, load);
      const { name, versions } = await createVersionsConcurrently(stores, 40);
      const fresh = await openMetadataStore(uri);
      try {
        await expectWritersComplete(fresh, result, load);
        expect(versions).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        expect((await fresh.getLatestVersions(name, ['None'])).map((v) => v.version)).toEqual([40]);
      } finally {
        await fresh.close();
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('waits for another process holding the write lock instead of failing with "database is locked"', async () => {
    const { path, uri } = await tempDatabase();
    const store = await openMetadataStore(uri);
    try {
      await store.createExperiment({ name: unique('warmup'), artifactLocation: 'file:///x', tags: [], time: T0 });
      const holder = lockHolder(path, 4000);
      await holder.ready;
      const small = { writers: 64, runsPerWriter: 1, batches: 3 };
      const result = await runConcurrentWriters([store], small);
      const { versions } = await createVersionsConcurrently([store], 10);
      const exit = await holder.done;
      expect(exit.code, exit.out).toBe(0);
      expect(exit.out).toMatch(/done [1-9]/);
      await expectWritersComplete(store, result, small);
      expect(versions).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    } finally {
      await store.close();
    }
  });
});

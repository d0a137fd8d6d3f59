import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LocalArtifactStore } from '../../src/adapters/artifacts/local.js';
import { CachedBlobFiles, lazyColumnarEngine } from '../../src/adapters/columnar/blob-files.js';
import { openSqlDatabase, type SqlDatabase } from '../../src/adapters/sql/index.js';
import { SqlDatasetStore } from '../../src/adapters/sql/data/store.js';
import { DataService } from '../../src/core/data/service.js';
import { EventBus, type PlatformEvent } from '../../src/core/events/bus.js';
import { sha256 } from './helpers.js';

let dir: string;
let db: SqlDatabase;
let service: DataService;
const events: PlatformEvent[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capstan-data-events-'));
  db = await openSqlDatabase(`sqlite:///${join(dir, 'c.db')}`);
  const artifacts = await LocalArtifactStore.open(join(dir, 'artifacts'));
  const bus = new EventBus();
  bus.onAny((e) => void events.push(e));
  service = new DataService({
    store: new SqlDatasetStore(db.driver), artifacts, engine: lazyColumnarEngine(), blobFiles: new CachedBlobFiles(join(dir, 'cache')), events: bus, now: () => 1234,
  });
});

afterAll(async () => {
  await db.metadata.close();
  await rm(dir, { recursive: true, force: true });
});

it('publishes dataset_version.created once per committed version, not for unchanged re-adds or failed commits', async () => {
  await service.putBlob(sha256('x'), Readable.from([Buffer.from('x')]));
  const files = [{ path: 'x.txt', digest: sha256('x'), size: 1 }];
  const first = await service.createVersion('evt', { files });
  await service.createVersion('evt', { files });
  await service.createVersion('evt', { files: [...files, { path: 'y.txt', digest: sha256('never'), size: 5 }] }).catch(() => undefined);
  expect(events.map((e) => [e.type, e.payload])).toEqual([['dataset_version.created', { dataset: 'evt', version: '1', digest: first.version.digest }]]);
  expect(first.version.creationTime).toBe(1234);
});

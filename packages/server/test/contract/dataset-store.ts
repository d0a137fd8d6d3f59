import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCapstanError, type ErrorCode, type WireValidationResult } from '@capstan/api';
import type { DatasetStore, NewDatasetVersion } from '../../src/ports/dataset-store.js';

/** What a backend's test file hands to {@link describeDatasetStoreContract}. */
export interface OpenedDatasetStore {
  store: DatasetStore;
  /** A second store over the same database (another server replica). */
  another: () => Promise<{ store: DatasetStore; close: () => Promise<void> }>;
  cleanup: () => Promise<void>;
}

const T0 = 1_700_000_000_000;
let n = 0;

/** A sha256 digest from a seed. */
export function digestOf(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

function name(prefix: string): string {
  return `${prefix}-${++n}-${Math.random().toString(36).slice(2, 7)}`;
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<string> {
  const outcome = await promise.then(() => null, (e: unknown) => e);
  expect(isCapstanError(outcome) ? outcome.code : `not a CapstanError: ${String(outcome)}`).toBe(code);
  return (outcome as Error).message;
}

function version(datasetName: string, digest: string, blobs: { digest: string; size: number }[], over: Partial<NewDatasetVersion> = {}): NewDatasetVersion {
  return {
    name: datasetName, digest, fileCount: blobs.length, totalBytes: blobs.reduce((s, b) => s + b.size, 0), message: 'm', userId: 'u',
    tags: { k: 'v' }, time: T0, blobs, allowUnchanged: false, ...over,
  };
}

/**
 * The behaviour every {@link DatasetStore} must have: blob index, atomic version commits with
 * gap-free numbering under concurrency, no partial versions, unchanged detection, documents,
 * table facts and validation results.
 */
export function describeDatasetStoreContract(label: string, open: () => Promise<OpenedDatasetStore>): void {
  describe(`DatasetStore contract: ${label}`, () => {
    let opened: OpenedDatasetStore;
    let store: DatasetStore;
    beforeAll(async () => {
      opened = await open();
      store = opened.store;
    });
    afterAll(async () => {
      await opened?.cleanup();
    });

    it('records blobs idempotently and reports known sizes', async () => {
      const a = digestOf(name('a'));
      const b = digestOf(name('b'));
      await store.recordBlob({ digest: a, size: 10 }, T0);
      await store.recordBlob({ digest: a, size: 10 }, T0 + 1);
      const sizes = await store.blobSizes([a, b, a]);
      expect([...sizes]).toEqual([[a, 10]]);
      expect((await store.blobSizes([])).size).toBe(0);
    });

    it('records blobs inside packs in one call and reports where each one is', async () => {
      const loose = { digest: digestOf(name('loose')), size: 3 };
      await store.recordBlob(loose, T0);
      const packed = [{ digest: digestOf(name('p1')), size: 5, pack: 'pack-a', offset: 40 }, { digest: digestOf(name('p2')), size: 0, pack: 'pack-a', offset: 85 }];
      await store.recordBlobs([...packed, { ...loose, pack: 'pack-b', offset: 40 }], T0);
      const where = await store.blobLocations([loose.digest, ...packed.map((p) => p.digest), digestOf('unknown')]);
      expect(where.get(loose.digest)).toEqual(loose);
      expect(where.get(packed[0]!.digest)).toEqual(packed[0]);
      expect(where.get(packed[1]!.digest)).toEqual(packed[1]);
      expect(where.size).toBe(3);
      expect((await store.blobSizes([packed[1]!.digest])).get(packed[1]!.digest)).toBe(0);
    });

    it('answers blob lookups for more digests than one SQL statement binds', async () => {
      const digests = Array.from({ length: 1200 }, (_, i) => digestOf(`${name('many')}-${i}`));
      for (const d of digests.slice(0, 700)) await store.recordBlob({ digest: d, size: 1 }, T0);
      expect((await store.blobSizes(digests)).size).toBe(700);
    });

    it('numbers versions 1, 2, 3 and keeps every field', async () => {
      const ds = name('ds');
      const blob = { digest: digestOf(name('x')), size: 5 };
      await store.recordBlob(blob, T0);
      const first = await store.createVersion(version(ds, digestOf('v1' + ds), [blob]));
      expect(first).toEqual({ created: true, version: { name: ds, version: 1, digest: digestOf('v1' + ds), fileCount: 1, totalBytes: 5, message: 'm', userId: 'u', tags: { k: 'v' }, creationTime: T0 } });
      await store.createVersion(version(ds, digestOf('v2' + ds), [blob]));
      await store.createVersion(version(ds, digestOf('v3' + ds), [blob]));
      expect(await store.getVersion(ds, 1)).toEqual(first.version);
      expect((await store.listVersions(ds, 10, 0)).items.map((v) => v.version)).toEqual([3, 2, 1]);
      const page = await store.listVersions(ds, 2, 0);
      expect(page.items.map((v) => v.version)).toEqual([3, 2]);
      expect(page.nextOffset).toBe(2);
      expect((await store.listVersions(ds, 2, 2)).items.map((v) => v.version)).toEqual([1]);
      expect((await store.getDataset(ds))?.latestVersion).toBe(3);
      expect(await store.getVersion(ds, 4)).toBeNull();
    });

    it('returns the latest version instead of committing the same digest twice, unless asked', async () => {
      const ds = name('same');
      const blob = { digest: digestOf(name('y')), size: 3 };
      await store.recordBlob(blob, T0);
      const d = digestOf(ds);
      const one = await store.createVersion(version(ds, d, [blob]));
      const again = await store.createVersion(version(ds, d, [blob], { time: T0 + 5 }));
      expect(again).toEqual({ created: false, version: one.version });
      const forced = await store.createVersion(version(ds, d, [blob], { allowUnchanged: true }));
      expect(forced.created).toBe(true);
      expect(forced.version.version).toBe(2);
    });

    it('refuses a version with a missing or mis-sized blob and leaves nothing behind', async () => {
      const ds = name('partial');
      const present = { digest: digestOf(name('p')), size: 4 };
      await store.recordBlob(present, T0);
      const absent = { digest: digestOf(name('absent')), size: 4 };
      const message = await expectCode(store.createVersion(version(ds, digestOf(ds), [present, absent])), 'INVALID_PARAMETER_VALUE');
      expect(message).toContain(absent.digest);
      expect(await expectCode(store.createVersion(version(ds, digestOf(ds), [{ ...present, size: 5 }])), 'INVALID_PARAMETER_VALUE')).toContain('not 5');
      expect(await store.getDataset(ds)).toBeNull();
      expect(await store.getVersion(ds, 1)).toBeNull();
    });

    it('creates empty datasets, refuses duplicates and lists by name with pages', async () => {
      const prefix = name('list');
      const created = await store.createDataset(`${prefix}-b`, 'second', T0);
      expect(created).toEqual({ name: `${prefix}-b`, description: 'second', creationTime: T0, lastUpdateTime: T0, latestVersion: 0 });
      await store.createDataset(`${prefix}-a`, '', T0);
      await expectCode(store.createDataset(`${prefix}-a`, '', T0), 'RESOURCE_ALREADY_EXISTS');
      const all: string[] = [];
      let offset: number | undefined = 0;
      while (offset !== undefined) {
        const page = await store.listDatasets(2, offset);
        all.push(...page.items.map((d) => d.name));
        offset = page.nextOffset;
      }
      expect(all.filter((x) => x.startsWith(prefix))).toEqual([`${prefix}-a`, `${prefix}-b`]);
    });

    it('numbers 24 concurrent commits over two store instances 1..24 without gaps', async () => {
      const ds = name('race');
      const blob = { digest: digestOf(name('r')), size: 1 };
      await store.recordBlob(blob, T0);
      const other = await opened.another();
      try {
        const results = await Promise.all(Array.from({ length: 24 }, (_, i) =>
          (i % 2 ? other.store : store).createVersion(version(ds, digestOf(`${ds}-${i}`), [blob]))));
        expect(results.every((r) => r.created)).toBe(true);
        expect(results.map((r) => r.version.version).toSorted((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      } finally {
        await other.close();
      }
    });

    it('stores, replaces and reads documents and table facts', async () => {
      const ds = name('doc');
      const blob = { digest: digestOf(name('d')), size: 1 };
      await store.recordBlob(blob, T0);
      await store.createVersion(version(ds, digestOf(ds), [blob]));
      expect(await store.getDocument(ds, 1, 'schema')).toBeNull();
      await store.putDocument(ds, 1, 'schema', '{"columns":[]}', T0);
      await store.putDocument(ds, 1, 'schema', '{"columns":[1]}', T0 + 1);
      expect(await store.getDocument(ds, 1, 'schema')).toBe('{"columns":[1]}');
      expect(await store.getDocument(ds, 1, 'profile')).toBeNull();
      const big = 'x'.repeat(2_000_000);
      await store.putDocument(ds, 1, 'profile', big, T0);
      expect((await store.getDocument(ds, 1, 'profile'))?.length).toBe(big.length);
      await store.putTableInfo(blob.digest, '.csv', '{"rowCount":3}');
      await store.putTableInfo(blob.digest, '.csv', '{"rowCount":4}');
      expect(await store.getTableInfo(blob.digest, '.csv')).toBe('{"rowCount":3}');
      expect(await store.getTableInfo(blob.digest, '.parquet')).toBeNull();
    });

    it('keeps validation results per version, newest first', async () => {
      const ds = name('val');
      const blob = { digest: digestOf(name('v')), size: 1 };
      await store.recordBlob(blob, T0);
      await store.createVersion(version(ds, digestOf(ds), [blob]));
      const result = (success: boolean, startTime: number): WireValidationResult => ({
        dataset: ds, version: 1, suite: 's', success, statistics: { evaluated: 1, successful: success ? 1 : 0, failed: success ? 0 : 1 },
        rowCount: 3, results: [{ check: { type: 'not_null', column: 'a' }, title: 't', success }], startTime, durationMs: 5,
      });
      const first = await store.saveValidation(result(true, T0));
      const second = await store.saveValidation(result(false, T0 + 1));
      expect(second).toBeGreaterThan(first);
      const listed = await store.listValidations(ds, 1, 10);
      expect(listed.map((r) => [r.id, r.success])).toEqual([[second, false], [first, true]]);
      expect(listed[1]).toEqual({ ...result(true, T0), id: first });
      expect(await store.listValidations(ds, 2, 10)).toEqual([]);
    });
  });
}

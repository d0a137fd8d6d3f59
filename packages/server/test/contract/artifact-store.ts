import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it as vitestIt } from 'vitest';
import type { ArtifactStore } from '../../src/ports/artifact-store.js';

/** A store under test and how to dispose of it (and whatever backs it). */
export interface OpenedArtifactStore {
  store: ArtifactStore;
  cleanup: () => Promise<void>;
}

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

/** Runs a full GC so memory baselines hold no garbage (exposes `gc` at runtime when the process lacks it). */
function collectGarbage(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed();
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Live JS heap plus memory held outside it (Buffers): what buffering a whole object would grow. */
function heapAndBuffers(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

/** A deterministic pseudo-random byte stream of `size` bytes; `digest()` is its sha256 once it has been read. */
export function generatedStream(size: number, seed = 1): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256');
  let state = seed >>> 0 || 1;
  let produced = 0;
  const stream = new Readable({
    read() {
      if (produced >= size) {
        this.push(null);
        return;
      }
      const length = Math.min(CHUNK, size - produced);
      const chunk = Buffer.allocUnsafe(Math.ceil(length / 4) * 4);
      for (let offset = 0; offset < chunk.length; offset += 4) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        chunk.writeUInt32LE(state >>> 0, offset);
      }
      const data = chunk.subarray(0, length);
      hash.update(data);
      produced += length;
      this.push(data);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

/** sha256 and length of a stream, consumed chunk by chunk. */
export async function digestStream(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function body(data: string | Buffer): Readable {
  return Readable.from([typeof data === 'string' ? Buffer.from(data) : data]);
}

function emptyBody(): Readable {
  return Readable.from([]);
}

/** A body that yields `bytes` bytes, then fails like a client that went away. */
function failingBody(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) {
        this.destroy(new Error('client went away'));
        return;
      }
      const length = Math.min(CHUNK, bytes - sent);
      sent += length;
      this.push(Buffer.alloc(length, 0x5a));
    },
  });
}

async function text(store: ArtifactStore, path: string): Promise<string> {
  return (await readAll((await store.get(path)).stream)).toString();
}

/** Options for one run of the contract. */
export interface ArtifactStoreContractOptions {
  /**
   * Tests to skip, by title, with the reason: only for gaps of a test double standing in for the
   * real backend (e.g. an S3 emulator lacking an API), never for the implementation's own gaps.
   */
  backendGaps?: Record<string, string>;
}

/**
 * The behaviour every {@link ArtifactStore} implementation must show. `open` is called before each
 * test and must return an empty store; `cleanup` runs after it.
 */
export function describeArtifactStoreContract(
  name: string,
  open: () => Promise<OpenedArtifactStore>,
  options: ArtifactStoreContractOptions = {},
): void {
  const gaps = options.backendGaps ?? {};
  const it = (title: string, fn: () => Promise<void>, timeout?: number): void => {
    const reason = gaps[title];
    if (reason === undefined) vitestIt(title, fn, timeout);
    else vitestIt.skip(`${title} (skipped: ${reason})`, fn);
  };
  describe(`ArtifactStore contract: ${name}`, () => {
    let store: ArtifactStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });

    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    describe('put and get', () => {
      it('round-trips an empty object', async () => {
        await store.put('empty.txt', emptyBody());
        const object = await store.get('empty.txt');
        expect(object.size).toBe(0);
        expect((await readAll(object.stream)).length).toBe(0);
        expect(await store.stat('empty.txt')).toBe(0);
      });

      it('round-trips a small text object', async () => {
        await store.put('hello.txt', body('hello, artifacts'));
        const object = await store.get('hello.txt');
        expect(object.size).toBe(16);
        expect((await readAll(object.stream)).toString()).toBe('hello, artifacts');
      });

      it('round-trips binary bytes unchanged', async () => {
        const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));
        await store.put('blob.bin', Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
        const object = await store.get('blob.bin');
        expect(object.size).toBe(bytes.length);
        expect((await readAll(object.stream)).equals(bytes)).toBe(true);
      });

      it('round-trips a 20+ MB stream, compared by sha256', async () => {
        const size = 21 * MiB + 123;
        const source = generatedStream(size, 42);
        await store.put('big/model.bin', source.stream);
        const object = await store.get('big/model.bin');
        expect(object.size).toBe(size);
        expect(await digestStream(object.stream)).toEqual({ sha256: source.digest(), size });
      });

      it('replaces an existing object', async () => {
        await store.put('a.txt', body('first version, longer'));
        await store.put('a.txt', body('second'));
        expect(await text(store, 'a.txt')).toBe('second');
        expect(await store.stat('a.txt')).toBe(6);
      });

      it('stores paths with spaces, unicode and dots in names', async () => {
        const paths = ['with space/file name.txt', 'ünïcødé/日本.json', '.hidden/..dots..'];
        for (const path of paths) await store.put(path, body(path));
        for (const path of paths) expect(await text(store, path)).toBe(path);
      });

      it('throws RESOURCE_DOES_NOT_EXIST for a missing object or a directory', async () => {
        await store.put('dir/file.txt', body('x'));
        await expect(store.get('nope.txt')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
        await expect(store.get('dir/nope.txt')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
        await expect(store.get('dir')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
      });

      it('writes different keys concurrently', async () => {
        const keys = Array.from({ length: 24 }, (_, i) => `concurrent/${i % 3}/k${i}.txt`);
        await Promise.all(keys.map((key) => store.put(key, body(`content of ${key}`.repeat(100)))));
        for (const key of keys) expect(await text(store, key)).toBe(`content of ${key}`.repeat(100));
        expect((await store.list('concurrent')).map((e) => e.path)).toEqual(['0', '1', '2']);
        expect(await store.list('concurrent/1')).toHaveLength(8);
      });
    });

    describe('atomicity', () => {
      it('leaves no object behind when a small body fails midway', async () => {
        await expect(store.put('dir/broken.bin', failingBody(100 * 1024))).rejects.toThrow();
        expect(await store.stat('dir/broken.bin')).toBeNull();
        await expect(store.get('dir/broken.bin')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
        expect(await store.list('')).toEqual([]);
      });

      it('leaves no object behind when a multi-part-sized body fails midway', async () => {
        await expect(store.put('broken.bin', failingBody(3 * store.capabilities.minPartSize + 1000))).rejects.toThrow();
        expect(await store.stat('broken.bin')).toBeNull();
        expect(await store.list('')).toEqual([]);
      });

      it('keeps the previous object when an overwrite fails', async () => {
        await store.put('keep.txt', body('old'));
        await expect(store.put('keep.txt', failingBody(2 * store.capabilities.minPartSize))).rejects.toThrow();
        expect(await text(store, 'keep.txt')).toBe('old');
      });
    });

    describe('stat', () => {
      it('gives the size of objects and null for missing paths and directories', async () => {
        await store.put('d/e/f.txt', body('12345'));
        expect(await store.stat('d/e/f.txt')).toBe(5);
        expect(await store.stat('d/e/missing')).toBeNull();
        expect(await store.stat('d/e')).toBeNull();
        expect(await store.stat('d')).toBeNull();
      });
    });

    describe('list', () => {
      beforeEach(async () => {
        await store.put('a.txt', body('aaa'));
        await store.put('dir/b.txt', body('bb'));
        await store.put('dir/sub/c.bin', body('c'));
        await store.put('dir/z.txt', body(''));
        await store.put('dirx/d.txt', body('dddd'));
      });

      it('lists the immediate children of the root, sorted, directories without size', async () => {
        expect(await store.list('')).toStrictEqual([
          { path: 'a.txt', isDir: false, size: 3 },
          { path: 'dir', isDir: true },
          { path: 'dirx', isDir: true },
        ]);
      });

      it('lists the immediate children of a subdirectory by name', async () => {
        expect(await store.list('dir')).toStrictEqual([
          { path: 'b.txt', isDir: false, size: 2 },
          { path: 'sub', isDir: true },
          { path: 'z.txt', isDir: false, size: 0 },
        ]);
        expect(await store.list('dir/sub')).toStrictEqual([{ path: 'c.bin', isDir: false, size: 1 }]);
      });

      it('gives [] for a missing directory and for an object', async () => {
        expect(await store.list('missing')).toEqual([]);
        expect(await store.list('dir/missing/deeper')).toEqual([]);
        expect(await store.list('a.txt')).toEqual([]);
      });

      it('pages through directories with many entries', async () => {
        const names = Array.from({ length: 1005 }, (_, i) => `f${String(i).padStart(4, '0')}`);
        for (let i = 0; i < names.length; i += 50) {
          await Promise.all(names.slice(i, i + 50).map((n) => store.put(`many/${n}`, body(n))));
        }
        const entries = await store.list('many');
        expect(entries.map((e) => e.path)).toEqual(names);
        expect(entries.every((e) => !e.isDir && e.size === 5)).toBe(true);
      });
    });

    describe('delete', () => {
      it('deletes an object; a directory emptied by it disappears', async () => {
        await store.put('keep.txt', body('k'));
        await store.put('only/one.txt', body('1'));
        await store.delete('only/one.txt');
        expect(await store.stat('only/one.txt')).toBeNull();
        await expect(store.get('only/one.txt')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
        expect(await store.list('')).toStrictEqual([{ path: 'keep.txt', isDir: false, size: 1 }]);
      });

      it('deletes a directory recursively without touching siblings sharing its name prefix', async () => {
        await store.put('dir/a.txt', body('a'));
        await store.put('dir/sub/b.txt', body('b'));
        await store.put('dir/sub/deeper/c.txt', body('c'));
        await store.put('dirx/d.txt', body('d'));
        await store.put('dir.txt', body('e'));
        await store.delete('dir');
        expect(await store.list('dir')).toEqual([]);
        expect(await store.stat('dir/sub/deeper/c.txt')).toBeNull();
        expect((await store.list('')).map((e) => e.path)).toEqual(['dir.txt', 'dirx']);
        expect(await text(store, 'dirx/d.txt')).toBe('d');
      });

      it('deletes a directory holding more than one delete batch', async () => {
        const keys = Array.from({ length: 1010 }, (_, i) => `bulk/${i % 2 ? 'odd' : 'even'}/${i}`);
        for (let i = 0; i < keys.length; i += 50) {
          await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, body('x'))));
        }
        await store.delete('bulk');
        expect(await store.list('bulk')).toEqual([]);
        expect(await store.list('')).toEqual([]);
      });

      it('accepts missing paths', async () => {
        await expect(store.delete('never/was')).resolves.toBeUndefined();
        await expect(store.delete('nothing.txt')).resolves.toBeUndefined();
      });
    });

    describe('multipart upload', () => {
      it('assembles parts uploaded out of order', async () => {
        const partSize = store.capabilities.minPartSize;
        const sources = [1, 2, 3].map((n) => generatedStream(n === 3 ? partSize - 17 : partSize, n));
        const uploadId = await store.createMultipartUpload('mp/object.bin');
        const etags = new Map<number, string>();
        for (const partNumber of [3, 1, 2]) {
          const source = sources[partNumber - 1];
          if (!source) throw new Error('missing part source');
          etags.set(partNumber, await store.uploadPart('mp/object.bin', uploadId, partNumber, source.stream));
        }
        expect(await store.stat('mp/object.bin')).toBeNull();
        await store.completeMultipartUpload(
          'mp/object.bin',
          uploadId,
          [1, 2, 3].map((partNumber) => ({ partNumber, etag: etags.get(partNumber) ?? '' })),
        );

        const whole = createHash('sha256');
        for (const n of [1, 2, 3]) {
          const again = generatedStream(n === 3 ? partSize - 17 : partSize, n);
          for await (const chunk of again.stream) whole.update(chunk as Buffer);
        }
        const object = await store.get('mp/object.bin');
        expect(object.size).toBe(3 * partSize - 17);
        expect(await digestStream(object.stream)).toEqual({ sha256: whole.digest('hex'), size: 3 * partSize - 17 });
        expect(await store.list('')).toStrictEqual([{ path: 'mp', isDir: true }]);
        expect(await store.list('mp')).toStrictEqual([{ path: 'object.bin', isDir: false, size: 3 * partSize - 17 }]);
      });

      it('replaces a re-uploaded part', async () => {
        const uploadId = await store.createMultipartUpload('redo.txt');
        await store.uploadPart('redo.txt', uploadId, 1, body('first try'));
        const etag = await store.uploadPart('redo.txt', uploadId, 1, body('second try'));
        await store.completeMultipartUpload('redo.txt', uploadId, [{ partNumber: 1, etag }]);
        expect(await text(store, 'redo.txt')).toBe('second try');
      });

      it('rejects part numbers outside 1..10000', async () => {
        const uploadId = await store.createMultipartUpload('numbers.bin');
        for (const partNumber of [0, -1, 10_001, 1.5]) {
          await expect(store.uploadPart('numbers.bin', uploadId, partNumber, body('x'))).rejects.toMatchObject({
            code: 'INVALID_PARAMETER_VALUE',
          });
        }
      });

      it('rejects completion with an etag that was not uploaded', async () => {
        const uploadId = await store.createMultipartUpload('bad.txt');
        await store.uploadPart('bad.txt', uploadId, 1, body('part'));
        await expect(
          store.completeMultipartUpload('bad.txt', uploadId, [{ partNumber: 1, etag: '"0123456789abcdef0123456789abcdef"' }]),
        ).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
        expect(await store.stat('bad.txt')).toBeNull();
        await store.abortMultipartUpload('bad.txt', uploadId);
      });

      it('leaves nothing behind when aborted', async () => {
        const partSize = store.capabilities.minPartSize;
        const uploadId = await store.createMultipartUpload('aborted/object.bin');
        const etag = await store.uploadPart('aborted/object.bin', uploadId, 1, generatedStream(partSize, 9).stream);
        await store.uploadPart('aborted/object.bin', uploadId, 2, body('tail'));
        await store.abortMultipartUpload('aborted/object.bin', uploadId);
        expect(await store.stat('aborted/object.bin')).toBeNull();
        expect(await store.list('')).toEqual([]);
        await expect(
          store.completeMultipartUpload('aborted/object.bin', uploadId, [{ partNumber: 1, etag }]),
        ).rejects.toThrow();
        expect(await store.stat('aborted/object.bin')).toBeNull();
      });

      it('treats an aborted upload as missing', async () => {
        const uploadId = await store.createMultipartUpload('gone.bin');
        const etag = await store.uploadPart('gone.bin', uploadId, 1, body('part'));
        await store.abortMultipartUpload('gone.bin', uploadId);
        await expect(store.completeMultipartUpload('gone.bin', uploadId, [{ partNumber: 1, etag }])).rejects.toMatchObject({
          code: 'RESOURCE_DOES_NOT_EXIST',
        });
        await expect(store.uploadPart('gone.bin', uploadId, 2, body('late'))).rejects.toMatchObject({
          code: 'RESOURCE_DOES_NOT_EXIST',
        });
        await expect(store.abortMultipartUpload('gone.bin', uploadId)).resolves.toBeUndefined();
      });
    });

    describe('memory', () => {
      it('streams a 200 MB upload and download in bounded memory', async () => {
        const size = 200 * MiB;
        collectGarbage();
        const baseline = { rss: process.memoryUsage.rss(), heap: heapAndBuffers() };
        const peak = { ...baseline };
        const sample = (): void => {
          peak.rss = Math.max(peak.rss, process.memoryUsage.rss());
          peak.heap = Math.max(peak.heap, heapAndBuffers());
        };
        const sampler = setInterval(sample, 20);
        try {
          const source = generatedStream(size, 7);
          await store.put('huge.bin', source.stream);
          sample();
          const object = await store.get('huge.bin');
          expect(object.size).toBe(size);
          expect(await digestStream(object.stream)).toEqual({ sha256: source.digest(), size });
        } finally {
          clearInterval(sampler);
        }
        sample();
        const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;
        console.log(
          `[${name}] 200 MB round trip: rss ${mib(baseline.rss)} -> peak ${mib(peak.rss)} (+${mib(peak.rss - baseline.rss)}); ` +
            `heap+external ${mib(baseline.heap)} -> peak ${mib(peak.heap)} (+${mib(peak.heap - baseline.heap)})`,
        );
        expect(peak.rss - baseline.rss).toBeLessThan(100 * MiB);
        expect(peak.heap - baseline.heap).toBeLessThan(100 * MiB);
      }, 300_000);
    });
  });
}

import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidParameter } from '@capstan/api';
import type { Readable } from 'node:stream';
import type { BlobFiles, ColumnarEngine } from '../../ports/columnar-engine.js';

/**
 * {@link BlobFiles} backed by a local cache folder: a dataset blob is copied once from the artifact
 * store (local or S3, whole or out of a pack) to `<dir>/sha256/ab/<hex><suffix>`, its sha256 checked, and reused after that
 * (blobs are immutable, so the cache never goes stale). Concurrent requests for one blob share a copy.
 */
export class CachedBlobFiles implements BlobFiles {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly dir: string) {}

  localPath(digest: string, suffix: string, open: () => Promise<Readable>): Promise<string> {
    if (!/^[0-9a-f]{64}$/.test(digest) || !/^(\.[A-Za-z0-9]+){0,3}$/.test(suffix)) throw invalidParameter(`Invalid blob reference ${digest}${suffix}`);
    const target = join(this.dir, 'sha256', digest.slice(0, 2), `${digest}${suffix}`);
    const key = target;
    let job = this.pending.get(key);
    if (!job) {
      job = this.copy(digest, target, open).finally(() => this.pending.delete(key));
      this.pending.set(key, job);
    }
    return job;
  }

  private async copy(digest: string, target: string, open: () => Promise<Readable>): Promise<string> {
    if (await stat(target).then((s) => s.isFile(), () => false)) return target;
    await mkdir(join(target, '..'), { recursive: true });
    const tmp = `${target}.${randomUUID()}.part`;
    const hash = createHash('sha256');
    try {
      await pipeline(await open(), new Transform({
        transform(chunk: Buffer, _e, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
      }), createWriteStream(tmp));
      const actual = hash.digest('hex');
      if (actual !== digest) throw new Error(`dataset blob ${digest} is corrupt in the artifact store (its bytes hash to ${actual})`);
      await rename(tmp, target);
      return target;
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
}

/** The default cache folder for a server's dataset blobs: under the OS temp dir, one per artifact destination. */
export function blobCacheDir(artifactsDestination: string): string {
  return join(tmpdir(), 'capstan-data-cache', createHash('sha256').update(artifactsDestination).digest('hex').slice(0, 16));
}

/** A {@link ColumnarEngine} that loads DuckDB on first use only, so server start-up stays fast. */
export function lazyColumnarEngine(options: { threads?: number; memoryLimit?: string } = {}): ColumnarEngine {
  let engine: Promise<ColumnarEngine> | undefined;
  return {
    async open(sources) {
      engine ??= import('./engine.js').then((m) => new m.DuckDBColumnarEngine(options));
      return (await engine).open(sources);
    },
  };
}

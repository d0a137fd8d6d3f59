import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataApi } from '@capstan/client';
import type { WireManifestFile } from '@capstan/api';
import { startCapstan } from '../../src/main.js';

/** sha256 hex of bytes. */
export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A real server over a fresh SQLite file and an artifact destination (a temp folder unless given). */
export async function startDataServer(artifactsDestination?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-data-'));
  const server = await startCapstan({
    host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${join(dir, 'c.db')}`, artifactsDestination: artifactsDestination ?? join(dir, 'artifacts'),
    serving: { syncIntervalMs: 0, canaryIntervalMs: 0 },
  } as Parameters<typeof startCapstan>[0]);
  return {
    url: server.url,
    dir,
    data: new DataApi({ baseUrl: server.url }),
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Adds in-memory files as a version the way `capstan data add` does: ask which blobs are
 * missing, upload those, commit. Returns the commit and how many blobs were uploaded.
 */
export async function addVersion(data: DataApi, name: string, files: Record<string, Buffer | string>, options: { message?: string; concurrency?: number; packs?: boolean } = {}) {
  const manifest: WireManifestFile[] = Object.entries(files).map(([path, content]) => ({ path, digest: sha256(content), size: Buffer.byteLength(content) }));
  const bytes = new Map(Object.values(files).map((c) => [sha256(c), Buffer.from(c)]));
  const missing = await data.missingBlobs(manifest.map((f) => f.digest));
  const packed = options.packs === false ? [] : missing.filter((d) => bytes.get(d)!.length <= 1024 * 1024);
  const loose = missing.filter((d) => !packed.includes(d));
  const packs: string[][] = [];
  for (let i = 0; i < packed.length; i += 2000) packs.push(packed.slice(i, i + 2000));
  const work: (() => Promise<unknown>)[] = [
    ...loose.map((d) => () => data.putBlob(d, new Uint8Array(bytes.get(d)!))),
    ...packs.map((group) => () => data.putPack(new Uint8Array(packOf(group.map((d) => bytes.get(d)!))))),
  ];
  let next = 0;
  const worker = async () => {
    while (next < work.length) await work[next++]!();
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  const commit = await data.createVersion(name, manifest, options.message ? { message: options.message } : {});
  return { ...commit, uploaded: missing.length };
}

/** Downloads every file of a version into memory, by path. */
export async function getVersionFiles(data: DataApi, name: string, version: number): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const f of await data.getManifest(name, version)) out[f.path] = Buffer.from(await (await data.getBlob(f.digest)).arrayBuffer());
  return out;
}

/** A pack body: each blob as `[sha256 32 bytes][size uint64 BE][bytes]`. */
export function packOf(blobs: Buffer[]): Buffer {
  return Buffer.concat(blobs.flatMap((b) => {
    const header = Buffer.alloc(40);
    Buffer.from(sha256(b), 'hex').copy(header);
    header.writeBigUInt64BE(BigInt(b.length), 32);
    return [header, b];
  }));
}

/** Splits a frames body (as `getBlobs` returns) into digest → bytes. */
export function unframe(body: Buffer): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  for (let i = 0; i < body.length;) {
    const size = Number(body.readBigUInt64BE(i + 32));
    out.push([body.subarray(i, i + 32).toString('hex'), body.subarray(i + 40, i + 40 + size)]);
    i += 40 + size;
  }
  return out;
}

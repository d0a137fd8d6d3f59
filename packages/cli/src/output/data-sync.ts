import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { CapstanError, ErrorCode, invalidParameter, type WireManifestFile } from '@capstan/api';
import type { DataApi } from '@capstan/client';
import { fileStream, nodeFetch, type TransferProgress } from '@capstan/client/node';

/** A local file to add: its manifest path, where it is, and the stat facts the hash cache keys on. */
export interface LocalFile {
  path: string;
  abs: string;
  size: number;
  key: string;
  mtimeNs: string;
}

/** Progress callback shared by hashing, uploads and downloads. */
export type OnProgress = (progress: TransferProgress) => void;

const BIG_FILE = 8 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

/**
 * The files of the paths given to `capstan data add`: one directory contributes its contents at
 * the root; otherwise every file argument lands at its base name and every directory at
 * `<basename>/...`. Symlinks are followed for files, not for directories. `prefix` is prepended.
 * @throws CapstanError INVALID_PARAMETER_VALUE for a missing or unreadable path, or an empty result.
 */
export async function collectFiles(paths: string[], prefix = ''): Promise<LocalFile[]> {
  const out: LocalFile[] = [];
  const single = paths.length === 1;
  for (const p of paths) {
    const abs = resolve(p);
    const info = await stat(abs).catch((e: NodeJS.ErrnoException) => {
      throw invalidParameter(`Cannot read '${p}': ${e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.message}`);
    });
    if (info.isDirectory()) await walk(abs, single ? '' : basename(abs), out);
    else if (info.isFile()) out.push(await describe(abs, basename(abs)));
    else throw invalidParameter(`Cannot add '${p}': not a regular file or directory`);
  }
  const clean = prefix.replace(/^\/+|\/+$/g, '');
  if (clean) for (const f of out) f.path = `${clean}/${f.path}`;
  if (out.length === 0) throw invalidParameter(`No files found under ${paths.map((p) => `'${p}'`).join(', ')}`);
  return out;
}

async function walk(dir: string, rel: string, out: LocalFile[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw invalidParameter(`Cannot read directory '${dir}': ${(e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
  const files: Promise<LocalFile>[] = [];
  for (const entry of entries) {
    const abs = join(dir, entry.name);
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) await walk(abs, path, out);
    else if (entry.isFile() || entry.isSymbolicLink()) files.push(describe(abs, path));
  }
  for (const f of await Promise.all(files)) if (f.size >= 0) out.push(f);
}

async function describe(abs: string, path: string): Promise<LocalFile> {
  const s = await stat(abs, { bigint: true }).catch((e: NodeJS.ErrnoException) => {
    throw invalidParameter(`Cannot read '${abs}': ${e.code === 'EACCES' ? 'permission denied' : e.message}`);
  });
  if (!s.isFile()) return { path, abs, size: -1, key: '', mtimeNs: '' };
  return { path, abs, size: Number(s.size), key: `${s.dev}:${s.ino}`, mtimeNs: String(s.mtimeNs) };
}

/** Where the hash cache lives: `$CAPSTAN_CACHE_DIR`, `$XDG_CACHE_HOME/capstan` or `~/.cache/capstan`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CAPSTAN_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'capstan');
}

interface CacheEntry {
  s: number;
  m: string;
  d: string;
}

/**
 * sha256 of files by (device, inode, mtime in ns, size), kept in `hashes.json` in the cache
 * folder, so unchanged files are never read again. Saved atomically (temp file, then rename).
 */
export class HashCache {
  private dirty = false;

  private constructor(private readonly file: string, private readonly entries: Map<string, CacheEntry>) {}

  /** Loads the cache (an unreadable or corrupt cache starts empty). */
  static async open(dir = cacheDir()): Promise<HashCache> {
    const file = join(dir, 'hashes.json');
    let entries = new Map<string, CacheEntry>();
    try {
      entries = new Map(Object.entries(JSON.parse(await readFile(file, 'utf8')) as Record<string, CacheEntry>));
    } catch {
      entries = new Map();
    }
    return new HashCache(file, entries);
  }

  /** The cached digest of a file whose stat facts are unchanged. */
  get(f: LocalFile): string | undefined {
    const e = this.entries.get(f.key);
    return e && e.s === f.size && e.m === f.mtimeNs ? e.d : undefined;
  }

  set(f: LocalFile, digest: string): void {
    this.entries.set(f.key, { s: f.size, m: f.mtimeNs, d: digest });
    this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${randomUUID()}.tmp`;
    await writeFile(tmp, JSON.stringify(Object.fromEntries(this.entries)));
    await rename(tmp, this.file);
    this.dirty = false;
  }
}

/** sha256 of one file, read in 1 MiB chunks. */
export async function hashFile(abs: string, onBytes: (n: number) => void = () => undefined): Promise<string> {
  const hash = createHash('sha256');
  const stream = createReadStream(abs, { highWaterMark: READ_CHUNK });
  try {
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      onBytes((chunk as Buffer).length);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw invalidParameter(`Cannot read '${abs}': ${code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
  return hash.digest('hex');
}

const SMALL_FILE = 256 * 1024;

async function hashSmall(abs: string): Promise<string> {
  try {
    return createHash('sha256').update(await readFile(abs)).digest('hex');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw invalidParameter(`Cannot read '${abs}': ${code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
}

/** Runs `work` over `items` with at most `limit` at a time; the first failure stops new work and is thrown. */
export async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/**
 * The manifest of local files: cached digests where the stat facts match, the rest hashed (big
 * files two at a time, small ones sixteen at a time), the cache updated.
 * @returns the manifest and how many bytes were actually read.
 */
export async function hashFiles(files: LocalFile[], cache: HashCache, onProgress?: OnProgress): Promise<{ manifest: WireManifestFile[]; hashedBytes: number; hashedFiles: number }> {
  const digests = new Map<LocalFile, string>();
  const todo: LocalFile[] = [];
  for (const f of files) {
    const d = cache.get(f);
    if (d) digests.set(f, d);
    else todo.push(f);
  }
  const total = todo.reduce((s, f) => s + f.size, 0);
  let bytes = 0;
  let done = 0;
  const report = (path: string) => onProgress?.({ bytes, total, files: todo.length, filesDone: done, path });
  const hashOne = async (f: LocalFile) => {
    const d = f.size <= SMALL_FILE ? await hashSmall(f.abs) : await hashFile(f.abs, (n) => {
      bytes += n;
      report(f.path);
    });
    if (f.size <= SMALL_FILE) bytes += f.size;
    digests.set(f, d);
    cache.set(f, d);
    done++;
    report(f.path);
  };
  await Promise.all([
    pool(todo.filter((f) => f.size >= BIG_FILE), 2, hashOne),
    pool(todo.filter((f) => f.size < BIG_FILE), 16, hashOne),
  ]);
  return { manifest: files.map((f) => ({ path: f.path, digest: digests.get(f)!, size: f.size })), hashedBytes: total, hashedFiles: todo.length };
}

const SMALL_BLOB = 1024 * 1024;
const PACK_BYTES = 16 * 1024 * 1024;
const PACK_FILES = 1000;
const FRAME = 40;

function frameHeader(digest: string, size: number): Buffer {
  const header = Buffer.alloc(FRAME);
  Buffer.from(digest, 'hex').copy(header, 0);
  header.writeBigUInt64BE(BigInt(size), 32);
  return header;
}

/** Groups items into batches of at most `maxBytes` (by `size` plus a frame each) and `maxItems`. */
function batches<T extends { size: number }>(items: T[], maxBytes: number, maxItems: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (bytes + FRAME + item.size > maxBytes || current.length >= maxItems)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += FRAME + item.size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Uploads the blobs the server lacks, `concurrency` requests at a time: files up to 1 MiB travel
 * in packs of up to 16 MiB (one request and one stored object per pack), bigger ones streamed
 * one by one. @returns the bytes and blobs sent.
 */
export async function uploadMissing(data: DataApi, files: { digest: string; size: number; abs: string; path: string }[], concurrency: number, onProgress?: OnProgress): Promise<{ bytes: number; blobs: number }> {
  const missing = new Set(await data.missingBlobs(files.map((f) => f.digest)));
  const seen = new Set<string>();
  const jobs = files.filter((f) => missing.has(f.digest) && !seen.has(f.digest) && seen.add(f.digest));
  const total = jobs.reduce((s, f) => s + f.size, 0);
  let bytes = 0;
  let done = 0;
  const report = (path: string) => onProgress?.({ bytes, total, files: jobs.length, filesDone: done, path });
  const changed = (f: { abs: string; size: number }, size: number) =>
    invalidParameter(`'${f.abs}' changed while it was being added (size ${f.size} → ${size}); run the command again`);
  const work: ({ kind: 'pack'; files: typeof jobs } | { kind: 'blob'; file: (typeof jobs)[number] })[] = [
    ...jobs.filter((f) => f.size > SMALL_BLOB).map((file) => ({ kind: 'blob' as const, file })),
    ...batches(jobs.filter((f) => f.size <= SMALL_BLOB), PACK_BYTES, PACK_FILES).map((group) => ({ kind: 'pack' as const, files: group })),
  ];
  await pool(work, concurrency, async (item) => {
    if (item.kind === 'blob') {
      const f = item.file;
      const size = (await stat(f.abs)).size;
      if (size !== f.size) throw changed(f, size);
      await data.putBlob(f.digest, fileStream(f.abs, (n) => {
        bytes += n;
        report(f.path);
      }), { fetch: nodeFetch, size });
      done++;
      report(f.path);
      return;
    }
    const group = item.files;
    async function* frames(): AsyncGenerator<Buffer> {
      for (const f of group) {
        const content = await readFile(f.abs);
        if (content.length !== f.size) throw changed(f, content.length);
        yield frameHeader(f.digest, f.size);
        yield content;
        bytes += f.size;
        done++;
        report(f.path);
      }
    }
    const size = group.reduce((s, f) => s + FRAME + f.size, 0);
    await data.putPack(Readable.toWeb(Readable.from(frames())) as unknown as ReadableStream<Uint8Array>, { fetch: nodeFetch, size });
  });
  return { bytes: total, blobs: jobs.length };
}

/** Reads pack frames from a response body, calling `onBlob` with each blob's digest and bytes. */
async function readFrames(body: ReadableStream<Uint8Array>, onBlob: (digest: string, bytes: Buffer) => Promise<void>): Promise<void> {
  let buffer: Buffer = Buffer.alloc(0);
  for await (const chunk of Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>)) {
    buffer = buffer.length === 0 ? (chunk as Buffer) : Buffer.concat([buffer, chunk as Buffer]);
    for (;;) {
      if (buffer.length < FRAME) break;
      const size = Number(buffer.readBigUInt64BE(32));
      if (buffer.length < FRAME + size) break;
      await onBlob(buffer.subarray(0, 32).toString('hex'), buffer.subarray(FRAME, FRAME + size));
      buffer = buffer.subarray(FRAME + size);
    }
  }
  if (buffer.length > 0) throw new CapstanError(ErrorCode.INTERNAL_ERROR, 'The blob stream ended in the middle of a blob');
}

/**
 * Writes a version's files under `dest`, byte for byte: each blob is streamed to a temp file, its
 * sha256 checked, then renamed into place. Files already present with the right digest (by the
 * hash cache or by hashing) are skipped.
 * @throws CapstanError INVALID_PARAMETER_VALUE for a path escaping `dest`; INTERNAL_ERROR for a corrupt download.
 */
export async function downloadFiles(data: DataApi, manifest: WireManifestFile[], dest: string, cache: HashCache, concurrency: number, onProgress?: OnProgress): Promise<{ bytes: number; files: number; skipped: number }> {
  const root = resolve(dest);
  const jobs: (WireManifestFile & { abs: string })[] = [];
  let skipped = 0;
  for (const f of manifest) {
    const abs = resolve(root, ...f.path.split('/'));
    if (!abs.startsWith(root + sep)) throw invalidParameter(`Manifest path '${f.path}' would be written outside '${dest}'`);
    const existing = await lstat(abs).then((s) => (s.isFile() ? s : null), () => null);
    if (existing && existing.size === f.size) {
      const local = await describe(abs, f.path);
      const digest = cache.get(local) ?? (await hashFile(abs));
      cache.set(local, digest);
      if (digest === f.digest) {
        skipped++;
        continue;
      }
    }
    jobs.push({ ...f, abs });
  }
  const total = jobs.reduce((s, f) => s + f.size, 0);
  let bytes = 0;
  let done = 0;
  const report = (path: string) => onProgress?.({ bytes, total, files: jobs.length, filesDone: done, path });
  const place = async (f: (typeof jobs)[number], write: (tmp: string) => Promise<string>) => {
    await mkdir(dirname(f.abs), { recursive: true });
    const tmp = `${f.abs}.capstan-part`;
    try {
      const actual = await write(tmp);
      if (actual !== f.digest) throw new CapstanError(ErrorCode.INTERNAL_ERROR, `Downloaded '${f.path}' does not match its digest (got ${actual}, expected ${f.digest})`);
      await rm(f.abs, { force: true });
      await rename(tmp, f.abs);
      cache.set(await describe(f.abs, f.path), f.digest);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    done++;
    report(f.path);
  };
  const small = jobs.filter((f) => f.size <= SMALL_BLOB);
  const work: ({ kind: 'batch'; files: typeof jobs } | { kind: 'blob'; file: (typeof jobs)[number] })[] = [
    ...jobs.filter((f) => f.size > SMALL_BLOB).map((file) => ({ kind: 'blob' as const, file })),
    ...batches(small, 4 * PACK_BYTES, PACK_FILES).map((group) => ({ kind: 'batch' as const, files: group })),
  ];
  await pool(work, concurrency, async (item) => {
    if (item.kind === 'blob') {
      const f = item.file;
      await place(f, async (tmp) => {
        const hash = createHash('sha256');
        const response = await data.getBlob(f.digest);
        await pipeline(Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>), async function* (source: AsyncIterable<Uint8Array>) {
          for await (const chunk of source) {
            hash.update(chunk);
            bytes += chunk.byteLength;
            report(f.path);
            yield chunk;
          }
        }, createWriteStream(tmp));
        return hash.digest('hex');
      });
      return;
    }
    const byDigest = new Map<string, (typeof jobs)[number][]>();
    for (const f of item.files) byDigest.set(f.digest, [...(byDigest.get(f.digest) ?? []), f]);
    const response = await data.getBlobs([...byDigest.keys()]);
    await readFrames(response.body!, async (digest, content) => {
      for (const f of byDigest.get(digest) ?? []) {
        await place(f, async (tmp) => {
          await writeFile(tmp, content);
          bytes += content.length;
          return createHash('sha256').update(content).digest('hex');
        });
      }
      byDigest.delete(digest);
    });
    if (byDigest.size > 0) throw new CapstanError(ErrorCode.INTERNAL_ERROR, `The server did not send ${byDigest.size} of the blobs asked for`);
  });
  return { bytes: total, files: jobs.length, skipped };
}

/** A pointer file (`*.capstan.json`): which version a local folder holds, kept next to code in git. */
export interface Pointer {
  dataset: string;
  /** Absent until pushed. */
  version?: number;
  digest?: string;
  /** Folder (relative to the pointer file) the files live in. */
  path: string;
  /** Manifest, kept until pushed (for `add --no-push`). */
  files?: WireManifestFile[];
  message?: string;
}

/** Reads a pointer file. @throws INVALID_PARAMETER_VALUE */
export async function readPointer(file: string): Promise<Pointer> {
  let p: Pointer;
  try {
    p = JSON.parse(await readFile(file, 'utf8')) as Pointer;
  } catch (e) {
    throw invalidParameter(`Cannot read pointer file '${file}': ${(e as Error).message}`);
  }
  if (typeof p.dataset !== 'string' || typeof p.path !== 'string') throw invalidParameter(`'${file}' is not a capstan pointer file (needs "dataset" and "path")`);
  return p;
}

/** Writes a pointer file atomically. */
export async function writePointer(file: string, pointer: Pointer): Promise<void> {
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(pointer, null, 2)}\n`);
  await rename(tmp, file);
}

/** The folder a pointer's path names, relative to the pointer file. */
export function pointerRoot(file: string, pointer: Pointer): string {
  return resolve(dirname(resolve(file)), pointer.path);
}

/** `relative` for display. */
export function shown(path: string): string {
  const r = relative(process.cwd(), path);
  return r === '' ? '.' : r.startsWith('..') ? path : r;
}

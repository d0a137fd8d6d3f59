import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, constants as fsConstants } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, realpath, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { doesNotExist, invalidParameter, isCapstanError } from '@capstan/api';
import type { CapstanError } from '@capstan/api';
import { assertNormalizedArtifactPath } from '../../core/artifacts/paths.js';
import type { ArtifactEntry, ArtifactObject, ArtifactStore, ArtifactStoreCapabilities } from '../../ports/artifact-store.js';

/** Name of the store's own folder under the root (temp files, multipart parts); never visible or addressable. */
export const LOCAL_INTERNAL_DIR = '.capstan-tmp';

const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const COMMIT_ATTEMPTS = 5;

function invalidPath(): CapstanError {
  return invalidParameter('Invalid path');
}

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? (e as { code?: string }).code : undefined;
}

function isMissing(e: unknown): boolean {
  const code = errnoCode(e);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Orders entry names by UTF-16 code units; both artifact adapters sort listings with it. */
export function compareEntryNames(a: ArtifactEntry, b: ArtifactEntry): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : Number(a.isDir) - Number(b.isDir);
}

/**
 * {@link ArtifactStore} over a directory. Objects are files under the root; writes stream into a
 * temp file inside the root's internal folder ({@link LOCAL_INTERNAL_DIR}, same filesystem), are
 * flushed to disk and renamed into place, so readers see the old file or the whole new one (a
 * crash can leave temp files behind, never a partial object). Every path is checked to
 * resolve under the root, following symlinks (the real path of its nearest existing ancestor);
 * one that escapes, or crosses a dangling symlink, is rejected with INVALID_PARAMETER_VALUE
 * `Invalid path`. Deleting removes directories left empty, so directories exist only while they
 * hold objects, as on S3. The internal folder name is reserved case-insensitively. Multipart parts live in `<root>/.capstan-tmp/mpu/<uploadId>/` until
 * completed or aborted (abandoned uploads are never swept).
 */
export class LocalArtifactStore implements ArtifactStore {
  readonly capabilities: ArtifactStoreCapabilities = { backend: 'local', minPartSize: MIN_PART_SIZE };
  private readonly tmpDir: string;
  private readonly uploadsDir: string;

  private constructor(
    /** Real (symlink-free) absolute path of the root directory. */
    readonly root: string,
  ) {
    this.tmpDir = join(root, LOCAL_INTERNAL_DIR, 'put');
    this.uploadsDir = join(root, LOCAL_INTERNAL_DIR, 'mpu');
  }

  /**
   * Opens a store over `root`, creating the directory and the internal folder when absent.
   * @throws the filesystem error when the directory cannot be created.
   */
  static async open(root: string): Promise<LocalArtifactStore> {
    await mkdir(root, { recursive: true });
    const store = new LocalArtifactStore(await realpath(root));
    await mkdir(store.tmpDir, { recursive: true });
    await mkdir(store.uploadsDir, { recursive: true });
    return store;
  }

  async put(path: string, body: Readable): Promise<void> {
    const target = await this.resolve(path, true);
    const tmp = this.tempFile();
    try {
      await pipeline(body, createWriteStream(tmp, { flags: 'wx', flush: true }));
      await this.commit(tmp, target, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async get(path: string): Promise<ArtifactObject> {
    const target = await this.resolve(path, false);
    let handle: FileHandle;
    try {
      handle = await open(target, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    } catch (e) {
      if (isMissing(e) || errnoCode(e) === 'EISDIR') throw doesNotExist(`Artifact '${path}' not found`);
      throw e;
    }
    const info = await handle.stat().catch(async (e: unknown) => {
      await handle.close();
      throw e;
    });
    if (!info.isFile()) {
      await handle.close();
      throw doesNotExist(`Artifact '${path}' not found`);
    }
    return { stream: handle.createReadStream(), size: info.size };
  }

  async stat(path: string): Promise<number | null> {
    const target = await this.resolve(path, false);
    try {
      const info = await stat(target);
      return info.isFile() ? info.size : null;
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  async list(path: string): Promise<ArtifactEntry[]> {
    const dir = await this.resolve(path, false);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if (isMissing(e)) return [];
      throw e;
    }
    if (path === '') names = names.filter((name) => name !== LOCAL_INTERNAL_DIR);
    const entries = await Promise.all(names.map((name) => this.describe(join(dir, name), name)));
    return entries.filter((entry): entry is ArtifactEntry => entry !== null).toSorted(compareEntryNames);
  }

  async delete(path: string): Promise<void> {
    const target = await this.resolve(path, false);
    if (path === '') {
      const names = await readdir(target);
      await Promise.all(
        names.filter((name) => name !== LOCAL_INTERNAL_DIR).map((name) => rm(join(target, name), { recursive: true, force: true })),
      );
      return;
    }
    try {
      await rm(target, { recursive: true, force: true });
    } catch (e) {
      if (isMissing(e)) return;
      throw e;
    }
    await this.pruneEmptyParents(dirname(target));
  }

  async createMultipartUpload(path: string): Promise<string> {
    await this.resolve(path, true);
    const uploadId = randomUUID();
    const dir = join(this.uploadsDir, uploadId);
    await mkdir(dir);
    await writeFile(join(dir, 'target'), path);
    return uploadId;
  }

  async uploadPart(path: string, uploadId: string, partNumber: number, body: Readable): Promise<string> {
    checkPartNumber(partNumber);
    const dir = await this.uploadDir(path, uploadId);
    const tmp = join(dir, `${partNumber}.${randomUUID()}.tmp`);
    const md5 = createHash('md5');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(body, hashing, createWriteStream(tmp, { flags: 'wx' }));
      const etag = md5.digest('hex');
      await rename(tmp, join(dir, `${partNumber}-${etag}`));
      return etag;
    } catch (e) {
      await rm(tmp, { force: true });
      if (isMissing(e)) throw doesNotExist(`Multipart upload '${uploadId}' not found`);
      throw e;
    }
  }

  async completeMultipartUpload(path: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void> {
    const dir = await this.uploadDir(path, uploadId);
    const ordered = checkPartList(parts);
    const files: string[] = [];
    for (const [index, part] of ordered.entries()) {
      const file = join(dir, `${part.partNumber}-${part.etag.replaceAll('"', '')}`);
      const size = await stat(file).then(
        (info) => info.size,
        () => null,
      );
      if (size === null) throw invalidParameter(`Part ${part.partNumber} of upload '${uploadId}' was not uploaded or its etag does not match`);
      if (size < MIN_PART_SIZE && index < ordered.length - 1) {
        throw invalidParameter(`Part ${part.partNumber} is smaller than the minimum part size of ${MIN_PART_SIZE} bytes`);
      }
      files.push(file);
    }
    const target = await this.resolve(path, true);
    const tmp = this.tempFile();
    try {
      await pipeline(async function* concatenate() {
        for (const file of files) yield* createReadStream(file);
      }, createWriteStream(tmp, { flags: 'wx', flush: true }));
      await this.commit(tmp, target, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    await rm(dir, { recursive: true, force: true });
  }

  async abortMultipartUpload(path: string, uploadId: string): Promise<void> {
    let dir: string;
    try {
      dir = await this.uploadDir(path, uploadId);
    } catch (e) {
      if (isCapstanError(e) && e.code === 'RESOURCE_DOES_NOT_EXIST') return;
      throw e;
    }
    await rm(dir, { recursive: true, force: true });
  }

  async close(): Promise<void> {}

  /** Absolute path for a store path, checked to stay under the root through symlinks. */
  private async resolve(path: string, forWrite: boolean): Promise<string> {
    assertNormalizedArtifactPath(path);
    const components = path === '' ? [] : path.split('/');
    if (components[0]?.toLowerCase() === LOCAL_INTERNAL_DIR) throw invalidPath();
    if (forWrite && components.length === 0) throw invalidPath();
    const target = join(this.root, ...components);
    await this.assertContained(target);
    return target;
  }

  /** Throws `Invalid path` unless the nearest existing ancestor of `target` (itself included) really lies under the root. */
  private async assertContained(target: string): Promise<void> {
    let probe = target;
    for (;;) {
      try {
        if (!this.contains(await realpath(probe))) throw invalidPath();
        return;
      } catch (e) {
        if (isCapstanError(e)) throw e;
        if (errnoCode(e) === 'ELOOP') throw invalidPath();
        if (!isMissing(e) || probe === this.root) throw e;
        const dangling = await lstat(probe).then(
          (info) => info.isSymbolicLink(),
          () => false,
        );
        if (dangling) throw invalidPath();
        probe = dirname(probe);
      }
    }
  }

  private contains(real: string): boolean {
    return real === this.root || real.startsWith(this.root + sep);
  }

  private tempFile(): string {
    return join(this.tmpDir, randomUUID());
  }

  /** Moves a finished temp file onto `target`, creating parents; retries when a concurrent delete prunes them. */
  private async commit(tmp: string, target: string, path: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(dirname(target), { recursive: true });
        await this.assertContained(dirname(target));
        await rename(tmp, target);
        return;
      } catch (e) {
        const code = errnoCode(e);
        if (code === 'ENOENT' && attempt < COMMIT_ATTEMPTS) continue;
        if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST' || code === 'ENOTEMPTY') {
          throw invalidParameter(`Cannot write artifact '${path}': a file or directory is in the way`);
        }
        throw e;
      }
    }
  }

  private async pruneEmptyParents(dir: string): Promise<void> {
    for (let current = dir; current !== this.root && this.contains(current); current = dirname(current)) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
    }
  }

  /** Entry for one directory child, or null for anything that is not a plain file or directory under the root. */
  private async describe(abs: string, name: string): Promise<ArtifactEntry | null> {
    try {
      const link = await lstat(abs);
      if (link.isSymbolicLink() && !this.contains(await realpath(abs))) return null;
      const info = link.isSymbolicLink() ? await stat(abs) : link;
      if (info.isDirectory()) return { path: name, isDir: true };
      if (info.isFile()) return { path: name, isDir: false, size: info.size };
      return null;
    } catch (e) {
      if (isMissing(e) || errnoCode(e) === 'ELOOP') return null;
      throw e;
    }
  }

  /** Folder of an upload begun for `path`; RESOURCE_DOES_NOT_EXIST when unknown or begun for another path. */
  private async uploadDir(path: string, uploadId: string): Promise<string> {
    assertNormalizedArtifactPath(path);
    const missing = doesNotExist(`Multipart upload '${uploadId}' not found`);
    if (!UPLOAD_ID.test(uploadId)) throw missing;
    const dir = join(this.uploadsDir, uploadId);
    const target = await readFile(join(dir, 'target'), 'utf8').catch((e: unknown) => {
      if (isMissing(e)) throw missing;
      throw e;
    });
    if (target !== path) throw missing;
    return dir;
  }
}

/**
 * Checks a multipart part number as S3 does: an integer from 1 to 10,000.
 * @throws CapstanError INVALID_PARAMETER_VALUE otherwise.
 */
export function checkPartNumber(partNumber: number): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw invalidParameter(`Part number must be an integer between 1 and ${MAX_PART_NUMBER}, got ${partNumber}`);
  }
}

/**
 * The parts of a completion request sorted by number (callers may list them in any order).
 * @throws CapstanError INVALID_PARAMETER_VALUE for an empty list, a bad part number or a part listed twice.
 */
export function checkPartList(parts: { partNumber: number; etag: string }[]): { partNumber: number; etag: string }[] {
  if (parts.length === 0) throw invalidParameter('A multipart upload needs at least one part');
  const ordered = parts.toSorted((a, b) => a.partNumber - b.partNumber);
  for (const [index, part] of ordered.entries()) {
    checkPartNumber(part.partNumber);
    if (index > 0 && ordered[index - 1]?.partNumber === part.partNumber) throw invalidParameter(`Part ${part.partNumber} is listed twice`);
  }
  return ordered;
}

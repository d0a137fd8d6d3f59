import type { Readable } from 'node:stream';

/** One entry of a directory listing; `size` is absent for directories. */
export interface ArtifactEntry {
  /** Path relative to the listed directory's root (see {@link ArtifactStore.list}). */
  path: string;
  isDir: boolean;
  size?: number;
}

/** An object being read: its bytes as a stream and its size. */
export interface ArtifactObject {
  stream: Readable;
  size: number;
}

/** What an artifact store declares about itself. */
export interface ArtifactStoreCapabilities {
  /** Human-readable backend, e.g. `local` or `s3`. */
  backend: string;
  /** Smallest part size a multipart upload accepts, except the last part. */
  minPartSize: number;
}

/**
 * The port behind which artifact bytes live. Implementations: a local directory and S3
 * (`adapters/artifacts`). Every implementation passes `test/contract/artifact-store.ts`.
 *
 * Paths are relative POSIX paths already checked by `core/artifacts/paths.ts`; an empty path is
 * the root. Writes are atomic: a reader sees the old object or the whole new one, never a part.
 * Memory use is constant in the object size: bytes are streamed both ways.
 */
export interface ArtifactStore {
  readonly capabilities: ArtifactStoreCapabilities;
  /** Writes `body` to `path`, replacing any object there. */
  put(path: string, body: Readable): Promise<void>;
  /** @throws RESOURCE_DOES_NOT_EXIST when no object is at `path`. */
  get(path: string): Promise<ArtifactObject>;
  /** Size of the object at `path`, or null when absent (directories are absent). */
  stat(path: string): Promise<number | null>;
  /** Immediate children of directory `path` (names only, not recursive); [] when absent. */
  list(path: string): Promise<ArtifactEntry[]>;
  /** Deletes the object or the whole directory at `path`; absent paths are not an error. */
  delete(path: string): Promise<void>;
  /** Starts a multipart upload to `path`; returns an opaque upload id. */
  createMultipartUpload(path: string): Promise<string>;
  /** Uploads part `partNumber` (1-based); returns its etag. */
  uploadPart(path: string, uploadId: string, partNumber: number, body: Readable): Promise<string>;
  /** Assembles the parts in order and makes the object visible atomically. */
  completeMultipartUpload(path: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void>;
  /** Discards an upload's parts. */
  abortMultipartUpload(path: string, uploadId: string): Promise<void>;
  /** Releases clients and handles. */
  close(): Promise<void>;
}

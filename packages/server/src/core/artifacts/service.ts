import type { Readable } from 'node:stream';
import { invalidParameter } from '@capstan/api';
import type { ArtifactEntry, ArtifactObject, ArtifactStore } from '../../ports/artifact-store.js';
import { joinArtifactPath, validateArtifactPath } from './paths.js';
import { proxiedPath } from './uris.js';

/** A listing entry relative to some root, as MLflow lists run artifacts. */
export interface ListedFile {
  path: string;
  isDir: boolean;
  size?: number;
}

/**
 * Proxied artifacts: every client path is validated here before it reaches the store, and
 * artifact URIs handed out by tracking are resolved to store paths here.
 */
export class ArtifactService {
  constructor(private readonly store: ArtifactStore) {}

  /** Streams `body` to a client-supplied path. */
  upload(path: string, body: Readable): Promise<void> {
    return this.store.put(this.filePath(path), body);
  }

  /** Opens a client-supplied path for reading. */
  download(path: string): Promise<ArtifactObject> {
    return this.store.get(this.filePath(path));
  }

  /** Immediate children of a client-supplied directory (basenames). */
  list(path: string | undefined): Promise<ArtifactEntry[]> {
    return this.store.list(validateArtifactPath(path ?? ''));
  }

  /** Deletes a client-supplied path (file or directory). */
  delete(path: string): Promise<void> {
    return this.store.delete(this.filePath(path));
  }

  /**
   * Lists `relative` under an artifact root URI (a run's or a logged model's), with paths
   * relative to that root. Roots not served by this server list as empty.
   */
  async listUnder(rootUri: string, relative: string | undefined): Promise<ListedFile[]> {
    const root = proxiedPath(rootUri);
    if (root === null) return [];
    const rel = validateArtifactPath(relative ?? '');
    const entries = await this.store.list(joinArtifactPath(validateArtifactPath(root), rel));
    return entries.map((e) => ({ path: rel ? `${rel}/${e.path}` : e.path, isDir: e.isDir, ...(e.size === undefined ? {} : { size: e.size }) }));
  }

  /** Starts a multipart upload to a client-supplied path. */
  createMultipartUpload(path: string): Promise<string> {
    return this.store.createMultipartUpload(this.filePath(path));
  }

  /** Stores one part of a multipart upload; returns its etag. */
  uploadPart(path: string, uploadId: string, partNumber: number, body: Readable): Promise<string> {
    if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > 10_000) throw invalidParameter(`Invalid part_number ${partNumber}: it must be between 1 and 10000.`);
    return this.store.uploadPart(this.filePath(path), uploadId, partNumber, body);
  }

  /** Completes a multipart upload. */
  completeMultipartUpload(path: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void> {
    return this.store.completeMultipartUpload(this.filePath(path), uploadId, parts);
  }

  /** Aborts a multipart upload. */
  abortMultipartUpload(path: string, uploadId: string): Promise<void> {
    return this.store.abortMultipartUpload(this.filePath(path), uploadId);
  }

  private filePath(path: string): string {
    const p = validateArtifactPath(path);
    if (p === '') throw invalidParameter('Invalid path');
    return p;
  }
}

import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { doesNotExist, invalidParameter } from '@capstan/api';
import { assertNormalizedArtifactPath } from '../../core/artifacts/paths.js';
import type { ArtifactEntry, ArtifactObject, ArtifactStore, ArtifactStoreCapabilities } from '../../ports/artifact-store.js';
import { checkPartList, checkPartNumber, compareEntryNames } from './local.js';

/** Where and how an {@link S3ArtifactStore} keeps its objects. */
export interface S3ArtifactStoreOptions {
  bucket: string;
  /** Key prefix the store owns (`<prefix>/<path>`); slashes at its ends are ignored; '' for the bucket root. */
  prefix: string;
  /** Custom endpoint (MinIO, moto, ...); AWS when absent. */
  endpoint?: string;
  /** Defaults to `us-east-1`. */
  region?: string;
  /** Path-style addressing (`endpoint/bucket/key`), needed by most S3-compatible servers. */
  forcePathStyle?: boolean;
  /** Static credentials or a provider; the SDK's default provider chain when absent. */
  credentials?: S3ClientConfig['credentials'];
  /**
   * Part size `put` uploads with once a body outgrows one part. Default 5 MiB (S3's minimum), which
   * caps a streamed object at 10,000 parts, about 48.8 GiB; raise it for larger single files.
   */
  partSize?: number;
  /** Parts `put` uploads concurrently; with `partSize` bounds its memory. Default 4. */
  queueSize?: number;
  /** Bytes of a multipart part held in memory before it spills to a temp file. Default 8 MiB. */
  partMemoryLimit?: number;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;
const DEFAULT_PART_SIZE = MIN_PART_SIZE;
const DEFAULT_QUEUE_SIZE = 4;
const DEFAULT_PART_MEMORY_LIMIT = 8 * 1024 * 1024;

interface AwsError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function awsErrorName(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const err = e as AwsError;
  return err.name ?? err.Code;
}

function isNoSuchKey(e: unknown): boolean {
  const name = awsErrorName(e);
  return name === 'NoSuchKey' || name === 'NotFound' || (name !== 'NoSuchBucket' && (e as AwsError).$metadata?.httpStatusCode === 404);
}

function isNoSuchUpload(e: unknown): boolean {
  return awsErrorName(e) === 'NoSuchUpload';
}

/**
 * {@link ArtifactStore} over an S3 bucket (or an S3-compatible server) under a key prefix.
 * `put` streams through `@aws-sdk/lib-storage` (one PutObject for small bodies, a multipart upload
 * of `partSize` parts with at most `queueSize` in flight otherwise, aborted on failure), so memory
 * depends on `partSize` and `queueSize`, not on the object size (measured: 65-80 MiB of RSS growth
 * for a 200 MB round trip with the defaults, garbage awaiting collection included). Directories are key prefixes:
 * they exist while objects live under them. Missing objects map to RESOURCE_DOES_NOT_EXIST.
 *
 * `uploadPart` must send a Content-Length, which a stream of unknown length lacks, so each part
 * is spooled first: in memory up to `partMemoryLimit`, beyond that to a temp file in the OS temp
 * directory (removed afterwards). Memory per part is therefore bounded; disk use is one part.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly capabilities: ArtifactStoreCapabilities = { backend: 's3', minPartSize: MIN_PART_SIZE };
  /** Bucket holding the objects. */
  readonly bucket: string;
  /** Key prefix, without leading or trailing slashes ('' for the bucket root). */
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly partMemoryLimit: number;

  /** Creates the client; no request is made until the first operation. */
  constructor(options: S3ArtifactStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.partSize = Math.max(options.partSize ?? DEFAULT_PART_SIZE, MIN_PART_SIZE);
    this.queueSize = Math.max(options.queueSize ?? DEFAULT_QUEUE_SIZE, 1);
    this.partMemoryLimit = options.partMemoryLimit ?? DEFAULT_PART_MEMORY_LIMIT;
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(path: string, body: Readable): Promise<void> {
    const key = this.objectKey(path);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } finally {
      if (!body.destroyed) body.destroy();
    }
  }

  async get(path: string): Promise<ArtifactObject> {
    const key = this.objectKey(path, () => doesNotExist(`Artifact '${path}' not found`));
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(out.Body instanceof Readable)) throw new Error(`GetObject returned no Node stream for '${key}'`);
      return { stream: out.Body, size: out.ContentLength ?? 0 };
    } catch (e) {
      if (isNoSuchKey(e)) throw doesNotExist(`Artifact '${path}' not found`);
      throw e;
    }
  }

  async stat(path: string): Promise<number | null> {
    assertNormalizedArtifactPath(path);
    if (path === '') return null;
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
      return out.ContentLength ?? 0;
    } catch (e) {
      if (isNoSuchKey(e)) return null;
      throw e;
    }
  }

  async list(path: string): Promise<ArtifactEntry[]> {
    assertNormalizedArtifactPath(path);
    const prefix = this.dirPrefix(path);
    const entries: ArtifactEntry[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        const name = (object.Key ?? '').slice(prefix.length);
        if (name !== '') entries.push({ path: name, isDir: false, size: object.Size ?? 0 });
      }
      for (const common of page.CommonPrefixes ?? []) {
        const name = (common.Prefix ?? '').slice(prefix.length, -1);
        if (name !== '') entries.push({ path: name, isDir: true });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return entries.toSorted(compareEntryNames);
  }

  async delete(path: string): Promise<void> {
    assertNormalizedArtifactPath(path);
    if (path !== '') await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
    const prefix = this.dirPrefix(path);
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [{ Key: object.Key }]));
      if (keys.length > 0) {
        const out = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }));
        const failed = out.Errors ?? [];
        if (failed.length > 0) {
          const first = failed[0];
          throw new Error(`Could not delete ${failed.length} object(s) under '${prefix}': ${first?.Key}: ${first?.Code} ${first?.Message}`);
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async createMultipartUpload(path: string): Promise<string> {
    const out = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.objectKey(path) }));
    if (out.UploadId === undefined) throw new Error('CreateMultipartUpload returned no UploadId');
    return out.UploadId;
  }

  async uploadPart(path: string, uploadId: string, partNumber: number, body: Readable): Promise<string> {
    const key = this.objectKey(path);
    checkPartNumber(partNumber);
    const part = await spool(body, this.partMemoryLimit);
    try {
      const out = await this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber,
          Body: part.body(), ContentLength: part.size,
        }),
      );
      if (out.ETag === undefined) throw new Error(`UploadPart returned no ETag for part ${partNumber}`);
      return out.ETag;
    } catch (e) {
      if (isNoSuchUpload(e)) throw doesNotExist(`Multipart upload '${uploadId}' not found`);
      throw e;
    } finally {
      await part.dispose();
    }
  }

  async completeMultipartUpload(path: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void> {
    const key = this.objectKey(path);
    const ordered = checkPartList(parts);
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket, Key: key, UploadId: uploadId,
          MultipartUpload: { Parts: ordered.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
        }),
      );
    } catch (e) {
      if (isNoSuchUpload(e)) throw doesNotExist(`Multipart upload '${uploadId}' not found`);
      const name = awsErrorName(e);
      if (name === 'InvalidPart' || name === 'InvalidPartOrder' || name === 'EntityTooSmall') {
        throw invalidParameter(`Cannot complete multipart upload '${uploadId}': ${(e as Error).message}`);
      }
      throw e;
    }
  }

  async abortMultipartUpload(path: string, uploadId: string): Promise<void> {
    const key = this.objectKey(path);
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    } catch (e) {
      if (!isNoSuchUpload(e)) throw e;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private key(path: string): string {
    if (this.prefix === '') return path;
    return path === '' ? this.prefix : `${this.prefix}/${path}`;
  }

  /** Key of an object path; the root is not an object. */
  private objectKey(path: string, onRoot: () => Error = () => invalidParameter('Invalid path')): string {
    assertNormalizedArtifactPath(path);
    if (path === '') throw onRoot();
    return this.key(path);
  }

  /** Prefix every key under directory `path` starts with ('' for the bucket root). */
  private dirPrefix(path: string): string {
    const key = this.key(path);
    return key === '' ? '' : `${key}/`;
  }
}

/** A multipart part read to its end, so its length is known. */
interface SpooledPart {
  size: number;
  body(): Buffer | Readable;
  dispose(): Promise<void>;
}

/** Reads `body` to its end, in memory up to `memoryLimit` bytes and in a temp file beyond. */
async function spool(body: Readable, memoryLimit: number): Promise<SpooledPart> {
  const chunks: Buffer[] = [];
  let size = 0;
  let spillDir: string | null = null;
  let handle: FileHandle | null = null;
  const dispose = async (): Promise<void> => {
    await handle?.close().catch(() => undefined);
    handle = null;
    if (spillDir !== null) await rm(spillDir, { recursive: true, force: true });
  };
  try {
    for await (const chunk of body) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      size += buffer.length;
      if (handle === null && size <= memoryLimit) {
        chunks.push(buffer);
        continue;
      }
      if (handle === null) {
        spillDir = await mkdtemp(join(tmpdir(), 'capstan-part-'));
        handle = await open(join(spillDir, 'part'), 'wx');
        for (const held of chunks.splice(0)) await writeAll(handle, held);
      }
      await writeAll(handle, buffer);
    }
    if (handle === null) {
      const data = Buffer.concat(chunks, size);
      return { size, body: () => data, dispose };
    }
    await handle.close();
    handle = null;
    const file = join(spillDir ?? '', 'part');
    return { size, body: () => createReadStream(file), dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  for (let offset = 0; offset < buffer.length; ) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}

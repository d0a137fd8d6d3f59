import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openArtifactStore } from '../../src/adapters/artifacts/index.js';
import { S3ArtifactStore, type S3ArtifactStoreOptions } from '../../src/adapters/artifacts/s3.js';
import { MOTO_GAPS, S3RVER_GAPS, chosenServer, credentials, startTestS3Server, type TestS3Server } from '../support/s3-server.js';
import { describeArtifactStoreContract, digestStream, generatedStream } from '../contract/artifact-store.js';

const kind = chosenServer();
let server: TestS3Server;
let admin: S3Client;
let buckets = 0;

beforeAll(async () => {
  server = await startTestS3Server(kind);
  admin = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
});

afterAll(async () => {
  admin?.destroy();
  await server?.stop();
});

async function freshBucket(): Promise<string> {
  const bucket = `capstan-${process.pid}-${++buckets}`;
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

function s3Store(options: Partial<S3ArtifactStoreOptions> & { bucket: string }): S3ArtifactStore {
  return new S3ArtifactStore({ prefix: 'artifacts', endpoint: server.endpoint, forcePathStyle: true, credentials, ...options });
}

function body(data: string): Readable {
  return Readable.from([Buffer.from(data)]);
}

async function text(store: S3ArtifactStore, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await store.get(path)).stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

async function spoolDirs(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('capstan-part-'));
}

async function bucketKeys(bucket: string): Promise<string[]> {
  const out = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((object) => object.Key ?? '').toSorted();
}

describeArtifactStoreContract(
  `s3 (${kind})`,
  async () => {
    const store = s3Store({ bucket: await freshBucket() });
    return { store, cleanup: async () => {} };
  },
  { backendGaps: kind === 's3rver' ? S3RVER_GAPS : MOTO_GAPS },
);

describe(`S3ArtifactStore (${kind})`, () => {
  let bucket: string;
  const opened: S3ArtifactStore[] = [];

  function track(store: S3ArtifactStore): S3ArtifactStore {
    opened.push(store);
    return store;
  }

  beforeEach(async () => {
    bucket = await freshBucket();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it('isolates stores with different prefixes in one bucket, even when one prefix starts the other', async () => {
    const a = track(s3Store({ bucket, prefix: 'team/a' }));
    const ab = track(s3Store({ bucket, prefix: '/team/ab/' }));
    const root = track(s3Store({ bucket, prefix: '' }));
    await a.put('x.txt', body('from a'));
    await a.put('dir/y.txt', body('from a'));
    await ab.put('x.txt', body('from ab'));

    expect(await text(a, 'x.txt')).toBe('from a');
    expect(await text(ab, 'x.txt')).toBe('from ab');
    expect((await a.list('')).map((e) => e.path)).toEqual(['dir', 'x.txt']);
    expect((await ab.list('')).map((e) => e.path)).toEqual(['x.txt']);
    expect(await ab.stat('dir/y.txt')).toBeNull();
    expect(await root.list('team')).toStrictEqual([
      { path: 'a', isDir: true },
      { path: 'ab', isDir: true },
    ]);
    expect(await bucketKeys(bucket)).toEqual(['team/a/dir/y.txt', 'team/a/x.txt', 'team/ab/x.txt']);

    await a.delete('');
    expect(await a.list('')).toEqual([]);
    expect(await text(ab, 'x.txt')).toBe('from ab');
    expect(await bucketKeys(bucket)).toEqual(['team/ab/x.txt']);
  });

  it('ignores folder-marker objects (keys ending in /) in listings', async () => {
    const store = track(s3Store({ bucket }));
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'artifacts/folder/', Body: new Uint8Array(0) }));
    await store.put('folder/inside.txt', body('i'));
    expect(await store.list('')).toStrictEqual([{ path: 'folder', isDir: true }]);
    expect(await store.list('folder')).toStrictEqual([{ path: 'inside.txt', isDir: false, size: 1 }]);
  });

  it('spools multipart parts larger than its memory limit to disk and cleans up', async () => {
    const store = track(s3Store({ bucket, partMemoryLimit: 1024 * 1024 }));
    const before = await spoolDirs();
    const partSize = store.capabilities.minPartSize;
    const first = generatedStream(partSize, 11);
    const second = generatedStream(partSize + 333, 12);
    const uploadId = await store.createMultipartUpload('spooled.bin');
    const etag1 = await store.uploadPart('spooled.bin', uploadId, 1, first.stream);
    const etag2 = await store.uploadPart('spooled.bin', uploadId, 2, second.stream);
    await store.completeMultipartUpload('spooled.bin', uploadId, [
      { partNumber: 2, etag: etag2 },
      { partNumber: 1, etag: etag1 },
    ]);
    expect(await spoolDirs()).toEqual(before);

    const expected = await digestStream(Readable.from((async function* both() {
      yield* generatedStream(partSize, 11).stream;
      yield* generatedStream(partSize + 333, 12).stream;
    })()));
    expect(await digestStream((await store.get('spooled.bin')).stream)).toEqual(expected);
  });

  it.skipIf(kind === 's3rver')('aborts the multipart upload of a failed put', async () => {
    const store = track(s3Store({ bucket }));
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent >= 20 * 1024 * 1024) return void this.destroy(new Error('client went away'));
        sent += 1024 * 1024;
        this.push(Buffer.alloc(1024 * 1024, 1));
      },
    });
    await expect(store.put('big.bin', failing)).rejects.toThrow('client went away');
    const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
    expect(await bucketKeys(bucket)).toEqual([]);
  });

  it('does not report a missing bucket as a missing object', async () => {
    const store = track(s3Store({ bucket: 'no-such-bucket-capstan' }));
    const error: unknown = await store.get('x.txt').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('rejects paths not in normal form and the root as an object', async () => {
    const store = track(s3Store({ bucket }));
    for (const path of ['../x', '/abs', 'a//b', 'a/./b', 'a\\b']) {
      await expect(store.put(path, body('x'))).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
      await expect(store.list(path)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    }
    await expect(store.put('', body('x'))).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(store.get('')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
    expect(await bucketKeys(bucket)).toEqual([]);
  });

  it('is opened from an s3:// URI with the endpoint and region from the environment', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    try {
      const store = await openArtifactStore(`s3://${bucket}/from-uri/`, { MLFLOW_S3_ENDPOINT_URL: server.endpoint, AWS_REGION: 'us-east-1' });
      await store.put('a.txt', body('via uri'));
      await store.close();
      expect(await bucketKeys(bucket)).toEqual(['from-uri/a.txt']);
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});

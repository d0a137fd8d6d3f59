import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openArtifactStore } from '../../src/adapters/artifacts/index.js';
import { S3ArtifactStore, type S3ArtifactStoreOptions } from '../../src/adapters/artifacts/s3.js';
import { describeArtifactStoreContract, digestStream, generatedStream } from '../contract/artifact-store.js';

/**
 * The S3 server these tests talk to, on an ephemeral loopback port: moto (`moto_server`, a
 * separate process with faithful S3 semantics) when on PATH, else s3rver in-process, whose gaps
 * are skipped by name. `CAPSTAN_TEST_S3_SERVER=moto|s3rver` forces one.
 */
interface TestS3Server {
  kind: 'moto' | 's3rver';
  endpoint: string;
  stop(): Promise<void>;
}

/** The slice of s3rver's (untyped) API these tests use. */
interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
}) => S3rverServer;

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

const S3RVER_GAPS: Record<string, string> = {
  'pages through directories with many entries': 's3rver continuation tokens need DES, absent from Node 17+ OpenSSL',
  'deletes a directory holding more than one delete batch': 's3rver continuation tokens need DES, absent from Node 17+ OpenSSL',
  'rejects completion with an etag that was not uploaded': 's3rver does not check part etags',
  'leaves nothing behind when aborted': 's3rver does not implement AbortMultipartUpload',
  'treats an aborted upload as missing': 's3rver does not implement AbortMultipartUpload',
};

const MOTO_GAPS: Record<string, string> = {
  'treats an aborted upload as missing': 'moto answers 500, not NoSuchUpload, for an unknown upload id',
};

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

async function startMoto(): Promise<TestS3Server> {
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    let found = false;
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`moto_server did not start: ${output}`));
    }, 30_000);
    const onData = (data: Buffer): void => {
      if (found) return;
      output += data.toString();
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        found = true;
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`moto_server exited with ${code}: ${output}`)));
  });
  const killOnExit = (): void => void child.kill('SIGTERM');
  process.once('exit', killOnExit);
  return {
    kind: 'moto',
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function startS3rver(): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'capstan-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const { port } = await server.run();
  return {
    kind: 's3rver',
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function chosenServer(): 'moto' | 's3rver' {
  const forced = process.env.CAPSTAN_TEST_S3_SERVER;
  if (forced === 'moto' || forced === 's3rver') return forced;
  return onPath('moto_server') ? 'moto' : 's3rver';
}

const kind = chosenServer();
let server: TestS3Server;
let admin: S3Client;
let buckets = 0;

beforeAll(async () => {
  server = kind === 'moto' ? await startMoto() : await startS3rver();
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

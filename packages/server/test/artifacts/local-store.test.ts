import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_INTERNAL_DIR, LocalArtifactStore, openArtifactStore } from '../../src/adapters/artifacts/index.js';
import { describeArtifactStoreContract } from '../contract/artifact-store.js';

function body(data: string): Readable {
  return Readable.from([Buffer.from(data)]);
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describeArtifactStoreContract('local', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'capstan-local-contract-'));
  const store = await LocalArtifactStore.open(join(dir, 'root'));
  return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('LocalArtifactStore', () => {
  let dir: string;
  let root: string;
  let outside: string;
  let store: LocalArtifactStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capstan-local-'));
    root = join(dir, 'root');
    outside = join(dir, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'secret');
    store = await LocalArtifactStore.open(root);
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const invalidPath = { code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' };

  it('rejects reads, writes, listings and deletes through a symlinked directory leaving the root', async () => {
    await symlink(outside, join(root, 'escape'));
    await expect(store.get('escape/secret.txt')).rejects.toMatchObject(invalidPath);
    await expect(store.stat('escape/secret.txt')).rejects.toMatchObject(invalidPath);
    await expect(store.list('escape')).rejects.toMatchObject(invalidPath);
    await expect(store.put('escape/planted.txt', body('x'))).rejects.toMatchObject(invalidPath);
    await expect(store.put('escape/new/deeper.txt', body('x'))).rejects.toMatchObject(invalidPath);
    await expect(store.delete('escape/secret.txt')).rejects.toMatchObject(invalidPath);
    await expect(store.createMultipartUpload('escape/mp.bin')).rejects.toMatchObject(invalidPath);
    expect(await readdir(outside)).toEqual(['secret.txt']);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret');
  });

  it('rejects a symlinked file pointing outside the root and hides it from listings', async () => {
    await symlink(join(outside, 'secret.txt'), join(root, 'link.txt'));
    await store.put('real.txt', body('ok'));
    await expect(store.get('link.txt')).rejects.toMatchObject(invalidPath);
    expect((await store.list('')).map((e) => e.path)).toEqual(['real.txt']);
  });

  it('rejects paths crossing a dangling symlink', async () => {
    await symlink(join(outside, 'not-yet'), join(root, 'dangling'));
    await expect(store.put('dangling/x.txt', body('x'))).rejects.toMatchObject(invalidPath);
    await expect(store.put('dangling', body('x'))).rejects.toMatchObject(invalidPath);
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  it('follows symlinks that stay inside the root', async () => {
    await store.put('data/real.txt', body('inside'));
    await symlink(join(root, 'data'), join(root, 'alias'));
    expect(await readAll((await store.get('alias/real.txt')).stream)).toBe('inside');
    expect(await store.list('')).toStrictEqual([
      { path: 'alias', isDir: true },
      { path: 'data', isDir: true },
    ]);
  });

  it('accepts a root reached through a symlink', async () => {
    await symlink(root, join(dir, 'root-link'));
    const viaLink = await LocalArtifactStore.open(join(dir, 'root-link'));
    await viaLink.put('x/y.txt', body('through link'));
    expect(await readAll((await store.get('x/y.txt')).stream)).toBe('through link');
  });

  it('rejects paths that are not in normal form, whoever calls', async () => {
    for (const path of ['../outside/secret.txt', 'a/../../x', '/etc/passwd', 'a//b', './a', 'a\\b', 'a\0b']) {
      await expect(store.get(path)).rejects.toMatchObject(invalidPath);
      await expect(store.put(path, body('x'))).rejects.toMatchObject(invalidPath);
    }
  });

  it('keeps its internal folder unreachable and out of listings', async () => {
    await store.put('a.txt', body('a'));
    const uploadId = await store.createMultipartUpload('mp.bin');
    await store.uploadPart('mp.bin', uploadId, 1, body('part'));
    expect(await readdir(root)).toContain(LOCAL_INTERNAL_DIR);
    expect((await store.list('')).map((e) => e.path)).toEqual(['a.txt']);
    await expect(store.list(LOCAL_INTERNAL_DIR)).rejects.toMatchObject(invalidPath);
    await expect(store.put(`${LOCAL_INTERNAL_DIR}/x`, body('x'))).rejects.toMatchObject(invalidPath);
    await expect(store.delete(LOCAL_INTERNAL_DIR)).rejects.toMatchObject(invalidPath);
    await store.delete('');
    expect(await store.list('')).toEqual([]);
    expect(await readdir(root)).toEqual([LOCAL_INTERNAL_DIR]);
  });

  it('leaves no temp files after puts, failed puts and completed uploads', async () => {
    await store.put('ok.txt', body('ok'));
    const failing = new Readable({
      read() {
        this.destroy(new Error('boom'));
      },
    });
    await expect(store.put('bad.txt', failing)).rejects.toThrow('boom');
    const uploadId = await store.createMultipartUpload('mp.txt');
    const etag = await store.uploadPart('mp.txt', uploadId, 1, body('one part'));
    await store.completeMultipartUpload('mp.txt', uploadId, [{ partNumber: 1, etag }]);
    expect(await readdir(join(root, LOCAL_INTERNAL_DIR, 'put'))).toEqual([]);
    expect(await readdir(join(root, LOCAL_INTERNAL_DIR, 'mpu'))).toEqual([]);
  });

  it('rejects multipart completion with a too-small non-final part', async () => {
    const uploadId = await store.createMultipartUpload('small.bin');
    const first = await store.uploadPart('small.bin', uploadId, 1, body('tiny'));
    const second = await store.uploadPart('small.bin', uploadId, 2, body('tail'));
    await expect(
      store.completeMultipartUpload('small.bin', uploadId, [
        { partNumber: 1, etag: first },
        { partNumber: 2, etag: second },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
  });

  it('treats unknown, malformed or foreign upload ids as missing uploads', async () => {
    const uploadId = await store.createMultipartUpload('one.bin');
    await expect(store.uploadPart('other.bin', uploadId, 1, body('x'))).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
    await expect(store.uploadPart('one.bin', '../../escape', 1, body('x'))).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
    await expect(store.uploadPart('one.bin', uploadId, 0, body('x'))).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(store.abortMultipartUpload('one.bin', '00000000-0000-0000-0000-000000000000')).resolves.toBeUndefined();
  });

  it('refuses to write a file where a directory is', async () => {
    await store.put('d/f.txt', body('x'));
    await expect(store.put('d', body('y'))).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(store.put('d/f.txt/g', body('y'))).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
  });
});

describe('openArtifactStore', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capstan-open-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('opens a plain path as a local store, creating the directory', async () => {
    const store = await openArtifactStore(join(dir, 'a', 'b'));
    expect(store.capabilities.backend).toBe('local');
    await store.put('x.txt', body('x'));
    expect(await readFile(join(dir, 'a', 'b', 'x.txt'), 'utf8')).toBe('x');
  });

  it('opens a file:// URI as a local store', async () => {
    const store = await openArtifactStore(pathToFileURL(join(dir, 'with space')).href);
    await store.put('y.txt', body('y'));
    expect(await readFile(join(dir, 'with space', 'y.txt'), 'utf8')).toBe('y');
  });

  it('opens s3:// URIs as S3 stores configured from the environment', async () => {
    const store = await openArtifactStore('s3://bucket/some/prefix/', {
      MLFLOW_S3_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_DEFAULT_REGION: 'eu-west-3',
    });
    expect(store.capabilities.backend).toBe('s3');
    expect(store).toMatchObject({ bucket: 'bucket', prefix: 'some/prefix' });
    await store.close();
    const bare = await openArtifactStore('s3://only-bucket', {});
    expect(bare).toMatchObject({ bucket: 'only-bucket', prefix: '' });
    await bare.close();
  });

  it('rejects other URIs naming the supported forms', async () => {
    for (const uri of ['gs://bucket/x', 'http://host/x', 'mlflow-artifacts:/x', '', 's3://', 'file://remote-host/x']) {
      await expect(openArtifactStore(uri)).rejects.toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
        message: expect.stringMatching(/s3:\/\/bucket\/prefix/),
      });
    }
  });
});

import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCapstanError } from '@capstan/api';
import { credentials, startTestS3Server, type TestS3Server } from '../support/s3-server.js';
import { addVersion, getVersionFiles, packOf, sha256, startDataServer, unframe } from './helpers.js';

async function code(promise: Promise<unknown>): Promise<{ code: string; message: string; status: number }> {
  const e = await promise.then(() => null, (x: unknown) => x);
  if (!isCapstanError(e)) throw new Error(`expected a CapstanError, got ${String(e)}`);
  return { code: e.code, message: e.message, status: e.status };
}

const csv = (rows: number) => `id,value\n${Array.from({ length: rows }, (_, i) => `${i},${i * 2}`).join('\n')}\n`;

function describeRoundTrips(label: string, destination: () => Promise<string | undefined>) {
  describe(`dataset versions round trip (${label})`, () => {
    let server: Awaited<ReturnType<typeof startDataServer>>;
    beforeAll(async () => {
      server = await startDataServer(await destination());
    });
    afterAll(async () => {
      await server?.close();
    });

    it('adds, modifies one file, adds again, diffs and gets the old version back byte for byte', async () => {
      const big = Buffer.alloc(3 * 1024 * 1024 + 7);
      for (let i = 0; i < big.length; i += 97) big[i] = i % 256;
      const v1files = { 'train.csv': csv(5), 'images/a.bin': big, 'images/b.bin': Buffer.from('bee'), 'notes/readme.txt': 'v1' };
      const v1 = await addVersion(server.data, 'rt', v1files, { message: 'first' });
      expect(v1.created).toBe(true);
      expect(v1.uploaded).toBe(4);
      expect(v1.version).toMatchObject({ name: 'rt', version: 1, fileCount: 4, totalBytes: big.length + Buffer.byteLength(csv(5)) + 3 + 2, message: 'first' });

      const again = await addVersion(server.data, 'rt', v1files);
      expect(again).toMatchObject({ created: false, uploaded: 0, version: { version: 1 } });

      const v2files = { ...v1files, 'train.csv': 'id,value,extra\n1,2,x\n2,4,y\n' };
      const v2 = await addVersion(server.data, 'rt', v2files, { message: 'second' });
      expect(v2).toMatchObject({ created: true, uploaded: 1, version: { version: 2 } });

      const diff = await server.data.diff('rt', 1, 2);
      expect(diff.added).toEqual([]);
      expect(diff.removed).toEqual([]);
      expect(diff.unchanged).toBe(3);
      expect(diff.changed).toHaveLength(1);
      expect(diff.changed[0]).toMatchObject({
        path: 'train.csv',
        table: { rowsFrom: 5, rowsTo: 2, addedColumns: [{ name: 'extra', type: 'VARCHAR' }], removedColumns: [], retypedColumns: [] },
      });

      const old = await getVersionFiles(server.data, 'rt', 1);
      expect(Object.keys(old).sort()).toEqual(Object.keys(v1files).sort());
      for (const [path, content] of Object.entries(v1files)) expect(sha256(old[path]!)).toBe(sha256(content));
      expect(old['images/a.bin']!.equals(big)).toBe(true);
    });

    it('stores a directory of 10,000 small files once (in packs) and re-adds it without uploading', { timeout: 600_000 }, async () => {
      const files: Record<string, string> = {};
      for (let i = 0; i < 10_000; i++) files[`shard-${i % 100}/item-${i}.json`] = `{"i":${i}}`;
      const first = await addVersion(server.data, 'many', files, { concurrency: 16 });
      expect(first.version.fileCount).toBe(10_000);
      expect(first.uploaded).toBe(10_000);
      const manifest = await server.data.getManifest('many', 1);
      expect(manifest).toHaveLength(10_000);
      expect(manifest.find((f) => f.path === 'shard-7/item-4207.json')).toEqual({ path: 'shard-7/item-4207.json', digest: sha256('{"i":4207}'), size: 10 });
      const second = await addVersion(server.data, 'many', { ...files, 'shard-0/item-0.json': '{"i":"zero"}' });
      expect(second).toMatchObject({ created: true, uploaded: 1, version: { version: 2, fileCount: 10_000 } });
      const diff = await server.data.diff('many', 1, 2);
      expect(diff.changed.map((c) => c.path)).toEqual(['shard-0/item-0.json']);
      expect(diff.unchanged).toBe(9_999);
      const back = Buffer.from(await (await server.data.getBlob(sha256('{"i":9999}'))).arrayBuffer()).toString();
      expect(back).toBe('{"i":9999}');
      const asked = [sha256('{"i":5}'), sha256('{"i":9998}'), sha256('{"i":"zero"}'), sha256('{"i":17}')];
      const frames = unframe(Buffer.from(await (await server.data.getBlobs(asked)).arrayBuffer()));
      expect(new Map(frames.map(([d, b]) => [d, b.toString()]))).toEqual(new Map([[asked[0], '{"i":5}'], [asked[1], '{"i":9998}'], [asked[2], '{"i":"zero"}'], [asked[3], '{"i":17}']]));
    });

    it('keeps packs of small blobs, including empty ones, readable one by one and in batches', async () => {
      const blobs = [Buffer.from('alpha'), Buffer.alloc(0), Buffer.alloc(70_000, 3), Buffer.from('omega')];
      expect(await server.data.putPack(new Uint8Array(packOf(blobs)))).toEqual({ stored: 4, blobs: 4, size: 70_010 });
      for (const b of blobs) expect(Buffer.from(await (await server.data.getBlob(sha256(b))).arrayBuffer()).equals(b)).toBe(true);
      const frames = unframe(Buffer.from(await (await server.data.getBlobs([sha256(blobs[3]!), sha256(blobs[1]!), sha256(blobs[0]!)])).arrayBuffer()));
      expect(frames.map(([d]) => d).sort()).toEqual([sha256(blobs[3]!), sha256(blobs[1]!), sha256(blobs[0]!)].sort());
      expect(await server.data.putPack(new Uint8Array(packOf(blobs)))).toEqual({ stored: 0, blobs: 4, size: 70_010 });
    });
  });
}

describeRoundTrips('local directory', async () => undefined);

let s3: TestS3Server | undefined;
const saved = { ...process.env };
describeRoundTrips('S3', async () => {
  s3 = await startTestS3Server();
  const admin = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  const bucket = `capstan-data-${process.pid}`;
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  admin.destroy();
  Object.assign(process.env, { MLFLOW_S3_ENDPOINT_URL: s3.endpoint, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_REGION: 'us-east-1' });
  return `s3://${bucket}/store`;
});
afterAll(async () => {
  await s3?.stop();
  process.env = saved;
});

describe('dataset versions: bad input', () => {
  let server: Awaited<ReturnType<typeof startDataServer>>;
  beforeAll(async () => {
    server = await startDataServer();
    await addVersion(server.data, 'keep', { 'a.txt': 'a' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses a commit naming a blob never uploaded, and no partial version appears', async () => {
    const ghost = sha256('never uploaded');
    const e = await code(server.data.createVersion('partial', [{ path: 'a.txt', digest: sha256('a'), size: 1 }, { path: 'b.txt', digest: ghost, size: 14 }]));
    expect(e).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', status: 400 });
    expect(e.message).toContain(ghost);
    expect((await code(server.data.getDataset('partial'))).code).toBe('RESOURCE_DOES_NOT_EXIST');
    const declaredWrong = await code(server.data.createVersion('keep', [{ path: 'a.txt', digest: sha256('a'), size: 2 }]));
    expect(declaredWrong.message).toContain('is 1 bytes, not 2');
    expect((await server.data.getDataset('keep')).latestVersion).toBe(1);
  });

  it('refuses bytes that do not hash to the digest they are uploaded under, and keeps nothing', async () => {
    const claimed = sha256('the real content');
    const e = await code(server.data.putBlob(claimed, new TextEncoder().encode('something else')));
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toContain('does not match');
    expect(await server.data.missingBlobs([claimed])).toEqual([claimed]);
    expect((await code(server.data.getBlob(claimed))).code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(await server.data.putBlob(sha256('a'), new TextEncoder().encode('a'))).toEqual({ stored: false, size: 1 });
  });

  it('refuses a pack with one corrupted blob or a truncated frame, and records none of its blobs', async () => {
    const good = Buffer.from('good blob');
    const body = packOf([good, Buffer.from('second')]);
    body.writeUInt8(body.readUInt8(body.length - 1) ^ 1, body.length - 1);
    const e = await code(server.data.putPack(new Uint8Array(body)));
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toContain('does not match its digest');
    expect(await server.data.missingBlobs([sha256(good)])).toEqual([sha256(good)]);
    const truncated = packOf([good]).subarray(0, 45);
    expect((await code(server.data.putPack(new Uint8Array(truncated)))).message).toContain('ends in the middle of a blob');
    expect((await code(server.data.getBlobs([sha256(good)]))).code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('rejects bad manifests: traversal, absolute paths, duplicates, bad digests, file-and-folder clashes', async () => {
    const a = { digest: sha256('a'), size: 1 };
    for (const [path, why] of [['../x', "'..'"], ['/etc/passwd', 'relative'], ['a//b', 'empty'], ['a\\b', 'backslash'], ['./a', "'.'"]] as const) {
      const e = await code(server.data.createVersion('keep', [{ path, ...a }]));
      expect(e.code).toBe('INVALID_PARAMETER_VALUE');
      expect(e.message).toContain(why);
    }
    expect((await code(server.data.createVersion('keep', [{ path: 'x', ...a }, { path: 'x', ...a }]))).message).toContain('twice');
    expect((await code(server.data.createVersion('keep', [{ path: 'x', ...a }, { path: 'x/y', ...a }]))).message).toContain('both a file and a folder');
    const bad = await fetch(`${server.url}/api/v1/datasets/keep/versions`, { method: 'POST', body: JSON.stringify({ files: [{ path: 'x', digest: 'ABC', size: 1 }] }) });
    expect(bad.status).toBe(400);
    expect((await fetch(`${server.url}/api/v1/datasets/keep/versions`, { method: 'POST', body: '{"files": [' })).status).toBe(400);
    expect((await fetch(`${server.url}/api/v1/datasets/blobs/nothex`, { method: 'PUT', body: 'x' })).status).toBe(400);
    expect((await code(server.data.createVersion('bad name!', [{ path: 'x', ...a }]))).message).toContain('Invalid dataset name');
    expect((await server.data.getDataset('keep')).latestVersion).toBe(1);
  });

  it('answers unknown datasets and versions with 404 and says what exists', async () => {
    const missing = await code(server.data.getVersion('keep', 7));
    expect(missing).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST', status: 404 });
    expect(missing.message).toContain('latest is 1');
    expect((await code(server.data.getVersion('nope', 1))).message).toContain("Dataset 'nope' not found");
    expect((await code(server.data.diff('keep', 1, 3))).code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await code(server.data.listVersions('nope'))).code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('lists datasets and versions with page tokens', async () => {
    await addVersion(server.data, 'keep', { 'a.txt': 'a', 'b.txt': 'b' });
    await addVersion(server.data, 'keep', { 'a.txt': 'a', 'b.txt': 'bb' });
    const first = await server.data.listVersions('keep', 2);
    expect(first.versions.map((v) => v.version)).toEqual([3, 2]);
    const rest = await server.data.listVersions('keep', 2, first.nextPageToken);
    expect(rest.versions.map((v) => v.version)).toEqual([1]);
    expect(rest.nextPageToken).toBeUndefined();
    const all = await server.data.listDatasets();
    expect(all.datasets.map((d) => d.name)).toContain('keep');
  });

  it('logs a version as an MLflow dataset input that the MLflow run API shows', async () => {
    const run = await (await fetch(`${server.url}/api/2.0/mlflow/runs/create`, { method: 'POST', body: JSON.stringify({ experiment_id: '0' }) })).json() as { run: { info: { run_id: string } } };
    const runId = run.run.info.run_id;
    const digest = await server.data.linkRun('keep', 2, runId, 'training');
    const v = await server.data.getVersion('keep', 2);
    expect(digest).toBe(v.digest.slice(0, 32));
    const got = await (await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=${runId}`)).json() as { run: { inputs: { dataset_inputs: { dataset: Record<string, string>; tags: { key: string; value: string }[] }[] } } };
    const input = got.run.inputs.dataset_inputs[0]!;
    expect(input.dataset).toMatchObject({ name: 'keep', digest, source_type: 'capstan' });
    expect(JSON.parse(input.dataset.source!)).toEqual({ uri: 'capstan-data:/keep@2', digest: v.digest });
    expect(input.tags).toEqual([{ key: 'mlflow.data.context', value: 'training' }]);
    expect((await code(server.data.linkRun('keep', 2, 'f'.repeat(32)))).code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});

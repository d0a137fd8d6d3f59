import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapstan } from '../../src/main.js';
import { credentials, startTestS3Server, type TestS3Server } from '../support/s3-server.js';
import { call } from './helpers.js';

let s3: TestS3Server;
let admin: S3Client;
let server: Awaited<ReturnType<typeof startCapstan>>;
let dir: string;
const bucket = `capstan-http-${process.pid}`;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startTestS3Server();
  admin = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  Object.assign(process.env, { MLFLOW_S3_ENDPOINT_URL: s3.endpoint, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_REGION: 'us-east-1' });
  dir = mkdtempSync(join(tmpdir(), 'capstan-s3-http-'));
  server = await startCapstan({ host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${join(dir, 'c.db')}`, artifactsDestination: `s3://${bucket}/mlartifacts` });
});

afterAll(async () => {
  await server?.close();
  admin?.destroy();
  await s3?.stop();
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('capstan server with an s3:// artifacts destination', () => {
  it('streams uploads and downloads through the proxy into the bucket', async () => {
    const run = (await call(server.url, 'POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' })).body.run as { info: { artifact_uri: string; run_id: string } };
    const root = run.info.artifact_uri.replace('mlflow-artifacts:/', '');
    const big = Buffer.alloc(24 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${root}/model/weights.bin`, { method: 'PUT', body: big });
    expect(put.status).toBe(200);
    await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${root}/model/MLmodel`, { method: 'PUT', body: 'flavors: {}\n' });
    const objects = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `mlartifacts/${root}/` }));
    expect((objects.Contents ?? []).map((o) => o.Key).sort()).toEqual([`mlartifacts/${root}/model/MLmodel`, `mlartifacts/${root}/model/weights.bin`]);
    const got = Buffer.from(await (await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${root}/model/weights.bin`)).arrayBuffer());
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
    const list = await call(server.url, 'GET', '/api/2.0/mlflow/artifacts/list', { run_id: run.info.run_id, path: 'model' });
    expect(list.body.files).toEqual([
      { path: 'model/MLmodel', is_dir: false, file_size: 12 },
      { path: 'model/weights.bin', is_dir: false, file_size: big.length },
    ]);
    expect((await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${root}/model`, { method: 'DELETE' })).status).toBe(200);
    const after = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `mlartifacts/${root}/` }));
    expect(after.Contents ?? []).toEqual([]);
  });

  it('multipart uploads through the proxy land as one object', async () => {
    const dir = '0/mpu/artifacts';
    const path = `${dir}/parts.bin`;
    const mpu = await call(server.url, 'POST', `/api/2.0/mlflow-artifacts/mpu/create/${dir}`, { path: 'C:\\data\\parts.bin', num_parts: 2 });
    expect(mpu.status).toBe(200);
    const creds = mpu.body.credentials as { url: string; part_number: number }[];
    const parts: { part_number: number; etag: string }[] = [];
    for (const c of creds) {
      const res = await fetch(c.url, { method: 'PUT', body: Buffer.alloc(c.part_number === 1 ? 5 * 1024 * 1024 : 7, c.part_number) });
      expect(res.status).toBe(200);
      parts.push({ part_number: c.part_number, etag: res.headers.get('etag')! });
    }
    expect((await call(server.url, 'POST', `/api/2.0/mlflow-artifacts/mpu/complete/${dir}`, { path: 'C:\\data\\parts.bin', upload_id: mpu.body.upload_id, parts })).status).toBe(200);
    const bytes = Buffer.from(await (await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${path}`)).arrayBuffer());
    expect(bytes.length).toBe(5 * 1024 * 1024 + 7);
    expect(bytes[bytes.length - 1]).toBe(2);
  });

  it('rejects traversal before touching the bucket', async () => {
    const r = await call(server.url, 'GET', '/api/2.0/mlflow-artifacts/artifacts', { path: '../outside' });
    expect(r.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
  });
});

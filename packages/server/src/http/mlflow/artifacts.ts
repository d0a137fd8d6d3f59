import type { FastifyInstance, FastifyRequest } from 'fastify';
import { artifacts as c, invalidParameter } from '@capstan/api';
import type { Services } from '../services.js';
import { mount } from '../edge.js';
import { fileInfoToWire } from './wire.js';
import { contentTypeFor } from './mime.js';

const PROXY = '/api/2.0/mlflow-artifacts';
const PREFIXES = ['/api/2.0', '/ajax-api/2.0'] as const;

function wildcard(request: FastifyRequest): string {
  return (request.params as { '*': string })['*'] ?? '';
}

/**
 * The object a multipart request targets, as MLflow computes it: the URL names the artifact
 * directory, the body's `path` is the client's local file, of which only the base name counts.
 */
function multipartTarget(request: FastifyRequest, localPath: string): string {
  const name = localPath.split(/[\\/]/).pop() ?? '';
  if (!name) throw invalidParameter('Invalid path');
  const dir = wildcard(request).replace(/\/+$/, '');
  return dir ? `${dir}/${name}` : name;
}

function origin(request: FastifyRequest): string {
  const proto = (request.headers['x-forwarded-proto'] as string | undefined) ?? request.protocol;
  return `${proto}://${request.headers['x-forwarded-host'] ?? request.headers.host}`;
}

/**
 * Proxied artifact routes (`/api/2.0/mlflow-artifacts/...`): raw byte upload and download,
 * listing, delete and multipart uploads whose part URLs point back at this server.
 * Bodies are streamed, never buffered.
 */
export function artifactRoutes(app: FastifyInstance, { artifacts }: Services): void {
  mount(app, c.list, async (i) => ({
    files: (await artifacts.list(i.path)).map(fileInfoToWire),
  }));
  mount(app, c.createMultipartUpload, async (i, request) => {
    if (!Number.isSafeInteger(i.num_parts) || i.num_parts < 1 || i.num_parts > 10_000) throw invalidParameter(`Invalid num_parts ${i.num_parts}: it must be between 1 and 10000.`);
    const target = multipartTarget(request, i.path);
    const uploadId = await artifacts.createMultipartUpload(target);
    const base = `${origin(request)}${PROXY}/mpu/part/${target.split('/').map(encodeURIComponent).join('/')}?upload_id=${encodeURIComponent(uploadId)}`;
    return { upload_id: uploadId, credentials: Array.from({ length: i.num_parts }, (_, n) => ({ url: `${base}&part_number=${n + 1}`, part_number: n + 1, headers: {} })) };
  });
  mount(app, c.completeMultipartUpload, async (i, request) => {
    await artifacts.completeMultipartUpload(multipartTarget(request, i.path), i.upload_id, i.parts.map((p) => ({ partNumber: p.part_number, etag: p.etag })));
    return {};
  });
  mount(app, c.abortMultipartUpload, async (i, request) => (await artifacts.abortMultipartUpload(multipartTarget(request, i.path), i.upload_id), {}));

  app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    for (const prefix of PREFIXES) {
      const base = `${prefix}/mlflow-artifacts`;
      raw.put(`${base}/artifacts/*`, { bodyLimit: Number.MAX_SAFE_INTEGER }, async (request) => {
        await artifacts.upload(wildcard(request), request.raw);
        return {};
      });
      raw.put(`${base}/mpu/part/*`, { bodyLimit: Number.MAX_SAFE_INTEGER }, async (request, reply) => {
        const q = request.query as { upload_id?: string; part_number?: string };
        if (!q.upload_id) throw invalidParameter("Missing value for required parameter 'upload_id'.");
        const etag = await artifacts.uploadPart(wildcard(request), q.upload_id, Number(q.part_number), request.raw);
        reply.header('ETag', etag);
        return {};
      });
      raw.get(`${base}/artifacts/*`, async (request, reply) => {
        const path = wildcard(request);
        const object = await artifacts.download(path);
        const name = path.split('/').pop() ?? 'file';
        return reply
          .header('Content-Type', contentTypeFor(name))
          .header('Content-Length', object.size)
          .header('Content-Disposition', `attachment; filename=${name}`)
          .header('X-Content-Type-Options', 'nosniff')
          .send(object.stream);
      });
      raw.delete(`${base}/artifacts/*`, async (request) => {
        await artifacts.delete(wildcard(request));
        return {};
      });
    }
  });
}

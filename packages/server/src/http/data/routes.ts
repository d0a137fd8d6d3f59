import type { FastifyInstance, FastifyRequest } from 'fastify';
import { data as c, invalidParameter } from '@capstan/api';
import type { Services } from '../services.js';
import { mount } from '../edge.js';

const PREFIXES = ['/api/v1'] as const;

/**
 * Native data routes under `/api/v1/datasets`: datasets and versions, the blob protocol
 * (`POST blobs/missing`, streamed `PUT`/`GET blobs/{digest}`, `POST packs` of small blobs, `POST
 * blobs/batch` streaming many as frames), manifests, diffs, profiles,
 * schemas, validation and run links.
 */
export function dataRoutes(app: FastifyInstance, services: Services): void {
  const data = services.data;
  if (!data) return;
  const o = { prefixes: PREFIXES };
  mount(app, c.createDataset, async (i) => ({ dataset: await data.createDataset(i.name, i.description) }), o);
  mount(app, c.listDatasets, async (i) => data.listDatasets(i.maxResults, i.pageToken), o);
  mount(app, c.getDataset, async (i) => ({ dataset: await data.getDataset(i.name) }), o);
  mount(app, c.missingBlobs, async (i) => ({ missing: await data.missingBlobs(i.digests) }), o);
  mount(app, c.createVersion, async (i) => data.createVersion(i.name, {
    files: i.files, ...(i.message === undefined ? {} : { message: i.message }), ...(i.userId === undefined ? {} : { userId: i.userId }),
    ...(i.tags === undefined ? {} : { tags: i.tags }), ...(i.allowUnchanged === undefined ? {} : { allowUnchanged: i.allowUnchanged }),
  }), o);
  mount(app, c.listVersions, async (i) => data.listVersions(i.name, i.maxResults, i.pageToken), o);
  mount(app, c.getVersion, async (i) => ({ version: await data.getVersion(i.name, i.version) }), o);
  mount(app, c.getManifest, async (i) => ({ files: await data.getManifest(i.name, i.version, i.prefix) }), o);
  mount(app, c.diff, async (i) => ({ diff: await data.diff(i.name, i.from, i.to, i.tables ?? true) }), o);
  mount(app, c.profile, async (i) => ({ profile: await data.profile(i.name, i.version, i.files, i.refresh ?? false) }), o);
  mount(app, c.getSchema, async (i) => data.getSchema(i.name, i.version), o);
  mount(app, c.putSchema, async (i) => ({ schema: await data.putSchema(i.name, i.version, i.schema) }), o);
  mount(app, c.validate, async (i) => ({ result: await data.validate(i.name, i.version, i.suite) }), o);
  mount(app, c.listValidations, async (i) => ({ validations: await data.listValidations(i.name, i.version) }), o);
  mount(app, c.suggestSuite, async (i) => ({ suite: await data.suggestSuite(i.name, i.version, i.files) }), o);
  mount(app, c.linkRun, async (i) => ({ digest: await data.linkRun(i.name, i.version, i.runId, i.context) }), o);

  app.post('/api/v1/datasets/blobs/batch', async (request, reply) => {
    const digests = (request.body as { digests?: unknown } | undefined)?.digests;
    if (!Array.isArray(digests) || digests.length > 100_000 || digests.some((d) => typeof d !== 'string')) {
      throw invalidParameter("Send {\"digests\": [...]} with at most 100,000 sha256 digests");
    }
    const { stream, size } = await data.getBlobs(digests as string[]);
    return reply.header('Content-Type', 'application/octet-stream').header('Content-Length', size).send(stream);
  });

  app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    const digestOf = (request: FastifyRequest) => (request.params as { digest: string }).digest;
    raw.put('/api/v1/datasets/blobs/:digest', { bodyLimit: Number.MAX_SAFE_INTEGER }, async (request) => data.putBlob(digestOf(request), request.raw));
    raw.post('/api/v1/datasets/packs', { bodyLimit: Number.MAX_SAFE_INTEGER }, async (request) => data.putPack(request.raw));
    raw.get('/api/v1/datasets/blobs/:digest', async (request, reply) => {
      const object = await data.getBlob(digestOf(request));
      return reply.header('Content-Type', 'application/octet-stream').header('Content-Length', object.size).send(object.stream);
    });
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CapstanError, HTTP_STATUS_OF, isCapstanError, invalidParameter } from '@capstan/api';
import { decodeOipRequest, encodeOipResponse, tensorMetadata, type OipRequest } from '../../core/serving/oip.js';
import { decodeScoringRequest, scoringPredictions, type ScoringRequest } from '../../core/serving/scoring.js';
import type { Prediction, Predictor } from '../../core/serving/service.js';
import { refLabel } from '../../core/serving/model.js';

/** Largest inference body, in bytes. */
export const INFERENCE_BODY_LIMIT = 64 * 1024 * 1024;

/** Options of {@link inferenceRoutes}. */
export interface InferenceRouteOptions {
  /** Server name and version reported by `GET /v2`. */
  server: { name: string; version: string };
  /**
   * MLflow scoring endpoints: each path serves `/invocations` for the deployment its `:name`
   * parameter names, or for `fixedName` when the path has none.
   */
  scoring: { path: string; fixedName?: string }[];
}

type Params = { name?: string; version?: string };

/**
 * The inference protocols over a {@link Predictor}: Open Inference Protocol v2 REST (health,
 * server and model metadata, readiness, infer in JSON or with the binary tensor extension) and
 * MLflow's scoring protocol (`/invocations`: dataframe_split, dataframe_records, instances,
 * inputs, CSV). Registered in their own scope so bodies arrive as raw bytes.
 */
export function inferenceRoutes(app: FastifyInstance, predictor: Predictor, options: InferenceRouteOptions): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: INFERENCE_BODY_LIMIT }, (_request, body, done) => done(null, body));

    scope.get('/v2', async () => ({ name: options.server.name, version: options.server.version, extensions: ['binary_tensor_data'] }));
    scope.get('/v2/health/live', async () => ({ live: true }));
    scope.get('/v2/health/ready', async () => ({ ready: true }));

    for (const base of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
      scope.get(base, (request, reply) => oip(reply, async () => {
        const { name, version } = request.params as Params;
        const model = predictor.modelOf(name!, version);
        return {
          name, versions: version ? [version] : predictor.versionsOf(name!), platform: 'onnx_onnxv1',
          inputs: model.inputs.tensors.map(tensorMetadata), outputs: model.outputs.map(tensorMetadata),
          ...(model.inputs.columns ? { parameters: { signature_columns: model.inputs.columns.map((c) => c.name).join(',') } } : {}),
        };
      }));
      scope.get(`${base}/ready`, (request, reply) => oip(reply, async () => {
        const { name, version } = request.params as Params;
        predictor.modelOf(name!, version);
        return { name, ready: predictor.isReady(name!) };
      }));
      scope.post(`${base}/infer`, (request, reply) => oip(reply, async () => {
        const { name, version } = request.params as Params;
        const body = request.body as Buffer | undefined ?? Buffer.alloc(0);
        const header = request.headers['inference-header-content-length'];
        const headerLength = header === undefined ? undefined : Number(header);
        let decoded!: OipRequest;
        const p = await predictor.predict(name!, (inputs) => (decoded = decodeOipRequest(body, headerLength, inputs.tensors)), { headers: request.headers, ...(version ? { version } : {}) });
        const encoded = encodeOipResponse({ modelName: name!, modelVersion: p.ref.version, id: decoded.id ?? p.id }, p.outputs, decoded);
        versionHeaders(reply, p);
        if (encoded.headerLength !== undefined) {
          return reply.header('inference-header-content-length', encoded.headerLength).type('application/octet-stream').send(encoded.body);
        }
        return reply.type('application/json').send(encoded.body);
      }));
    }

    for (const { path, fixedName } of options.scoring) {
      scope.post(path, async (request, reply) => {
        const name = fixedName ?? (request.params as Params).name!;
        const { type, body } = scoringBody(request);
        const p = await predictor.predict(name, (inputs): ScoringRequest => decodeScoringRequest(body, type, inputs), { headers: request.headers });
        versionHeaders(reply, p);
        return reply.type('application/json').send({ predictions: scoringPredictions(p.outputs, p.decoded.rows) });
      });
    }
  });
}

function versionHeaders(reply: FastifyReply, p: Prediction<unknown>): void {
  reply.header('x-capstan-model-version', refLabel(p.ref)).header('x-capstan-prediction-id', p.id);
}

/** Runs an OIP handler, answering errors as `{"error": message}` with the code's status. */
async function oip(reply: FastifyReply, fn: () => Promise<unknown>): Promise<unknown> {
  try {
    const result = await fn();
    return reply.sent ? reply : reply.send(result);
  } catch (error) {
    const e = isCapstanError(error) ? error : new CapstanError('INTERNAL_ERROR', (error as Error).message);
    if (!isCapstanError(error)) console.error('[capstan] inference failed:', error);
    return reply.code(e.status ?? HTTP_STATUS_OF[e.code]).type('application/json').send({ error: e.message });
  }
}

function scoringBody(request: FastifyRequest): { type: string; body: unknown } {
  const raw = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
  const header = String(request.headers['content-type'] ?? 'application/json');
  const [media, ...params] = header.split(';').map((s) => s.trim().toLowerCase());
  for (const p of params) {
    if (p !== 'charset=utf-8' && p !== 'charset=utf8') throw new CapstanError('BAD_REQUEST', `Unsupported content type parameter '${p}': only charset=utf-8 is supported.`, 415);
  }
  if (media === 'text/csv') return { type: 'text/csv', body: raw.toString('utf8') };
  if (media !== 'application/json' && media !== '') {
    throw new CapstanError('BAD_REQUEST', `This predictor only supports the following content types: ['application/json', 'text/csv']; got '${media}'.`, 415);
  }
  try {
    return { type: 'application/json', body: JSON.parse(raw.toString('utf8')) };
  } catch (error) {
    throw invalidParameter(`Malformed JSON in request body: ${(error as Error).message}.`);
  }
}

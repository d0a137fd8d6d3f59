import Fastify from 'fastify';
import { CapstanError, HTTP_STATUS_OF, isCapstanError } from '@capstan/api';
import { openModelFiles } from './adapters/artifacts/model-files.js';
import { OnnxRuntime } from './adapters/runtime/onnx.js';
import { loadServable, type ServableModel } from './core/serving/loader.js';
import type { ModelInputs } from './core/serving/scoring.js';
import type { Prediction, PredictOptions, Predictor } from './core/serving/service.js';
import type { Tensor } from './core/serving/tensors.js';
import { MLFLOW_COMPAT_VERSION } from './http/server.js';
import { inferenceRoutes } from './http/serving/inference.js';

/** Options of {@link serveModel}. */
export interface ServeModelOptions {
  /** A local model directory (with `MLmodel` and the ONNX file). */
  modelDir: string;
  /** Name used by OIP routes (`/v2/models/<name>`). */
  name: string;
  /** Version reported in responses. */
  version?: string;
  host: string;
  port: number;
  workers?: number;
  maxBatchRows?: number;
}

/** A running single-model server. */
export interface ModelServer {
  url: string;
  model: ServableModel;
  close(): Promise<void>;
}

/**
 * A drop-in for `mlflow models serve`: one model from a local directory behind MLflow's scoring
 * protocol (`/invocations`, `/ping`, `/health`, `/version`) and OIP v2 (`/v2/models/<name>/...`).
 * The model loads before the port opens, so a model that cannot run fails here.
 * @throws INVALID_PARAMETER_VALUE when the model cannot be served
 */
export async function serveModel(options: ServeModelOptions): Promise<ModelServer> {
  const runtime = new OnnxRuntime();
  const ref = { model: options.name, version: options.version ?? '1' };
  let model: ServableModel;
  try {
    model = await loadServable(ref, openModelFiles(options.modelDir), runtime, { workers: options.workers ?? 1, maxBatchRows: options.maxBatchRows ?? 256 });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  let seq = 0;
  const predictor: Predictor = {
    async predict<D extends { feeds: Record<string, Tensor> }>(name: string, decode: (inputs: ModelInputs) => D, predictOptions: PredictOptions = {}): Promise<Prediction<D>> {
      check(name, predictOptions.version);
      const decoded = decode(model.inputs);
      const started = performance.now();
      const outputs = await model.infer(decoded.feeds);
      return { outputs, ref, decoded, latencyMs: performance.now() - started, id: `p-${(seq++).toString(36)}` };
    },
    modelOf(name, version) {
      check(name, version);
      return model;
    },
    versionsOf: () => [ref.version],
    isReady: () => true,
  };
  function check(name: string, version?: string): void {
    if (name !== options.name) throw new CapstanError('RESOURCE_DOES_NOT_EXIST', `Model '${name}' is not served here; this server serves '${options.name}'.`);
    if (version !== undefined && version !== ref.version) throw new CapstanError('RESOURCE_DOES_NOT_EXIST', `Version '${version}' of '${name}' is not served here (serving ${ref.version}).`);
  }
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  app.setErrorHandler((error: unknown, _request, reply) => {
    const e = isCapstanError(error) ? error : new CapstanError('BAD_REQUEST', (error as Error).message, (error as { statusCode?: number }).statusCode ?? 500);
    return reply.code(e.status ?? HTTP_STATUS_OF[e.code]).type('application/json').send({ error_code: e.code, message: e.message });
  });
  for (const path of ['/ping', '/health']) app.get(path, async (_request, reply) => reply.type('application/json').send('\n'));
  app.get('/version', async (_request, reply) => reply.type('text/plain').send(MLFLOW_COMPAT_VERSION));
  inferenceRoutes(app, predictor, { server: { name: 'capstan', version: MLFLOW_COMPAT_VERSION }, scoring: [{ path: '/invocations', fixedName: options.name }] });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await model.release();
    await runtime.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    model,
    async close() {
      await app.close();
      await model.release();
      await runtime.close();
    },
  };
}

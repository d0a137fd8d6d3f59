import Fastify, { type FastifyInstance } from 'fastify';
import { CapstanError, HTTP_STATUS_OF, isCapstanError } from '@capstan/api';
import type { Services } from './services.js';
import { HttpMetrics } from './metrics.js';
import { artifactRoutes } from './mlflow/artifacts.js';
import { loggedModelRoutes } from './mlflow/logged-models.js';
import { registryRoutes } from './mlflow/registry.js';
import { trackingRoutes } from './mlflow/tracking.js';
import { bodySizes } from './edge.js';
import { webRoutes } from './web.js';
import { dataRoutes } from './data/routes.js';
import { pipelineRoutes } from './pipelines/routes.js';
import { deploymentRoutes } from './serving/deployments.js';
import { inferenceRoutes } from './serving/inference.js';
import { monitoringRoutes } from './monitoring/routes.js';
import { registryHistoryRoutes } from './registry/routes.js';

/** The MLflow version whose REST API this server speaks (reported by `/version`). */
export const MLFLOW_COMPAT_VERSION = '3.17.2';

/** Options of {@link buildHttpServer}. */
export interface HttpOptions {
  /** Largest JSON body accepted, in bytes (log-batch has its own, smaller limit). */
  jsonBodyLimit?: number;
  /** Log requests (pino) to stdout. */
  logger?: boolean;
}

const FASTIFY_ERRORS: Record<string, (e: { message: string }) => CapstanError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new CapstanError('INVALID_PARAMETER_VALUE', 'Request body is too large: JSON request bodies are limited to 32 MB (log-batch to 1,000,000 bytes); upload files through the artifact API instead.'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new CapstanError('INVALID_PARAMETER_VALUE', 'Request body size did not match Content-Length.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (e) => new CapstanError('INVALID_PARAMETER_VALUE', `Unsupported media type: ${e.message}`),
  FST_ERR_BAD_URL: () => new CapstanError('INVALID_PARAMETER_VALUE', 'Invalid path'),
};

/**
 * Builds the HTTP edge: every route, the JSON parser (lenient like MLflow's: any content type,
 * empty body as `{}`, double-encoded JSON), the one error handler mapping codes to statuses,
 * Prometheus metrics, `/health` and `/version`.
 */
export function buildHttpServer(services: Services, options: HttpOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.jsonBodyLimit ?? 32 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 10_000 },
  });
  const metrics = new HttpMetrics();

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    bodySizes.set(request, (body as Buffer).length);
    const text = (body as Buffer).toString('utf8').trim();
    if (text === '') return done(null, {});
    try {
      let parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'string') parsed = JSON.parse(parsed);
      done(null, parsed);
    } catch (error) {
      done(new CapstanError('INVALID_PARAMETER_VALUE', `Malformed JSON in request body: ${(error as Error).message}. Send a JSON object.`), undefined);
    }
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    let e: CapstanError;
    if (isCapstanError(error)) e = error;
    else {
      const code = (error as { code?: string }).code ?? '';
      const mapped = FASTIFY_ERRORS[code];
      const status = (error as { statusCode?: number }).statusCode;
      if (mapped) e = mapped(error as Error);
      else if (status && status >= 400 && status < 500) e = new CapstanError('BAD_REQUEST', (error as Error).message, status);
      else {
        request.log.error(error);
        console.error(`[capstan] internal error on ${request.method} ${request.url}:`, error);
        e = new CapstanError('INTERNAL_ERROR', `Internal error: ${(error as Error)?.message ?? String(error)}`);
      }
    }
    return reply.code(e.status ?? HTTP_STATUS_OF[e.code]).header('content-type', 'application/json').send(e.toBody());
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error_code: 'ENDPOINT_NOT_FOUND', message: `No route for ${request.method} ${request.url.split('?')[0]}` }));

  app.get('/health', async (_request, reply) => reply.type('text/plain').send('OK'));
  app.get('/version', async (_request, reply) => reply.type('text/plain').send(MLFLOW_COMPAT_VERSION));
  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4').send(metrics.render() + services.serving.renderMetrics()));
  for (const prefix of ['/api/3.0', '/ajax-api/3.0']) {
    app.get(`${prefix}/mlflow/server-info`, async () => ({ store_type: services.info.storeType, workspaces_enabled: false }));
  }
  webRoutes(app);

  trackingRoutes(app, services);
  loggedModelRoutes(app, services);
  registryRoutes(app, services);
  artifactRoutes(app, services);
  dataRoutes(app, services);
  deploymentRoutes(app, services.serving);
  registryHistoryRoutes(app, services.registry);
  inferenceRoutes(app, services.serving, {
    server: { name: 'capstan', version: MLFLOW_COMPAT_VERSION },
    scoring: [{ path: '/api/v1/deployments/:name/invocations' }, { path: '/deployments/:name/invocations' }],
  });
  if (services.pipelines) pipelineRoutes(app, services.pipelines);
  if (services.monitoring) monitoringRoutes(app, services.monitoring);
  return app;
}

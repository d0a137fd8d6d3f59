import type { FastifyInstance } from 'fastify';
import { serving as api } from '@capstan/api';
import type { ModelSelector, ServingService } from '../../core/serving/service.js';
import { invalidParameter } from '@capstan/api';
import { mount } from '../edge.js';
import { userOf } from '../identity.js';

const V1 = ['/api/v1'] as const;

function selectorOf(input: { modelUri?: string | undefined; model?: string | undefined; version?: string | undefined }, what: string): ModelSelector {
  if (input.modelUri) return { modelUri: input.modelUri };
  if (input.model && input.version !== undefined) return { model: input.model, version: input.version };
  throw invalidParameter(`${what}: give "modelUri" (models:/name@alias or models:/name/3) or "model" and "version".`);
}

function specInput(input: { variants: { modelUri?: string | undefined; model?: string | undefined; version?: string | undefined; weight?: number | undefined }[]; shadow?: { modelUri?: string | undefined; model?: string | undefined; version?: string | undefined; fraction?: number | undefined } | null | undefined; stickyHeader?: string | null | undefined; maxBatchRows?: number | undefined; workers?: number | undefined; execution?: 'auto' | 'workers' | 'inline' | undefined }) {
  return {
    variants: input.variants.map((v, i) => ({ ...selectorOf(v, `variants[${i}]`), ...(v.weight === undefined ? {} : { weight: v.weight }) })),
    ...(input.shadow ? { shadow: { ...selectorOf(input.shadow, 'shadow'), ...(input.shadow.fraction === undefined ? {} : { fraction: input.shadow.fraction }) } } : {}),
    ...(input.stickyHeader ? { stickyHeader: input.stickyHeader } : {}),
    ...(input.maxBatchRows === undefined ? {} : { maxBatchRows: input.maxBatchRows }),
    ...(input.workers === undefined ? {} : { workers: input.workers }),
    ...(input.execution === undefined ? {} : { execution: input.execution }),
  };
}

/** The native deployments API under `/api/v1/deployments`. */
export function deploymentRoutes(app: FastifyInstance, serving: ServingService): void {
  mount(app, api.createDeployment, async (input, request) => ({ deployment: await serving.create(input.name, specInput(input), userOf(request)) }), { prefixes: V1 });
  mount(app, api.listDeployments, async () => ({ deployments: await serving.list() }), { prefixes: V1 });
  mount(app, api.getDeployment, async (input) => ({ deployment: await serving.get(input.name), status: serving.status(input.name) }), { prefixes: V1 });
  mount(app, api.updateDeployment, async (input, request) => ({ deployment: await serving.update(input.name, specInput(input), userOf(request)) }), { prefixes: V1 });
  mount(app, api.deleteDeployment, async (input, request) => {
    await serving.delete(input.name, userOf(request));
    return {};
  }, { prefixes: V1 });
  mount(app, api.deploymentHistory, async (input) => {
    await serving.get(input.name).catch(async (error) => {
      if ((await serving.history(input.name, 1)).length === 0) throw error;
    });
    return { changes: await serving.history(input.name, input.limit ?? 100) };
  }, { prefixes: V1 });
  mount(app, api.startCanary, async (input, request) => {
    const { name, modelUri, model, version, ...plan } = input;
    const canary = { ...selectorOf({ modelUri, model, version }, 'canary'), ...Object.fromEntries(Object.entries(plan).filter(([, v]) => v !== undefined)) };
    return { deployment: await serving.startCanary(name, canary, userOf(request)) };
  }, { prefixes: V1 });
  mount(app, api.promoteCanary, async (input, request) => ({ deployment: await serving.promote(input.name, userOf(request)) }), { prefixes: V1 });
  mount(app, api.rollback, async (input, request) => ({ deployment: await serving.rollback(input.name, userOf(request), input.reason) }), { prefixes: V1 });
  mount(app, api.timeline, async (input) => serving.timeline(input.name, { since: input.since, until: input.until, ...(input.buckets ? { buckets: input.buckets } : {}) }), { prefixes: V1 });
  mount(app, api.predictions, async (input) => {
    await serving.get(input.name);
    const predictions = await serving.predictions({
      deployment: input.name, limit: input.limit ?? 1000, includeShadow: input.includeShadow === 'true',
      ...(input.since === undefined ? {} : { since: input.since }), ...(input.until === undefined ? {} : { until: input.until }),
    });
    return { predictions };
  }, { prefixes: V1 });
}

import {
  CapstanError, serving as routes,
  type WireDeployment, type WireDeploymentChange, type WirePrediction, type WireTimelinePoint, type WireVersionStatus,
} from '@capstan/api';
import { Transport, type CallOptions, type TransportOptions } from './http.js';

/** A model version as callers name it: a `models:/` URI, or a name and version. */
export type ModelSelector = { modelUri: string } | { model: string; version: string | number };

/** What a deployment serves, as given to {@link ServingApi.create} and {@link ServingApi.update}. */
export interface DeploymentOptions {
  /** Versions and their traffic share (percent; omitted weights split what is left equally). */
  variants: (ModelSelector & { weight?: number })[];
  /** A version that gets a copy of `fraction` of the traffic; its answers are only logged. */
  shadow?: (ModelSelector & { fraction?: number }) | null;
  /** Header whose value pins a caller to one version (sticky A/B). */
  stickyHeader?: string | null;
  maxBatchRows?: number;
  workers?: number;
  /** Where calls run: `auto` (default: inline for microsecond models), `workers` or `inline`. */
  execution?: 'auto' | 'workers' | 'inline';
}

/** How a canary proceeds (defaults: steps 10, 50, 100 every 60 s; rollback above 1% errors or p99 100 ms). */
export interface CanaryOptions {
  steps?: number[];
  stepSeconds?: number;
  maxErrorRate?: number;
  maxP99Ms?: number;
  minRequests?: number;
}

/** One OIP tensor. */
export interface OipTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

/** An OIP inference response plus the version that answered. */
export interface InferResult {
  model_name: string;
  model_version: string;
  id: string;
  outputs: OipTensor[];
  /** `model/version` from the `x-capstan-model-version` header. */
  answeredBy: string;
  predictionId: string;
}

/**
 * Deployments (native `/api/v1/deployments`) and inference (OIP v2 and MLflow `/invocations`).
 * @example
 * const serving = new ServingApi({ baseUrl: 'http://127.0.0.1:5000' });
 * await serving.create('churn', { variants: [{ modelUri: 'models:/churn@champion' }] });
 * const out = await serving.infer('churn', [{ name: 'X', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }]);
 */
export class ServingApi {
  readonly transport: Transport;
  private readonly root: Transport;

  constructor(options: TransportOptions) {
    this.transport = new Transport({ ...options, apiPrefix: '/api/v1' });
    this.root = new Transport({ ...options, apiPrefix: '' });
  }

  /** Creates a deployment; every version loads first, so a model that cannot run is refused here. */
  async create(name: string, options: DeploymentOptions, call?: CallOptions): Promise<WireDeployment> {
    return (await this.transport.call(routes.createDeployment, { name, ...wireSpec(options) } as never, call)).deployment;
  }

  async list(call?: CallOptions): Promise<WireDeployment[]> {
    return (await this.transport.call(routes.listDeployments, {}, call)).deployments;
  }

  /** A deployment and the answering server's live numbers per version. */
  get(name: string, call?: CallOptions): Promise<{ deployment: WireDeployment; status: WireVersionStatus[] | null }> {
    return this.transport.call(routes.getDeployment, { name }, call);
  }

  /** Replaces what a deployment serves (hot swap; no request fails). */
  async update(name: string, options: DeploymentOptions, call?: CallOptions): Promise<WireDeployment> {
    return (await this.transport.call(routes.updateDeployment, { name, ...wireSpec(options) } as never, call)).deployment;
  }

  async delete(name: string, call?: CallOptions): Promise<void> {
    await this.transport.call(routes.deleteDeployment, { name }, call);
  }

  /** Changes, newest first: who, when, what. */
  async history(name: string, limit?: number, call?: CallOptions): Promise<WireDeploymentChange[]> {
    return (await this.transport.call(routes.deploymentHistory, { name, ...(limit ? { limit } : {}) }, call)).changes;
  }

  /** Starts a canary from the serving version to `candidate`. */
  async canary(name: string, candidate: ModelSelector, options: CanaryOptions = {}, call?: CallOptions): Promise<WireDeployment> {
    return (await this.transport.call(routes.startCanary, { name, ...selector(candidate), ...options } as never, call)).deployment;
  }

  async promote(name: string, call?: CallOptions): Promise<WireDeployment> {
    return (await this.transport.call(routes.promoteCanary, { name }, call)).deployment;
  }

  /** Rolls a running canary back, or the deployment back to its previous revision. */
  async rollback(name: string, reason?: string, call?: CallOptions): Promise<WireDeployment> {
    return (await this.transport.call(routes.rollback, { name, ...(reason ? { reason } : {}) }, call)).deployment;
  }

  /** Logged predictions in a time window (ms since epoch). */
  async predictions(name: string, query: { since?: number; until?: number; limit?: number; includeShadow?: boolean } = {}, call?: CallOptions): Promise<WirePrediction[]> {
    const { includeShadow, ...rest } = query;
    return (await this.transport.call(routes.predictions, { name, ...rest, ...(includeShadow ? { includeShadow: 'true' as const } : {}) }, call)).predictions;
  }

  /** Request rate, errors and latency per version over time (from the prediction log). */
  timeline(name: string, window: { since: number; until: number; buckets?: number }, call?: CallOptions): Promise<{ bucketMs: number; points: WireTimelinePoint[] }> {
    return this.transport.call(routes.timeline, { name, ...window }, call);
  }

  /** OIP v2 inference with JSON tensors; `headers` can carry the sticky routing key. */
  async infer(name: string, inputs: OipTensor[], options: { id?: string; version?: string | number; headers?: Record<string, string> } & CallOptions = {}): Promise<InferResult> {
    const path = `/v2/models/${encodeURIComponent(name)}${options.version === undefined ? '' : `/versions/${options.version}`}/infer`;
    const res = await this.root.request('POST', path, {
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify({ inputs, ...(options.id ? { id: options.id } : {}) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const body = await res.json() as Omit<InferResult, 'answeredBy' | 'predictionId'>;
    return { ...body, answeredBy: res.headers.get('x-capstan-model-version') ?? '', predictionId: res.headers.get('x-capstan-prediction-id') ?? '' };
  }

  /** MLflow scoring protocol: `payload` is `{dataframe_split|dataframe_records|instances|inputs: ...}`. */
  async invocations(name: string, payload: Record<string, unknown>, options: { headers?: Record<string, string> } & CallOptions = {}): Promise<{ predictions: unknown; answeredBy: string }> {
    const res = await this.root.request('POST', `/deployments/${encodeURIComponent(name)}/invocations`, {
      headers: { 'content-type': 'application/json', ...options.headers }, body: JSON.stringify(payload),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const body = await res.json() as { predictions?: unknown };
    if (!('predictions' in body)) throw new CapstanError('INTERNAL_ERROR', 'The server answered without predictions.');
    return { predictions: body.predictions, answeredBy: res.headers.get('x-capstan-model-version') ?? '' };
  }
}

function selector(s: ModelSelector): Record<string, string> {
  return 'modelUri' in s ? { modelUri: s.modelUri } : { model: s.model, version: String(s.version) };
}

function wireSpec(o: DeploymentOptions): Record<string, unknown> {
  return {
    variants: o.variants.map((v) => ({ ...selector(v), ...(v.weight === undefined ? {} : { weight: v.weight }) })),
    ...(o.shadow ? { shadow: { ...selector(o.shadow), ...(o.shadow.fraction === undefined ? {} : { fraction: o.shadow.fraction }) } } : {}),
    ...(o.stickyHeader ? { stickyHeader: o.stickyHeader } : {}),
    ...(o.maxBatchRows === undefined ? {} : { maxBatchRows: o.maxBatchRows }),
    ...(o.workers === undefined ? {} : { workers: o.workers }),
    ...(o.execution === undefined ? {} : { execution: o.execution }),
  };
}

import { z } from 'zod';
import { enumField, field } from '../fields.js';
import type {
  WireExperiment, WireFileInfo, WireLoggedModel, WireMetric, WireModelVersion, WireRegisteredModel, WireRun, WireRunInfo,
} from './wire.js';

/** HTTP methods used by contracts. */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/**
 * One route: method, path (relative to `/api/2.0`, `{name}` for path parameters), request schema
 * and the response type (type-only). The server, the client and the CLI all read these.
 */
export interface RouteContract<Req extends z.ZodType = z.ZodType, Res = unknown> {
  method: HttpMethod;
  path: string;
  request: Req;
  /** Phantom: carries the response type; never set at runtime. */
  readonly response?: Res;
}

/** The parsed request type of a contract. */
export type RequestOf<C> = C extends RouteContract<infer Req, unknown> ? z.output<Req> : never;
/** The input (wire) request type of a contract. */
export type RequestInputOf<C> = C extends RouteContract<infer Req, unknown> ? z.input<Req> : never;
/** The response type of a contract. */
export type ResponseOf<C> = C extends RouteContract<z.ZodType, infer Res> ? Res : never;

function route<Res>() {
  return <Req extends z.ZodType>(method: HttpMethod, path: string, request: Req): RouteContract<Req, Res> => ({ method, path, request });
}

type Empty = Record<string, never>;
const f = field;
const tags = () => f.repeated(f.keyValue()).optional();
const runRef = { run_id: f.string().optional(), run_uuid: f.string().optional() };
const paging = { max_results: f.int64().optional(), page_token: f.string().optional(), order_by: f.repeated(f.string()).optional(), filter: f.string().optional() };
const viewType = () => enumField(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const, { 1: 'ACTIVE_ONLY', 2: 'DELETED_ONLY', 3: 'ALL' }).optional();
const runStatus = enumField(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const, { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' });
const metric = z.object({
  key: f.requiredString(),
  value: f.double(),
  timestamp: f.int64(),
  step: f.int64().optional(),
  model_id: f.string().optional(),
  dataset_name: f.string().optional(),
  dataset_digest: f.string().optional(),
});
const nameVersion = { name: f.requiredString(), version: f.int64() };

/** Tracking: experiments, runs, metrics, params, tags, inputs, outputs. */
export const tracking = {
  createExperiment: route<{ experiment_id: string }>()('POST', '/mlflow/experiments/create', z.object({ name: f.requiredString(), artifact_location: f.string().optional(), tags: tags() })),
  getExperiment: route<{ experiment: WireExperiment }>()('GET', '/mlflow/experiments/get', z.object({ experiment_id: f.requiredString() })),
  getExperimentByName: route<{ experiment: WireExperiment }>()('GET', '/mlflow/experiments/get-by-name', z.object({ experiment_name: f.requiredString() })),
  searchExperiments: route<{ experiments?: WireExperiment[]; next_page_token?: string }>()('POST', '/mlflow/experiments/search', z.object({ ...paging, view_type: viewType() })),
  updateExperiment: route<Empty>()('POST', '/mlflow/experiments/update', z.object({ experiment_id: f.requiredString(), new_name: f.requiredString() })),
  deleteExperiment: route<Empty>()('POST', '/mlflow/experiments/delete', z.object({ experiment_id: f.requiredString() })),
  restoreExperiment: route<Empty>()('POST', '/mlflow/experiments/restore', z.object({ experiment_id: f.requiredString() })),
  setExperimentTag: route<Empty>()('POST', '/mlflow/experiments/set-experiment-tag', z.object({ experiment_id: f.requiredString(), key: f.requiredString(), value: f.string() })),
  deleteExperimentTag: route<Empty>()('POST', '/mlflow/experiments/delete-experiment-tag', z.object({ experiment_id: f.requiredString(), key: f.requiredString() })),
  searchDatasets: route<{ dataset_summaries?: { experiment_id: string; name: string; digest: string; context?: string }[] }>()('POST', '/mlflow/experiments/search-datasets', z.object({ experiment_ids: f.repeated(f.string()) })),
  createRun: route<{ run: WireRun }>()('POST', '/mlflow/runs/create', z.object({ experiment_id: f.string().optional(), user_id: f.string().optional(), run_name: f.string().optional(), start_time: f.int64().optional(), tags: tags() })),
  getRun: route<{ run: WireRun }>()('GET', '/mlflow/runs/get', z.object(runRef)),
  updateRun: route<{ run_info: WireRunInfo }>()('POST', '/mlflow/runs/update', z.object({ ...runRef, status: runStatus.optional(), end_time: f.int64().optional(), run_name: f.string().optional() })),
  deleteRun: route<Empty>()('POST', '/mlflow/runs/delete', z.object({ run_id: f.requiredString() })),
  restoreRun: route<Empty>()('POST', '/mlflow/runs/restore', z.object({ run_id: f.requiredString() })),
  logMetric: route<Empty>()('POST', '/mlflow/runs/log-metric', metric.extend(runRef)),
  logParam: route<Empty>()('POST', '/mlflow/runs/log-parameter', z.object({ ...runRef, key: f.requiredString(), value: f.string() })),
  setTag: route<Empty>()('POST', '/mlflow/runs/set-tag', z.object({ ...runRef, key: f.requiredString(), value: f.string() })),
  deleteTag: route<Empty>()('POST', '/mlflow/runs/delete-tag', z.object({ run_id: f.requiredString(), key: f.requiredString() })),
  logBatch: route<Empty>()('POST', '/mlflow/runs/log-batch', z.object({ run_id: f.requiredString(), metrics: f.repeated(metric).optional(), params: f.repeated(z.object({ key: f.requiredString(), value: f.string() })).optional(), tags: f.repeated(z.object({ key: f.requiredString(), value: f.string() })).optional() })),
  logInputs: route<Empty>()('POST', '/mlflow/runs/log-inputs', z.object({
    run_id: f.requiredString(),
    datasets: f.repeated(z.object({ tags: tags(), dataset: z.object({ name: f.requiredString(), digest: f.requiredString(), source_type: f.requiredString(), source: f.requiredString(), schema: f.string().optional(), profile: f.string().optional() }) })).optional(),
    models: f.repeated(z.object({ model_id: f.requiredString() })).optional(),
  })),
  logOutputs: route<Empty>()('POST', '/mlflow/runs/outputs', z.object({ run_id: f.requiredString(), models: f.repeated(z.object({ model_id: f.requiredString(), step: f.int64().optional() })) })),
  logModel: route<Empty>()('POST', '/mlflow/runs/log-model', z.object({ run_id: f.requiredString(), model_json: f.requiredString() })),
  searchRuns: route<{ runs?: WireRun[]; next_page_token?: string }>()('POST', '/mlflow/runs/search', z.object({ ...paging, experiment_ids: f.repeated(f.string()).optional(), run_view_type: viewType() })),
  getMetricHistory: route<{ metrics?: WireMetric[]; next_page_token?: string }>()('GET', '/mlflow/metrics/get-history', z.object({ ...runRef, metric_key: f.requiredString(), max_results: f.int64().optional(), page_token: f.string().optional() })),
  getMetricHistoryBulkInterval: route<{ metrics?: WireMetric[] }>()('GET', '/mlflow/metrics/get-history-bulk-interval', z.object({ run_ids: f.repeated(f.string()), metric_key: f.requiredString(), start_step: f.int64().optional(), end_step: f.int64().optional(), max_results: f.int64().optional() })),
  getMetricHistoryBulk: route<{ metrics?: WireMetric[] }>()('GET', '/mlflow/metrics/get-history-bulk', z.object({ run_id: f.repeated(f.string()), metric_key: f.requiredString(), max_results: f.int64().optional() })),
  listArtifacts: route<{ root_uri: string; files?: WireFileInfo[]; next_page_token?: string }>()('GET', '/mlflow/artifacts/list', z.object({ ...runRef, path: f.string().optional(), page_token: f.string().optional() })),
};

const loggedModelStatus = enumField(['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'] as const, { 1: 'LOGGED_MODEL_PENDING', 2: 'LOGGED_MODEL_READY', 3: 'LOGGED_MODEL_UPLOAD_FAILED' });

/** MLflow 3 logged models. */
export const loggedModels = {
  create: route<{ model: WireLoggedModel }>()('POST', '/mlflow/logged-models', z.object({ experiment_id: f.requiredString(), name: f.string().optional(), model_type: f.string().optional(), source_run_id: f.string().optional(), params: tags(), tags: tags() })),
  get: route<{ model: WireLoggedModel }>()('GET', '/mlflow/logged-models/{model_id}', z.object({ model_id: f.requiredString(), allow_deleted: f.bool().optional() })),
  finalize: route<{ model: WireLoggedModel }>()('PATCH', '/mlflow/logged-models/{model_id}', z.object({ model_id: f.requiredString(), status: loggedModelStatus })),
  delete: route<Empty>()('DELETE', '/mlflow/logged-models/{model_id}', z.object({ model_id: f.requiredString() })),
  setTags: route<Empty>()('PATCH', '/mlflow/logged-models/{model_id}/tags', z.object({ model_id: f.requiredString(), tags: f.repeated(f.keyValue()) })),
  deleteTag: route<Empty>()('DELETE', '/mlflow/logged-models/{model_id}/tags/{tag_key}', z.object({ model_id: f.requiredString(), tag_key: f.requiredString() })),
  logParams: route<Empty>()('POST', '/mlflow/logged-models/{model_id}/params', z.object({ model_id: f.requiredString(), params: f.repeated(f.keyValue()) })),
  search: route<{ models?: WireLoggedModel[]; next_page_token?: string }>()('POST', '/mlflow/logged-models/search', z.object({
    experiment_ids: f.repeated(f.string()),
    filter: f.string().optional(),
    datasets: f.repeated(z.object({ dataset_name: f.requiredString(), dataset_digest: f.string().optional() })).optional(),
    max_results: f.int64().optional(),
    order_by: f.repeated(z.object({ field_name: f.requiredString(), ascending: f.bool().optional(), dataset_name: f.string().optional(), dataset_digest: f.string().optional() })).optional(),
    page_token: f.string().optional(),
  })),
  listArtifacts: route<{ root_uri: string; files?: WireFileInfo[]; next_page_token?: string }>()('GET', '/mlflow/logged-models/{model_id}/artifacts/directories', z.object({ model_id: f.requiredString(), artifact_directory_path: f.string().optional(), page_token: f.string().optional() })),
};

const stage = z.string().min(1);

/** The model registry. */
export const registry = {
  createRegisteredModel: route<{ registered_model: WireRegisteredModel }>()('POST', '/mlflow/registered-models/create', z.object({ name: f.requiredString(), tags: tags(), description: f.string().optional() })),
  getRegisteredModel: route<{ registered_model: WireRegisteredModel }>()('GET', '/mlflow/registered-models/get', z.object({ name: f.requiredString() })),
  renameRegisteredModel: route<{ registered_model: WireRegisteredModel }>()('POST', '/mlflow/registered-models/rename', z.object({ name: f.requiredString(), new_name: f.requiredString() })),
  updateRegisteredModel: route<{ registered_model: WireRegisteredModel }>()('PATCH', '/mlflow/registered-models/update', z.object({ name: f.requiredString(), description: f.string().optional() })),
  deleteRegisteredModel: route<Empty>()('DELETE', '/mlflow/registered-models/delete', z.object({ name: f.requiredString() })),
  searchRegisteredModels: route<{ registered_models?: WireRegisteredModel[]; next_page_token?: string }>()('GET', '/mlflow/registered-models/search', z.object(paging)),
  getLatestVersions: route<{ model_versions?: WireModelVersion[] }>()('POST', '/mlflow/registered-models/get-latest-versions', z.object({ name: f.requiredString(), stages: f.repeated(f.string()).optional() })),
  setRegisteredModelTag: route<Empty>()('POST', '/mlflow/registered-models/set-tag', z.object({ name: f.requiredString(), key: f.requiredString(), value: f.string() })),
  deleteRegisteredModelTag: route<Empty>()('DELETE', '/mlflow/registered-models/delete-tag', z.object({ name: f.requiredString(), key: f.requiredString() })),
  setAlias: route<Empty>()('POST', '/mlflow/registered-models/alias', z.object({ name: f.requiredString(), alias: f.requiredString(), version: f.requiredString() })),
  deleteAlias: route<Empty>()('DELETE', '/mlflow/registered-models/alias', z.object({ name: f.requiredString(), alias: f.requiredString() })),
  getModelVersionByAlias: route<{ model_version: WireModelVersion }>()('GET', '/mlflow/registered-models/alias', z.object({ name: f.requiredString(), alias: f.requiredString() })),
  createModelVersion: route<{ model_version: WireModelVersion }>()('POST', '/mlflow/model-versions/create', z.object({ name: f.requiredString(), source: f.requiredString(), run_id: f.string().optional(), tags: tags(), run_link: f.string().optional(), description: f.string().optional(), model_id: f.string().optional() })),
  getModelVersion: route<{ model_version: WireModelVersion }>()('GET', '/mlflow/model-versions/get', z.object(nameVersion)),
  updateModelVersion: route<{ model_version: WireModelVersion }>()('PATCH', '/mlflow/model-versions/update', z.object({ ...nameVersion, description: f.string().optional() })),
  transitionModelVersionStage: route<{ model_version: WireModelVersion }>()('POST', '/mlflow/model-versions/transition-stage', z.object({ ...nameVersion, stage, archive_existing_versions: f.bool().optional() })),
  deleteModelVersion: route<Empty>()('DELETE', '/mlflow/model-versions/delete', z.object(nameVersion)),
  searchModelVersions: route<{ model_versions?: WireModelVersion[]; next_page_token?: string }>()('GET', '/mlflow/model-versions/search', z.object(paging)),
  getModelVersionDownloadUri: route<{ artifact_uri: string }>()('GET', '/mlflow/model-versions/get-download-uri', z.object(nameVersion)),
  setModelVersionTag: route<Empty>()('POST', '/mlflow/model-versions/set-tag', z.object({ ...nameVersion, key: f.requiredString(), value: f.string() })),
  deleteModelVersionTag: route<Empty>()('DELETE', '/mlflow/model-versions/delete-tag', z.object({ ...nameVersion, key: f.requiredString() })),
};

/** Proxied artifact routes that carry JSON (the byte routes are raw streams). */
export const artifacts = {
  list: route<{ files?: WireFileInfo[] }>()('GET', '/mlflow-artifacts/artifacts', z.object({ path: f.string().optional() })),
  createMultipartUpload: route<{ upload_id: string; credentials: { url: string; part_number: number; headers: Record<string, string> }[] }>()('POST', '/mlflow-artifacts/mpu/create/*', z.object({ path: f.requiredString(), num_parts: f.int64() })),
  completeMultipartUpload: route<Empty>()('POST', '/mlflow-artifacts/mpu/complete/*', z.object({ path: f.requiredString(), upload_id: f.requiredString(), parts: f.repeated(z.object({ part_number: f.int64(), etag: f.requiredString(), url: f.string().optional() })) })),
  abortMultipartUpload: route<Empty>()('POST', '/mlflow-artifacts/mpu/abort/*', z.object({ path: f.requiredString(), upload_id: f.requiredString() })),
};

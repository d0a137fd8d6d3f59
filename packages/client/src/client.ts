import {
  artifacts as artifactRoutes, loggedModels as loggedModelRoutes, registry, tracking,
  type RequestOf, type ResponseOf, type RouteContract,
  type WireExperiment, type WireFileInfo, type WireKeyValue, type WireLoggedModel, type WireMetric,
  type WireModelVersion, type WireRegisteredModel, type WireRun, type WireRunInfo,
  registryHistory, type WireRegistryChange,
} from '@capstan/api';
import { Transport, type CallOptions, type FetchLike, type TransportOptions } from './http.js';
import { artifactUrlPath, resolveUnder, trimSlashes } from './paths.js';

/** Options of {@link CapstanClient}. */
export type CapstanClientOptions = TransportOptions;

/** Tags or params: wire key/value pairs, or a plain object. */
export type KeyValues = WireKeyValue[] | Record<string, string>;

/** Bytes accepted by artifact uploads. */
export type ArtifactBody = Blob | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array> | string;

/** Options of artifact uploads. */
export interface UploadOptions extends CallOptions {
  /** `Content-Type` of the upload (default `application/octet-stream`). */
  contentType?: string;
  /** A `fetch` for this upload only; see {@link ArtifactsApi.upload}. */
  fetch?: FetchLike;
}

/** A version number, as a number or as the wire's decimal string. */
export type Version = number | string;

/** One page of a search, with the item list always present. */
export type Page<K extends string, T> = { [P in K]: T[] } & { next_page_token?: string };

type Req<C> = RequestOf<C>;
/** The optional fields of a contract's request, minus the ones a method takes positionally. */
type Rest<C, K extends PropertyKey, Extra = object> = Omit<Req<C>, K | keyof Extra> & Extra;
type Paging<C> = Rest<C, 'page_token'>;

function keyValues(values: KeyValues | undefined): WireKeyValue[] | undefined {
  if (values === undefined) return undefined;
  if (Array.isArray(values)) return values;
  return Object.entries(values).map(([key, value]) => ({ key, value }));
}

/** A version for a request: strings go out unchanged, since the wire reads int64 from decimal strings too. */
function versionParam(v: Version): number {
  return v as number;
}

async function* paginate<R extends { next_page_token?: string }, T>(
  fetchPage: (pageToken: string | undefined) => Promise<R>,
  items: (page: R) => T[] | undefined,
): AsyncGenerator<T, void, undefined> {
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    yield* items(page) ?? [];
    token = page.next_page_token || undefined;
  } while (token);
}

/** Experiments: `client.experiments`. */
export class ExperimentsApi {
  constructor(private readonly t: Transport) {}

  /** Creates an experiment; returns its id. @throws RESOURCE_ALREADY_EXISTS for a taken name. */
  async create(name: string, options: Rest<typeof tracking.createExperiment, 'name', { tags?: KeyValues }> = {}): Promise<string> {
    return (await this.t.call(tracking.createExperiment, { ...options, name, tags: keyValues(options.tags) })).experiment_id;
  }

  /** One experiment by id. @throws RESOURCE_DOES_NOT_EXIST */
  async get(experimentId: string): Promise<WireExperiment> {
    return (await this.t.call(tracking.getExperiment, { experiment_id: experimentId })).experiment;
  }

  /** One experiment by name. @throws RESOURCE_DOES_NOT_EXIST */
  async getByName(name: string): Promise<WireExperiment> {
    return (await this.t.call(tracking.getExperimentByName, { experiment_name: name })).experiment;
  }

  /** One page of experiments matching `filter`, ordered by `order_by`. */
  async search(options: Req<typeof tracking.searchExperiments> = {}): Promise<Page<'experiments', WireExperiment>> {
    const page = await this.t.call(tracking.searchExperiments, options);
    return { ...page, experiments: page.experiments ?? [] };
  }

  /** Every matching experiment, fetching pages as it goes. */
  searchAll(options: Paging<typeof tracking.searchExperiments> = {}): AsyncGenerator<WireExperiment, void, undefined> {
    return paginate((page_token) => this.search({ ...options, page_token }), (p) => p.experiments);
  }

  /** Renames an experiment. */
  async rename(experimentId: string, newName: string): Promise<void> {
    await this.t.call(tracking.updateExperiment, { experiment_id: experimentId, new_name: newName });
  }

  /** Marks an experiment (and its runs) deleted. */
  async delete(experimentId: string): Promise<void> {
    await this.t.call(tracking.deleteExperiment, { experiment_id: experimentId });
  }

  /** Restores a deleted experiment. */
  async restore(experimentId: string): Promise<void> {
    await this.t.call(tracking.restoreExperiment, { experiment_id: experimentId });
  }

  /** Sets an experiment tag. */
  async setTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.t.call(tracking.setExperimentTag, { experiment_id: experimentId, key, value });
  }

  /** Deletes an experiment tag. */
  async deleteTag(experimentId: string, key: string): Promise<void> {
    await this.t.call(tracking.deleteExperimentTag, { experiment_id: experimentId, key });
  }
}

type MetricInput = Omit<NonNullable<Req<typeof tracking.logBatch>['metrics']>[number], 'timestamp'> & { timestamp?: number };

/** Runs, their data and their artifacts: `client.runs`. */
export class RunsApi {
  private readonly roots = new Map<string, string>();

  constructor(private readonly t: Transport) {}

  /** Starts a run in an experiment (the default experiment `0` when omitted). */
  async create(experimentId?: string, options: Rest<typeof tracking.createRun, 'experiment_id', { tags?: KeyValues }> = {}): Promise<WireRun> {
    return (await this.t.call(tracking.createRun, { ...options, experiment_id: experimentId, tags: keyValues(options.tags) })).run;
  }

  /** One run with its metrics (latest values), params, tags, inputs and outputs. @throws RESOURCE_DOES_NOT_EXIST */
  async get(runId: string): Promise<WireRun> {
    return (await this.t.call(tracking.getRun, { run_id: runId })).run;
  }

  /** Updates a run's status, end time or name; returns the new run info. */
  async update(runId: string, changes: Rest<typeof tracking.updateRun, 'run_id' | 'run_uuid'>): Promise<WireRunInfo> {
    return (await this.t.call(tracking.updateRun, { ...changes, run_id: runId })).run_info;
  }

  /** Marks a run deleted. */
  async delete(runId: string): Promise<void> {
    await this.t.call(tracking.deleteRun, { run_id: runId });
  }

  /** Restores a deleted run. */
  async restore(runId: string): Promise<void> {
    await this.t.call(tracking.restoreRun, { run_id: runId });
  }

  /** Logs one metric point; `timestamp` defaults to now and `step` to 0. */
  async logMetric(runId: string, key: string, value: number, options: Rest<typeof tracking.logMetric, 'run_id' | 'run_uuid' | 'key' | 'value' | 'timestamp', { timestamp?: number }> = {}): Promise<void> {
    await this.t.call(tracking.logMetric, { ...options, run_id: runId, key, value, timestamp: options.timestamp ?? Date.now() });
  }

  /** Logs a param (immutable once logged). */
  async logParam(runId: string, key: string, value: string): Promise<void> {
    await this.t.call(tracking.logParam, { run_id: runId, key, value });
  }

  /** Sets a run tag. */
  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.t.call(tracking.setTag, { run_id: runId, key, value });
  }

  /** Deletes a run tag. */
  async deleteTag(runId: string, key: string): Promise<void> {
    await this.t.call(tracking.deleteTag, { run_id: runId, key });
  }

  /** Logs metrics, params and tags in one request; metric timestamps default to now. */
  async logBatch(runId: string, batch: { metrics?: MetricInput[]; params?: KeyValues; tags?: KeyValues }): Promise<void> {
    const now = Date.now();
    await this.t.call(tracking.logBatch, {
      run_id: runId,
      metrics: batch.metrics?.map((m) => ({ ...m, timestamp: m.timestamp ?? now })),
      params: keyValues(batch.params) as { key: string; value: string }[] | undefined,
      tags: keyValues(batch.tags) as { key: string; value: string }[] | undefined,
    });
  }

  /** Logs dataset inputs and model inputs. */
  async logInputs(runId: string, inputs: Rest<typeof tracking.logInputs, 'run_id'>): Promise<void> {
    await this.t.call(tracking.logInputs, { ...inputs, run_id: runId });
  }

  /** Logs logged-model outputs. */
  async logOutputs(runId: string, models: Req<typeof tracking.logOutputs>['models']): Promise<void> {
    await this.t.call(tracking.logOutputs, { run_id: runId, models });
  }

  /** One page of runs in the given experiments. */
  async search(experimentIds: string | string[], options: Rest<typeof tracking.searchRuns, 'experiment_ids'> = {}): Promise<Page<'runs', WireRun>> {
    const page = await this.t.call(tracking.searchRuns, { ...options, experiment_ids: typeof experimentIds === 'string' ? [experimentIds] : experimentIds });
    return { ...page, runs: page.runs ?? [] };
  }

  /** Every matching run, fetching pages as it goes. */
  searchAll(experimentIds: string | string[], options: Rest<typeof tracking.searchRuns, 'experiment_ids' | 'page_token'> = {}): AsyncGenerator<WireRun, void, undefined> {
    return paginate((page_token) => this.search(experimentIds, { ...options, page_token }), (p) => p.runs);
  }

  /** One page of a metric's full history. */
  async getMetricHistory(runId: string, key: string, options: { max_results?: number; page_token?: string } = {}): Promise<Page<'metrics', WireMetric>> {
    const page = await this.t.call(tracking.getMetricHistory, { ...options, run_id: runId, metric_key: key });
    return { ...page, metrics: page.metrics ?? [] };
  }

  /** Every point of a metric's history, fetching pages of `pageSize` as it goes. */
  metricHistory(runId: string, key: string, pageSize?: number): AsyncGenerator<WireMetric, void, undefined> {
    return paginate((page_token) => this.getMetricHistory(runId, key, { max_results: pageSize, page_token }), (p) => p.metrics);
  }

  /** Immediate children of `path` (relative to the run's artifact root); paths are relative to that root. */
  async listArtifacts(runId: string, path?: string, pageToken?: string): Promise<Page<'files', WireFileInfo> & { root_uri: string }> {
    const page = await this.t.call(tracking.listArtifacts, { run_id: runId, path, page_token: pageToken });
    return { ...page, files: page.files ?? [] };
  }

  /**
   * The artifact-proxy path of `path` under the run's artifact root (looked up once per run).
   * @throws INVALID_PARAMETER_VALUE when the run's artifacts are not proxied by the server.
   */
  async artifactPath(runId: string, path?: string): Promise<string> {
    let root = this.roots.get(runId);
    if (root === undefined) {
      root = resolveUnder((await this.get(runId)).info.artifact_uri, '', `Run '${runId}'`);
      this.roots.set(runId, root);
    }
    const relative = trimSlashes(path ?? '');
    return relative ? (root ? `${root}/${relative}` : relative) : root;
  }
}

/** MLflow 3 logged models: `client.loggedModels`. */
export class LoggedModelsApi {
  constructor(private readonly t: Transport) {}

  /** Creates a logged model (status PENDING until {@link finalize}d). */
  async create(experimentId: string, options: Rest<typeof loggedModelRoutes.create, 'experiment_id', { params?: KeyValues; tags?: KeyValues }> = {}): Promise<WireLoggedModel> {
    return (await this.t.call(loggedModelRoutes.create, { ...options, experiment_id: experimentId, params: keyValues(options.params), tags: keyValues(options.tags) })).model;
  }

  /** One logged model. @throws RESOURCE_DOES_NOT_EXIST */
  async get(modelId: string, options: { allow_deleted?: boolean } = {}): Promise<WireLoggedModel> {
    return (await this.t.call(loggedModelRoutes.get, { ...options, model_id: modelId })).model;
  }

  /** Sets the final status of a logged model. */
  async finalize(modelId: string, status: Req<typeof loggedModelRoutes.finalize>['status'] = 'LOGGED_MODEL_READY'): Promise<WireLoggedModel> {
    return (await this.t.call(loggedModelRoutes.finalize, { model_id: modelId, status })).model;
  }

  /** Sets (adds or overwrites) tags. */
  async setTags(modelId: string, tags: KeyValues): Promise<void> {
    await this.t.call(loggedModelRoutes.setTags, { model_id: modelId, tags: keyValues(tags) ?? [] });
  }

  /** Deletes one tag. */
  async deleteTag(modelId: string, key: string): Promise<void> {
    await this.t.call(loggedModelRoutes.deleteTag, { model_id: modelId, tag_key: key });
  }

  /** Logs params. */
  async logParams(modelId: string, params: KeyValues): Promise<void> {
    await this.t.call(loggedModelRoutes.logParams, { model_id: modelId, params: keyValues(params) ?? [] });
  }

  /** Marks a logged model deleted. */
  async delete(modelId: string): Promise<void> {
    await this.t.call(loggedModelRoutes.delete, { model_id: modelId });
  }

  /** One page of logged models in the given experiments. */
  async search(experimentIds: string | string[], options: Rest<typeof loggedModelRoutes.search, 'experiment_ids'> = {}): Promise<Page<'models', WireLoggedModel>> {
    const page = await this.t.call(loggedModelRoutes.search, { ...options, experiment_ids: typeof experimentIds === 'string' ? [experimentIds] : experimentIds });
    return { ...page, models: page.models ?? [] };
  }

  /** Every matching logged model, fetching pages as it goes. */
  searchAll(experimentIds: string | string[], options: Rest<typeof loggedModelRoutes.search, 'experiment_ids' | 'page_token'> = {}): AsyncGenerator<WireLoggedModel, void, undefined> {
    return paginate((page_token) => this.search(experimentIds, { ...options, page_token }), (p) => p.models);
  }

  /** Immediate children of a directory under the model's artifact root. */
  async listArtifacts(modelId: string, path?: string, pageToken?: string): Promise<Page<'files', WireFileInfo> & { root_uri: string }> {
    const page = await this.t.call(loggedModelRoutes.listArtifacts, { model_id: modelId, artifact_directory_path: path, page_token: pageToken });
    return { ...page, files: page.files ?? [] };
  }
}

/** Registered models and their aliases: `client.registeredModels`. */
export class RegisteredModelsApi {
  constructor(private readonly t: Transport, private readonly native: Transport = new Transport({ ...t.options, apiPrefix: '/api/v1' })) {}

  /**
   * A model's change history, newest first: versions created and deleted, aliases moved and
   * stages changed, with who and when (Capstan's native API). Page back with `before`.
   */
  async history(name: string, query: { version?: number; kind?: WireRegistryChange['kind']; before?: number; maxResults?: number } = {}, options?: CallOptions): Promise<WireRegistryChange[]> {
    return (await this.native.call(registryHistory.history, { name, ...query } as never, options)).changes;
  }

  /** Creates a registered model. @throws RESOURCE_ALREADY_EXISTS */
  async create(name: string, options: { description?: string; tags?: KeyValues } = {}): Promise<WireRegisteredModel> {
    return (await this.t.call(registry.createRegisteredModel, { name, description: options.description, tags: keyValues(options.tags) })).registered_model;
  }

  /** One registered model with its latest version per stage and its aliases. @throws RESOURCE_DOES_NOT_EXIST */
  async get(name: string): Promise<WireRegisteredModel> {
    return (await this.t.call(registry.getRegisteredModel, { name })).registered_model;
  }

  /** Renames a registered model (its versions follow). */
  async rename(name: string, newName: string): Promise<WireRegisteredModel> {
    return (await this.t.call(registry.renameRegisteredModel, { name, new_name: newName })).registered_model;
  }

  /** Updates the description. */
  async update(name: string, changes: { description?: string }): Promise<WireRegisteredModel> {
    return (await this.t.call(registry.updateRegisteredModel, { ...changes, name })).registered_model;
  }

  /** Deletes a registered model and all its versions. */
  async delete(name: string): Promise<void> {
    await this.t.call(registry.deleteRegisteredModel, { name });
  }

  /** One page of registered models. */
  async search(options: Req<typeof registry.searchRegisteredModels> = {}): Promise<Page<'registered_models', WireRegisteredModel>> {
    const page = await this.t.call(registry.searchRegisteredModels, options);
    return { ...page, registered_models: page.registered_models ?? [] };
  }

  /** Every matching registered model, fetching pages as it goes. */
  searchAll(options: Paging<typeof registry.searchRegisteredModels> = {}): AsyncGenerator<WireRegisteredModel, void, undefined> {
    return paginate((page_token) => this.search({ ...options, page_token }), (p) => p.registered_models);
  }

  /** The latest version in each stage (or in the given stages). */
  async getLatestVersions(name: string, stages?: string[]): Promise<WireModelVersion[]> {
    return (await this.t.call(registry.getLatestVersions, { name, stages })).model_versions ?? [];
  }

  /** Sets a registered-model tag. */
  async setTag(name: string, key: string, value: string): Promise<void> {
    await this.t.call(registry.setRegisteredModelTag, { name, key, value });
  }

  /** Deletes a registered-model tag. */
  async deleteTag(name: string, key: string): Promise<void> {
    await this.t.call(registry.deleteRegisteredModelTag, { name, key });
  }

  /** Points `alias` at a version (moving it if it already exists). */
  async setAlias(name: string, alias: string, version: Version): Promise<void> {
    await this.t.call(registry.setAlias, { name, alias, version: String(version) });
  }

  /** The version an alias points at. @throws RESOURCE_DOES_NOT_EXIST */
  async getAlias(name: string, alias: string): Promise<WireModelVersion> {
    return (await this.t.call(registry.getModelVersionByAlias, { name, alias })).model_version;
  }

  /** Deletes an alias. */
  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.t.call(registry.deleteAlias, { name, alias });
  }
}

/** Model versions: `client.modelVersions`. */
export class ModelVersionsApi {
  constructor(private readonly t: Transport) {}

  /** Registers a new version of `name` from a source URI (`runs:/…`, `models:/…`, `mlflow-artifacts:/…`). */
  async create(name: string, source: string, options: Rest<typeof registry.createModelVersion, 'name' | 'source', { tags?: KeyValues }> = {}): Promise<WireModelVersion> {
    return (await this.t.call(registry.createModelVersion, { ...options, name, source, tags: keyValues(options.tags) })).model_version;
  }

  /** One version. @throws RESOURCE_DOES_NOT_EXIST */
  async get(name: string, v: Version): Promise<WireModelVersion> {
    return (await this.t.call(registry.getModelVersion, { name, version: versionParam(v) })).model_version;
  }

  /** Updates the description. */
  async update(name: string, v: Version, changes: { description?: string }): Promise<WireModelVersion> {
    return (await this.t.call(registry.updateModelVersion, { ...changes, name, version: versionParam(v) })).model_version;
  }

  /** Deletes a version. */
  async delete(name: string, v: Version): Promise<void> {
    await this.t.call(registry.deleteModelVersion, { name, version: versionParam(v) });
  }

  /** One page of versions; filter e.g. `name='my-model'`. */
  async search(options: Req<typeof registry.searchModelVersions> = {}): Promise<Page<'model_versions', WireModelVersion>> {
    const page = await this.t.call(registry.searchModelVersions, options);
    return { ...page, model_versions: page.model_versions ?? [] };
  }

  /** Every matching version, fetching pages as it goes. */
  searchAll(options: Paging<typeof registry.searchModelVersions> = {}): AsyncGenerator<WireModelVersion, void, undefined> {
    return paginate((page_token) => this.search({ ...options, page_token }), (p) => p.model_versions);
  }

  /** Moves a version to a stage (`None`, `Staging`, `Production`, `Archived`). */
  async transitionStage(name: string, v: Version, stage: string, options: { archive_existing_versions?: boolean } = {}): Promise<WireModelVersion> {
    return (await this.t.call(registry.transitionModelVersionStage, { ...options, name, version: versionParam(v), stage })).model_version;
  }

  /** Where the version's files live. */
  async getDownloadUri(name: string, v: Version): Promise<string> {
    return (await this.t.call(registry.getModelVersionDownloadUri, { name, version: versionParam(v) })).artifact_uri;
  }

  /** Sets a version tag. */
  async setTag(name: string, v: Version, key: string, value: string): Promise<void> {
    await this.t.call(registry.setModelVersionTag, { name, version: versionParam(v), key, value });
  }

  /** Deletes a version tag. */
  async deleteTag(name: string, v: Version, key: string): Promise<void> {
    await this.t.call(registry.deleteModelVersionTag, { name, version: versionParam(v), key });
  }
}

/**
 * The artifact proxy: `client.artifacts`. Paths are relative to the server's artifact store
 * root (a run's root is `<experiment_id>/<run_id>/artifacts`; see {@link RunsApi.artifactPath}).
 */
export class ArtifactsApi {
  constructor(private readonly t: Transport) {}

  /**
   * Uploads bytes to `path`, replacing any file there. A `ReadableStream` is sent as it is read
   * (chunked), where the runtime's `fetch` supports streaming uploads. Node 20's built-in fetch
   * keeps every chunk of a streamed request body in memory until the request ends (undici#4058);
   * for large files in Node use `@capstan/client/node` (`uploadFile`, `uploadRunArtifacts`) or pass
   * its `nodeFetch` as `options.fetch`.
   */
  async upload(path: string, body: ArtifactBody, options: UploadOptions = {}): Promise<void> {
    const response = await this.t.request('PUT', `/mlflow-artifacts/artifacts/${artifactUrlPath(path)}`, {
      body: body as BodyInit,
      headers: { 'content-type': options.contentType ?? 'application/octet-stream' },
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    await response.body?.cancel().catch(() => undefined);
  }

  /**
   * Opens a file for download. The returned response is unread: stream `response.body`, or call
   * `arrayBuffer()`; `content-length` carries the size. @throws RESOURCE_DOES_NOT_EXIST
   */
  download(path: string, options: CallOptions = {}): Promise<Response> {
    return this.t.request('GET', `/mlflow-artifacts/artifacts/${artifactUrlPath(path)}`, options);
  }

  /** Immediate children of a directory (paths are basenames); empty for a missing directory. */
  async list(path?: string, options: CallOptions = {}): Promise<WireFileInfo[]> {
    return (await this.t.call(artifactRoutes.list, { path: path === undefined ? undefined : trimSlashes(path) }, options)).files ?? [];
  }

  /** Deletes a file or a directory tree. */
  async delete(path: string, options: CallOptions = {}): Promise<void> {
    const response = await this.t.request('DELETE', `/mlflow-artifacts/artifacts/${artifactUrlPath(path)}`, options);
    await response.body?.cancel().catch(() => undefined);
  }
}

/**
 * The typed Capstan client, for Node and browsers (it only needs `fetch`). Methods are grouped by
 * area and return MLflow's snake_case wire types; failures are {@link CapstanError}s rebuilt
 * from the server's `{error_code, message}`.
 * @example
 * const client = new CapstanClient({ baseUrl: 'http://127.0.0.1:5000' });
 * const id = await client.experiments.create('churn');
 * const run = await client.runs.create(id, { run_name: 'baseline' });
 * await client.runs.logMetric(run.info.run_id, 'auc', 0.91);
 */
export class CapstanClient {
  /** The HTTP layer; {@link CapstanClient.call} is its `call`. */
  readonly transport: Transport;
  /** Experiments. */
  readonly experiments: ExperimentsApi;
  /** Runs: data, search, metric history and run-scoped artifacts. */
  readonly runs: RunsApi;
  /** MLflow 3 logged models. */
  readonly loggedModels: LoggedModelsApi;
  /** Registered models and aliases. */
  readonly registeredModels: RegisteredModelsApi;
  /** Model versions. */
  readonly modelVersions: ModelVersionsApi;
  /** The artifact proxy. */
  readonly artifacts: ArtifactsApi;

  constructor(options: CapstanClientOptions) {
    this.transport = new Transport(options);
    this.experiments = new ExperimentsApi(this.transport);
    this.runs = new RunsApi(this.transport);
    this.loggedModels = new LoggedModelsApi(this.transport);
    this.registeredModels = new RegisteredModelsApi(this.transport, new Transport({ ...options, apiPrefix: '/api/v1' }));
    this.modelVersions = new ModelVersionsApi(this.transport);
    this.artifacts = new ArtifactsApi(this.transport);
  }

  /** Calls any contract route directly (see {@link Transport.call}). */
  call<C extends RouteContract>(contract: C, input: RequestOf<C>, options?: CallOptions): Promise<ResponseOf<C>> {
    return this.transport.call(contract, input, options);
  }

  /** Uploads bytes to `path` under a run's artifact root. */
  async uploadRunArtifact(runId: string, path: string, body: ArtifactBody, options?: UploadOptions): Promise<void> {
    await this.artifacts.upload(await this.runs.artifactPath(runId, path), body, options);
  }

  /** Opens a file under a run's artifact root for download. */
  async downloadRunArtifact(runId: string, path: string, options?: CallOptions): Promise<Response> {
    return this.artifacts.download(await this.runs.artifactPath(runId, path), options);
  }

  /** Deletes a file or directory under a run's artifact root. */
  async deleteRunArtifact(runId: string, path: string, options?: CallOptions): Promise<void> {
    await this.artifacts.delete(await this.runs.artifactPath(runId, path), options);
  }
}

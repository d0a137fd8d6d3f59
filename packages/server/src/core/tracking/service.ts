import { randomUUID } from 'node:crypto';
import { doesNotExist, invalidParameter, isCapstanError } from '@capstan/api';
import type {
  DatasetInput, Experiment, KeyValue, LoggedModel, LoggedModelStatus, Metric, Run, RunInfo, RunStatus,
} from '../model.js';
import type { MetadataStore, ViewType } from '../../ports/metadata-store.js';
import type { OrderBy } from '../search/ast.js';
import {
  decodePageToken, parseExperimentFilter, parseExperimentOrderBy, parseLoggedModelFilter,
  parseRunFilter, parseRunOrderBy,
} from '../search/filter.js';
import { tokenPage, type TokenPage } from '../search/page-token.js';
import { joinUri } from '../artifacts/uris.js';
import { generateRunName } from './names.js';
import {
  LIMITS, maxResults, validateBatchLimits, validateKey, validateLength, validateMetric, validateParam, validateRunId, validateRunTag,
} from './validation.js';

/** Options of the tracking service. */
export interface TrackingOptions {
  /** Root under which experiments get their artifact location, e.g. `mlflow-artifacts:/`. */
  defaultArtifactRoot: string;
  /** Clock in epoch milliseconds (tests pin it). */
  now?: () => number;
}

const DEFAULT_EXPERIMENT_ID = '0';

/**
 * Experiments, runs and logged models: the rules MLflow's tracking server applies (validation,
 * limits, defaults, id and URI generation) on top of a {@link MetadataStore}.
 */
export class TrackingService {
  private readonly now: () => number;

  constructor(private readonly store: MetadataStore, private readonly options: TrackingOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Creates the Default experiment "0" when missing. */
  async init(): Promise<void> {
    if (await this.store.getExperiment(DEFAULT_EXPERIMENT_ID)) return;
    try {
      await this.store.createExperiment({
        experimentId: DEFAULT_EXPERIMENT_ID,
        name: 'Default',
        artifactLocation: (id) => joinUri(this.options.defaultArtifactRoot, id),
        tags: [],
        time: this.now(),
      });
    } catch (error) {
      if (!(isCapstanError(error) && error.code === 'RESOURCE_ALREADY_EXISTS')) throw error;
    }
  }

  // ---- experiments ---------------------------------------------------------------------------

  /** @throws RESOURCE_ALREADY_EXISTS, INVALID_PARAMETER_VALUE */
  async createExperiment(input: { name: string; artifactLocation?: string; tags?: KeyValue[] }): Promise<string> {
    validateLength('Experiment name', input.name, LIMITS.experimentNameLength);
    const tags = input.tags ?? [];
    for (const t of tags) {
      validateKey('tag', t.key);
      validateLength('Tag value', t.value, LIMITS.experimentTagValueLength);
    }
    const location = input.artifactLocation?.trim();
    return this.store.createExperiment({
      name: input.name,
      artifactLocation: location ? location : (id) => joinUri(this.options.defaultArtifactRoot, id),
      tags,
      time: this.now(),
    });
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async getExperiment(experimentId: string): Promise<Experiment> {
    const e = await this.store.getExperiment(experimentId);
    if (!e) throw doesNotExist(`No Experiment with id=${experimentId} exists`);
    return e;
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async getExperimentByName(name: string): Promise<Experiment> {
    const e = await this.store.getExperimentByName(name);
    if (!e) throw doesNotExist(`Could not find experiment with name '${name}'`);
    return e;
  }

  /** Searches experiments with MLflow's filter and order-by grammar. */
  async searchExperiments(input: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string; viewType?: ViewType }): Promise<TokenPage<Experiment>> {
    return tokenPage(await this.store.searchExperiments({
      filter: parseExperimentFilter(input.filter),
      orderBy: parseExperimentOrderBy(input.orderBy),
      maxResults: maxResults(input.maxResults, LIMITS.searchExperimentsDefault, LIMITS.searchExperimentsMax),
      offset: decodePageToken(input.pageToken),
      viewType: input.viewType ?? 'ACTIVE_ONLY',
    }));
  }

  /** Renames an active experiment. */
  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    validateLength('Experiment name', newName, LIMITS.experimentNameLength);
    const e = await this.getExperiment(experimentId);
    if (e.lifecycleStage !== 'active') throw invalidParameter(`Cannot rename a non-active experiment ${experimentId}.`);
    await this.store.renameExperiment(experimentId, newName, this.now());
  }

  /** Soft-deletes an experiment and its runs. The Default experiment cannot be deleted. */
  async deleteExperiment(experimentId: string): Promise<void> {
    await this.getExperiment(experimentId);
    if (experimentId === DEFAULT_EXPERIMENT_ID) throw invalidParameter('Cannot delete the default experiment \'0\'. This is an internally reserved experiment.');
    await this.store.setExperimentLifecycle(experimentId, 'deleted', this.now());
  }

  /** Restores a deleted experiment and its runs. */
  async restoreExperiment(experimentId: string): Promise<void> {
    const e = await this.getExperiment(experimentId);
    if (e.lifecycleStage !== 'deleted') throw invalidParameter(`Cannot restore an experiment that is not deleted: experiment_id=${experimentId}`);
    await this.store.setExperimentLifecycle(experimentId, 'active', this.now());
  }

  /** Sets an experiment tag. */
  async setExperimentTag(experimentId: string, tag: KeyValue): Promise<void> {
    validateKey('tag', tag.key);
    validateLength('Tag value', tag.value, LIMITS.experimentTagValueLength);
    await this.requireActiveExperiment(experimentId);
    await this.store.setExperimentTag(experimentId, tag);
  }

  /** Deletes an experiment tag. */
  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await this.requireActiveExperiment(experimentId);
    await this.store.deleteExperimentTag(experimentId, key);
  }

  private async requireActiveExperiment(experimentId: string): Promise<Experiment> {
    const e = await this.getExperiment(experimentId);
    if (e.lifecycleStage !== 'active') throw invalidParameter(`The experiment ${experimentId} must be in the 'active' state. Current state is ${e.lifecycleStage}.`);
    return e;
  }

  // ---- runs ----------------------------------------------------------------------------------

  /** Creates a run in an active experiment ("0" by default). */
  async createRun(input: { experimentId?: string; userId?: string; runName?: string; startTime?: number; tags?: KeyValue[] }): Promise<Run> {
    const experiment = await this.requireActiveExperiment(input.experimentId || DEFAULT_EXPERIMENT_ID);
    const tags = [...(input.tags ?? [])];
    tags.forEach(validateRunTag);
    const tagName = tags.find((t) => t.key === 'mlflow.runName')?.value;
    if (input.runName && tagName && input.runName !== tagName) {
      throw invalidParameter(`Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${tagName}').`);
    }
    const runName = input.runName || tagName || generateRunName();
    if (!tagName) tags.push({ key: 'mlflow.runName', value: runName });
    const runId = randomUUID().replaceAll('-', '');
    const info: RunInfo = {
      runId,
      runName,
      experimentId: experiment.experimentId,
      userId: input.userId || tags.find((t) => t.key === 'mlflow.user')?.value || 'unknown',
      status: 'RUNNING',
      startTime: input.startTime ?? this.now(),
      endTime: null,
      artifactUri: joinUri(experiment.artifactLocation, runId, 'artifacts'),
      lifecycleStage: 'active',
    };
    await this.store.createRun(info, tags);
    return (await this.store.getRun(runId))!;
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async getRun(runId: string): Promise<Run> {
    const run = await this.store.getRun(runId);
    if (!run) throw doesNotExist(`Run '${runId}' not found`);
    return run;
  }

  private async requireActiveRun(runId: string): Promise<RunInfo> {
    const info = await this.store.getRunInfo(runId);
    if (!info) throw doesNotExist(`Run '${runId}' not found`);
    if (info.lifecycleStage !== 'active') {
      throw invalidParameter(`The run ${runId} must be in the 'active' state. Current state is ${info.lifecycleStage}.`);
    }
    return info;
  }

  /** Updates status, end time and/or name; absent fields are unchanged. */
  async updateRun(runId: string, patch: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo> {
    await this.requireActiveRun(runId);
    if (patch.runName !== undefined) validateLength('Run name', patch.runName, LIMITS.runTagValueLength);
    return this.store.updateRunInfo(runId, patch);
  }

  /** Soft-deletes a run. */
  async deleteRun(runId: string): Promise<void> {
    await this.getRun(runId);
    await this.store.setRunLifecycle(runId, 'deleted', this.now());
  }

  /** Restores a soft-deleted run. */
  async restoreRun(runId: string): Promise<void> {
    await this.getRun(runId);
    await this.store.setRunLifecycle(runId, 'active', this.now());
  }

  /** Logs metrics, params and tags atomically, with MLflow's limits. */
  async logBatch(runId: string, batch: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] }): Promise<void> {
    const full = { metrics: batch.metrics ?? [], params: batch.params ?? [], tags: batch.tags ?? [] };
    validateBatchLimits(full);
    full.metrics.forEach(validateMetric);
    full.params.forEach(validateParam);
    full.tags.forEach(validateRunTag);
    await this.requireActiveRun(runId);
    const unique = new Map(full.params.map((p) => [p.key, p]));
    await this.store.logBatch(runId, { ...full, params: [...unique.values()] });
  }

  /** Deletes a run tag. */
  async deleteTag(runId: string, key: string): Promise<void> {
    await this.requireActiveRun(runId);
    await this.store.deleteRunTag(runId, key);
  }

  /** Records dataset and model inputs of a run. */
  async logInputs(runId: string, datasets: DatasetInput[], modelIds: string[]): Promise<void> {
    for (const input of datasets) {
      const d = input.dataset;
      validateLength('Dataset name', d.name, LIMITS.datasetNameLength);
      validateLength('Dataset digest', d.digest, LIMITS.datasetDigestLength);
      validateLength('Dataset source', d.source, LIMITS.datasetSourceLength);
      if (d.schema !== undefined) validateLength('Dataset schema', d.schema, LIMITS.datasetSchemaLength);
      if (d.profile !== undefined) validateLength('Dataset profile', d.profile, LIMITS.datasetProfileLength);
      for (const t of input.tags) {
        validateLength('Input tag key', t.key, LIMITS.inputTagKeyLength);
        validateLength('Input tag value', t.value, LIMITS.inputTagValueLength);
      }
    }
    await this.requireActiveRun(runId);
    await this.store.logInputs(runId, datasets, modelIds);
  }

  /** Records logged models produced by a run. */
  async logOutputs(runId: string, models: { modelId: string; step: number }[]): Promise<void> {
    await this.requireActiveRun(runId);
    for (const m of models) await this.getLoggedModel(m.modelId, false);
    await this.store.logOutputs(runId, models);
  }

  /** Appends a legacy MLmodel description to the run's `mlflow.log-model.history` tag. */
  async logModelJson(runId: string, modelJson: string): Promise<void> {
    let model: Record<string, unknown>;
    try {
      model = JSON.parse(modelJson) as Record<string, unknown>;
    } catch {
      throw invalidParameter("Malformed model info. 'model_json' must be a JSON object.");
    }
    for (const field of ['artifact_path', 'flavors', 'utc_time_created', 'run_id']) {
      if (!(field in model)) throw invalidParameter(`Model json is missing mandatory fields: ['${field}']`);
    }
    const run = await this.getRun(runId);
    const history = run.data.tags.find((t) => t.key === 'mlflow.log-model.history')?.value;
    let list: unknown[] = [];
    try {
      list = history ? (JSON.parse(history) as unknown[]) : [];
    } catch {
      list = [];
    }
    list.push(model);
    await this.store.logBatch(runId, { metrics: [], params: [], tags: [{ key: 'mlflow.log-model.history', value: JSON.stringify(list) }] });
  }

  /** Searches runs with MLflow's grammar; default order `start_time DESC, run_id ASC`. */
  async searchRuns(input: { experimentIds: string[]; filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string; viewType?: ViewType }): Promise<TokenPage<Run>> {
    return tokenPage(await this.store.searchRuns({
      experimentIds: input.experimentIds,
      filter: parseRunFilter(input.filter),
      orderBy: parseRunOrderBy(input.orderBy),
      maxResults: maxResults(input.maxResults, LIMITS.searchRunsDefault, LIMITS.searchRunsMax),
      offset: decodePageToken(input.pageToken),
      viewType: input.viewType ?? 'ACTIVE_ONLY',
    }));
  }

  /** All points of one metric (paged when `maxResults` is given). */
  async getMetricHistory(runId: string, key: string, paging: { maxResults?: number; pageToken?: string }): Promise<TokenPage<Metric>> {
    await this.getRun(runId);
    const limit = paging.maxResults === undefined ? Number.MAX_SAFE_INTEGER - 1 : maxResults(paging.maxResults, 1, Number.MAX_SAFE_INTEGER - 1);
    return tokenPage(await this.store.getMetricHistory(runId, key, { offset: decodePageToken(paging.pageToken), limit }));
  }

  /** Points of one metric across up to 100 runs, each with its `runId`. */
  async getMetricHistoryBulk(runIds: string[], key: string, limit?: number): Promise<Metric[]> {
    this.checkBulkRuns(runIds);
    const max = maxResults(limit, LIMITS.historyBulkResults, LIMITS.historyBulkResults);
    const out: Metric[] = [];
    for (const runId of [...runIds].sort()) {
      if (out.length >= max) break;
      const page = await this.store.getMetricHistory(runId, key, { offset: 0, limit: max - out.length });
      for (const m of page.items) out.push({ ...m, runId });
    }
    return out;
  }

  /**
   * Up to `maxResults` points per run, at steps sampled evenly over the (optional) step range;
   * the first and last steps are always kept.
   */
  async getMetricHistoryBulkInterval(input: { runIds: string[]; key: string; startStep?: number; endStep?: number; maxResults?: number }): Promise<Metric[]> {
    this.checkBulkRuns(input.runIds);
    if ((input.startStep === undefined) !== (input.endStep === undefined)) {
      throw invalidParameter('If either start step or end step are specified, both must be specified.');
    }
    if (input.startStep !== undefined && input.endStep !== undefined && input.startStep > input.endStep) {
      throw invalidParameter(`end_step must be greater than start_step. Found start_step=${input.startStep} and end_step=${input.endStep}.`);
    }
    const max = maxResults(input.maxResults, LIMITS.historyIntervalMax, LIMITS.historyIntervalMax);
    const range = { startStep: input.startStep, endStep: input.endStep };
    const out: Metric[] = [];
    for (const runId of input.runIds) {
      const chosen = await this.store.getMetricSteps(runId, input.key, { ...range, maxSteps: max });
      for (const m of await this.store.getMetricAtSteps(runId, input.key, chosen)) out.push({ ...m, runId });
    }
    return out;
  }

  private checkBulkRuns(runIds: string[]): void {
    if (runIds.length === 0) throw invalidParameter('GetMetricHistoryBulk request must specify at least one run_id.');
    if (runIds.length > LIMITS.historyBulkRuns) {
      throw invalidParameter(`GetMetricHistoryBulk request cannot specify more than ${LIMITS.historyBulkRuns} run_ids. Received ${runIds.length} run_ids.`);
    }
    runIds.forEach(validateRunId);
  }

  /** Dataset summaries for the UI. */
  async searchDatasets(experimentIds: string[]) {
    if (experimentIds.length === 0 || experimentIds.length > 20) throw invalidParameter('SearchDatasets request must specify between 1 and 20 experiment_ids.');
    return this.store.searchDatasets(experimentIds);
  }

  // ---- logged models -------------------------------------------------------------------------

  /** Creates a PENDING logged model under `<experiment location>/models/<id>/artifacts`. */
  async createLoggedModel(input: { experimentId: string; name?: string; modelType?: string; sourceRunId?: string; params?: KeyValue[]; tags?: KeyValue[] }): Promise<LoggedModel> {
    const experiment = await this.requireActiveExperiment(input.experimentId);
    const params = input.params ?? [];
    params.forEach(validateParam);
    (input.tags ?? []).forEach(validateRunTag);
    if (input.sourceRunId) await this.getRun(input.sourceRunId);
    const modelId = `m-${randomUUID().replaceAll('-', '')}`;
    const now = this.now();
    await this.store.createLoggedModel({
      modelId,
      experimentId: experiment.experimentId,
      name: input.name || generateRunName(),
      artifactLocation: joinUri(experiment.artifactLocation, 'models', modelId, 'artifacts'),
      creationTimestampMs: now,
      lastUpdatedTimestampMs: now,
      status: 'LOGGED_MODEL_PENDING',
      statusMessage: null,
      creatorId: null,
      modelType: input.modelType || null,
      sourceRunId: input.sourceRunId || null,
      tags: input.tags ?? [],
      params,
    });
    return this.getLoggedModel(modelId, false);
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async getLoggedModel(modelId: string, allowDeleted: boolean): Promise<LoggedModel> {
    const m = await this.store.getLoggedModel(modelId, allowDeleted);
    if (!m) throw doesNotExist(`Logged model with ID '${modelId}' not found.`);
    return m;
  }

  /** Marks a logged model READY or UPLOAD_FAILED. */
  async finalizeLoggedModel(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    if (status === 'LOGGED_MODEL_PENDING') throw invalidParameter(`Invalid status for finalizing a logged model: ${status}. Use LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED.`);
    await this.store.updateLoggedModel(modelId, { status, time: this.now() });
    return this.getLoggedModel(modelId, false);
  }

  /** Upserts logged model tags. */
  async setLoggedModelTags(modelId: string, tags: KeyValue[]): Promise<void> {
    tags.forEach(validateRunTag);
    await this.store.setLoggedModelTags(modelId, tags, this.now());
  }

  /** Deletes a logged model tag. */
  deleteLoggedModelTag(modelId: string, key: string): Promise<void> {
    return this.store.deleteLoggedModelTag(modelId, key);
  }

  /** Adds params to a logged model. */
  async logLoggedModelParams(modelId: string, params: KeyValue[]): Promise<void> {
    params.forEach(validateParam);
    await this.store.logLoggedModelParams(modelId, params);
  }

  /** Soft-deletes a logged model. */
  deleteLoggedModel(modelId: string): Promise<void> {
    return this.store.deleteLoggedModel(modelId, this.now());
  }

  /** Searches logged models; `orderBy` items name a field (`metrics.acc`, `creation_timestamp`). */
  async searchLoggedModels(input: {
    experimentIds: string[];
    filter?: string;
    datasets?: { name: string; digest?: string }[];
    orderBy?: { fieldName: string; ascending?: boolean }[];
    maxResults?: number;
    pageToken?: string;
  }): Promise<TokenPage<LoggedModel>> {
    if (input.experimentIds.length === 0) throw invalidParameter('experiment_ids must contain at least one experiment ID.');
    return tokenPage(await this.store.searchLoggedModels({
      experimentIds: input.experimentIds,
      datasets: input.datasets ?? [],
      filter: parseLoggedModelFilter(input.filter),
      orderBy: (input.orderBy ?? []).map(loggedModelOrder),
      maxResults: maxResults(input.maxResults, LIMITS.searchLoggedModelsDefault, LIMITS.searchLoggedModelsMax),
      offset: decodePageToken(input.pageToken),
    }));
  }
}

const LOGGED_MODEL_ORDER_ATTRIBUTES: Record<string, string> = {
  name: 'name', model_id: 'model_id', model_type: 'model_type', status: 'status', source_run_id: 'source_run_id',
  creation_timestamp: 'creation_timestamp', creation_time: 'creation_timestamp',
  last_updated_timestamp: 'last_updated_timestamp', last_updated_time: 'last_updated_timestamp',
};

function loggedModelOrder(o: { fieldName: string; ascending?: boolean }): OrderBy {
  const ascending = o.ascending ?? true;
  const m = /^(metrics?|params?|tags?)\.(.+)$/.exec(o.fieldName);
  if (m) {
    const type = m[1]!.startsWith('metric') ? 'metric' : m[1]!.startsWith('param') ? 'param' : 'tag';
    return { type, key: m[2]!.replace(/^[`"](.*)[`"]$/, '$1'), ascending };
  }
  const key = LOGGED_MODEL_ORDER_ATTRIBUTES[o.fieldName.replace(/^attributes?\./, '')];
  if (!key) throw invalidParameter(`Invalid order_by field name '${o.fieldName}'. Use metrics.<key>, params.<key>, tags.<key> or one of ${Object.keys(LOGGED_MODEL_ORDER_ATTRIBUTES).join(', ')}.`);
  return { type: 'attribute', key, ascending };
}



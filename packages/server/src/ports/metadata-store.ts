import type { Comparison, OrderBy } from '../core/search/ast.js';
import type {
  DatasetInput, Experiment, KeyValue, LifecycleStage, LoggedModel, LoggedModelStatus, Metric,
  ModelVersion, Page, RegisteredModel, Run, RunInfo, RunStatus, Stage, RegistryChange, RegistryChangeKind,
} from '../core/model.js';

/** Which lifecycle stages a search returns (MLflow's ViewType). */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/** Common paging and filtering for searches. Filters and order are already parsed and validated. */
export interface SearchQuery {
  filter: Comparison[];
  orderBy: OrderBy[];
  maxResults: number;
  offset: number;
}

/** What a metadata store declares about itself; shared code asks this instead of sniffing types. */
export interface MetadataStoreCapabilities {
  /** Name reported by `/api/3.0/mlflow/server-info` (`SqlStore`). */
  storeType: string;
  /** Human-readable backend, e.g. `sqlite` or `postgresql`. */
  backend: string;
}

/** A batch of run data written atomically: all of it is stored, or none. */
export interface RunBatch {
  metrics: Metric[];
  params: KeyValue[];
  tags: KeyValue[];
}

/** A model version to create; the store assigns the number. */
export interface NewModelVersion {
  name: string;
  source: string;
  storageLocation: string;
  runId: string | null;
  runLink: string | null;
  description: string | null;
  userId: string | null;
  modelId: string | null;
  tags: KeyValue[];
  time: number;
}

/**
 * The port behind which tracking and registry metadata live. Implementations: SQLite and
 * PostgreSQL (`adapters/sql`). Every implementation passes `test/contract/metadata-store.ts`.
 *
 * Conventions: getters return `null` for unknown ids; mutators of unknown ids throw
 * `RESOURCE_DOES_NOT_EXIST`; uniqueness violations throw `RESOURCE_ALREADY_EXISTS`; a write
 * either completes or leaves nothing behind. Times are epoch milliseconds.
 */
export interface MetadataStore {
  readonly capabilities: MetadataStoreCapabilities;
  /** Releases connections. */
  close(): Promise<void>;

  // ---- experiments -------------------------------------------------------------------------
  /**
   * Creates an experiment; `artifactLocation` receives the new id when no location was given.
   * @throws RESOURCE_ALREADY_EXISTS when the name is taken (also by a deleted experiment).
   */
  createExperiment(input: {
    /** Explicit id, used once for the Default experiment "0"; otherwise the store assigns one. */
    experimentId?: string;
    name: string;
    artifactLocation: string | ((experimentId: string) => string);
    tags: KeyValue[];
    time: number;
  }): Promise<string>;
  getExperiment(experimentId: string): Promise<Experiment | null>;
  getExperimentByName(name: string): Promise<Experiment | null>;
  searchExperiments(query: SearchQuery & { viewType: ViewType }): Promise<Page<Experiment>>;
  renameExperiment(experimentId: string, newName: string, time: number): Promise<void>;
  setExperimentLifecycle(experimentId: string, stage: LifecycleStage, time: number): Promise<void>;
  setExperimentTag(experimentId: string, tag: KeyValue): Promise<void>;
  /** @throws RESOURCE_DOES_NOT_EXIST when the tag is absent. */
  deleteExperimentTag(experimentId: string, key: string): Promise<void>;

  // ---- runs --------------------------------------------------------------------------------
  /** Creates a run with its initial tags. */
  createRun(info: RunInfo, tags: KeyValue[]): Promise<void>;
  getRun(runId: string): Promise<Run | null>;
  getRunInfo(runId: string): Promise<RunInfo | null>;
  /** Changes the given fields only. */
  updateRunInfo(runId: string, patch: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo>;
  /** Soft delete / restore; `deletedTime` is stored for garbage collection. */
  setRunLifecycle(runId: string, stage: LifecycleStage, time: number): Promise<void>;
  /**
   * Stores metrics (history and latest value), params and tags in one transaction.
   * A param already logged with a different value throws INVALID_PARAMETER_VALUE and nothing of
   * the batch is stored. Identical metric points are stored once.
   */
  logBatch(runId: string, batch: RunBatch): Promise<void>;
  /** @throws RESOURCE_DOES_NOT_EXIST when the tag is absent. */
  deleteRunTag(runId: string, key: string): Promise<void>;
  /** History of one metric ordered by (step, timestamp); `steps` limits to an inclusive range. */
  getMetricHistory(runId: string, key: string, range: { offset: number; limit: number; startStep?: number; endStep?: number }): Promise<Page<Metric>>;
  /**
   * Distinct steps of a metric in a run, ascending, optionally within an inclusive range. With
   * `maxSteps`, at most that many, spread evenly (the i-th of k is the step at rank
   * round(i·(n−1)/(k−1))), so the first and last steps are always kept; sampled in the database.
   */
  getMetricSteps(runId: string, key: string, range: { startStep?: number; endStep?: number; maxSteps?: number }): Promise<number[]>;
  /** Points of a metric at the given steps (for interval sampling). */
  getMetricAtSteps(runId: string, key: string, steps: number[]): Promise<Metric[]>;
  /** Adds dataset inputs (datasets are de-duplicated per experiment by name and digest) and model inputs. */
  logInputs(runId: string, datasets: DatasetInput[], modelIds: string[]): Promise<void>;
  /** Records logged models as outputs of a run. */
  logOutputs(runId: string, models: { modelId: string; step: number }[]): Promise<void>;
  searchRuns(query: SearchQuery & { experimentIds: string[]; viewType: ViewType }): Promise<Page<Run>>;
  /** Dataset summaries for the UI, per experiment. */
  searchDatasets(experimentIds: string[]): Promise<{ experimentId: string; name: string; digest: string; context: string | null }[]>;

  // ---- logged models (MLflow 3) ------------------------------------------------------------
  createLoggedModel(model: Omit<LoggedModel, 'metrics' | 'lifecycleStage'>): Promise<void>;
  getLoggedModel(modelId: string, allowDeleted: boolean): Promise<LoggedModel | null>;
  updateLoggedModel(modelId: string, patch: { status?: LoggedModelStatus; statusMessage?: string | null; time: number }): Promise<void>;
  setLoggedModelTags(modelId: string, tags: KeyValue[], time: number): Promise<void>;
  /** @throws RESOURCE_DOES_NOT_EXIST when the tag is absent. */
  deleteLoggedModelTag(modelId: string, key: string): Promise<void>;
  /** Adds params; a param key already set to another value throws INVALID_PARAMETER_VALUE. */
  logLoggedModelParams(modelId: string, params: KeyValue[]): Promise<void>;
  deleteLoggedModel(modelId: string, time: number): Promise<void>;
  /** `datasets` scopes metric filters/order to metrics logged for those datasets. */
  searchLoggedModels(query: SearchQuery & { experimentIds: string[]; datasets: { name: string; digest?: string }[] }): Promise<Page<LoggedModel>>;

  // ---- model registry ----------------------------------------------------------------------
  /** @throws RESOURCE_ALREADY_EXISTS when the name is taken. */
  createRegisteredModel(input: { name: string; description: string | null; tags: KeyValue[]; time: number }): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel | null>;
  renameRegisteredModel(name: string, newName: string, time: number): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, description: string | null, time: number): Promise<RegisteredModel>;
  /** Deletes the model with its versions, tags and aliases. */
  deleteRegisteredModel(name: string): Promise<void>;
  searchRegisteredModels(query: SearchQuery): Promise<Page<RegisteredModel>>;
  setRegisteredModelTag(name: string, tag: KeyValue, time: number): Promise<void>;
  /** @throws RESOURCE_DOES_NOT_EXIST when the tag is absent. */
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;
  /** Assigns the next version number atomically, even under concurrent creates. */
  createModelVersion(input: NewModelVersion): Promise<ModelVersion>;
  getModelVersion(name: string, version: number): Promise<ModelVersion | null>;
  updateModelVersion(name: string, version: number, description: string | null, time: number): Promise<ModelVersion>;
  /** Moves a version to a stage; with `archiveExisting`, other versions in that stage go to Archived. */
  transitionModelVersionStage(name: string, version: number, stage: Stage, archiveExisting: boolean, time: number): Promise<ModelVersion>;
  /** Deletes a version and the aliases that point at it. */
  deleteModelVersion(name: string, version: number): Promise<void>;
  /** Latest version per stage (all stages when `stages` is empty). */
  getLatestVersions(name: string, stages: Stage[]): Promise<ModelVersion[]>;
  searchModelVersions(query: SearchQuery): Promise<Page<ModelVersion>>;
  setModelVersionTag(name: string, version: number, tag: KeyValue): Promise<void>;
  /** @throws RESOURCE_DOES_NOT_EXIST when the tag is absent. */
  deleteModelVersionTag(name: string, version: number, key: string): Promise<void>;
  /** Points an alias at a version (moving it if set). */
  setAlias(name: string, alias: string, version: number, time: number): Promise<void>;
  /** @throws RESOURCE_DOES_NOT_EXIST when the alias is absent. */
  deleteAlias(name: string, alias: string): Promise<void>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion | null>;
  /** Records a registry change (the audit trail behind promotion history). */
  recordRegistryChange(change: Omit<RegistryChange, 'id'>): Promise<void>;
  /**
   * A model's recorded changes, newest first, optionally only one version's or one kind's, and
   * only those older than `beforeId` (paging). Kept after the model is deleted; follows renames.
   */
  listRegistryChanges(query: { model: string; version?: number; kind?: RegistryChangeKind; beforeId?: number; limit: number }): Promise<RegistryChange[]>;
}

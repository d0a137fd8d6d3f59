/**
 * Domain entities of tracking and the registry, in camelCase. The HTTP edge converts them to
 * MLflow's snake_case wire shapes in one place (`http/mlflow/wire.ts`).
 */

/** Soft-delete state shared by experiments, runs and logged models. */
export type LifecycleStage = 'active' | 'deleted';

/** Run states, as MLflow's `RunStatus` enum names. */
export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
/** One of {@link RUN_STATUSES}. */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A key/value pair: tags and params. */
export interface KeyValue {
  key: string;
  value: string;
}

/** An experiment with its tags. */
export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: KeyValue[];
}

/** The attributes of a run (MLflow's RunInfo). */
export interface RunInfo {
  runId: string;
  runName: string;
  experimentId: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
}

/** One metric point. `runId` is set where a point is listed across runs or on a logged model. */
export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  runId?: string;
  modelId?: string;
  datasetName?: string;
  datasetDigest?: string;
}

/** A dataset as logged with `log-inputs`. */
export interface Dataset {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema?: string;
  profile?: string;
}

/** A dataset used by a run, with the input's tags (e.g. `mlflow.data.context`). */
export interface DatasetInput {
  tags: KeyValue[];
  dataset: Dataset;
}

/** A run in full: info, latest metrics, params, tags, inputs and outputs. */
export interface Run {
  info: RunInfo;
  data: { metrics: Metric[]; params: KeyValue[]; tags: KeyValue[] };
  inputs: { datasetInputs: DatasetInput[]; modelInputs: { modelId: string }[] };
  outputs: { modelOutputs: { modelId: string; step: number }[] };
}

/** MLflow 3 logged-model states. */
export const LOGGED_MODEL_STATUSES = ['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'] as const;
/** One of {@link LOGGED_MODEL_STATUSES}. */
export type LoggedModelStatus = (typeof LOGGED_MODEL_STATUSES)[number];

/** An MLflow 3 logged model. */
export interface LoggedModel {
  modelId: string;
  experimentId: string;
  name: string;
  artifactLocation: string;
  creationTimestampMs: number;
  lastUpdatedTimestampMs: number;
  status: LoggedModelStatus;
  statusMessage: string | null;
  creatorId: string | null;
  modelType: string | null;
  sourceRunId: string | null;
  lifecycleStage: LifecycleStage;
  tags: KeyValue[];
  params: KeyValue[];
  metrics: Metric[];
}

/** Legacy registry stages. */
export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
/** One of {@link STAGES}. */
export type Stage = (typeof STAGES)[number];

/** A version of a registered model. */
export interface ModelVersion {
  name: string;
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  userId: string | null;
  currentStage: Stage;
  description: string | null;
  source: string;
  /** Where the files are: the resolved location served by `get-download-uri`. */
  storageLocation: string;
  runId: string | null;
  runLink: string | null;
  status: 'READY' | 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION';
  statusMessage: string | null;
  modelId: string | null;
  tags: KeyValue[];
  aliases: string[];
}

/** A registered model with its tags, aliases and latest version per stage. */
export interface RegisteredModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string | null;
  tags: KeyValue[];
  aliases: { alias: string; version: number }[];
  latestVersions: ModelVersion[];
}

/** What a registry change did. */
export type RegistryChangeKind =
  | 'model_created' | 'model_renamed' | 'model_deleted' | 'model_description'
  | 'version_created' | 'version_deleted' | 'version_description'
  | 'alias_set' | 'alias_deleted' | 'stage_changed';

/** One recorded registry change: who did what, when, with the value before and after. */
export interface RegistryChange {
  id: number;
  time: number;
  /** The basic-auth user, `X-Capstan-User`, or "anonymous". */
  user: string;
  model: string;
  version: number | null;
  kind: RegistryChangeKind;
  alias: string | null;
  /** e.g. the version an alias pointed at, or the stage, before the change. */
  before: string | null;
  after: string | null;
}

/** A page of results; `nextOffset` is absent on the last page. */
export interface Page<T> {
  items: T[];
  nextOffset?: number;
}

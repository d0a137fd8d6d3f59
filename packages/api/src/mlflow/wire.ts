/**
 * MLflow's JSON wire shapes (protobuf JSON with snake_case field names; int64 as numbers;
 * unset fields omitted). Shared by the server's converters, the client and the CLI.
 */

/** A key/value pair. */
export interface WireKeyValue {
  key: string;
  value: string;
}

/** `Experiment`. */
export interface WireExperiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: 'active' | 'deleted';
  last_update_time: number;
  creation_time: number;
  tags?: WireKeyValue[];
}

/** `RunInfo`; `end_time` is omitted while a run is running. */
export interface WireRunInfo {
  run_id: string;
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: 'active' | 'deleted';
}

/** A metric point; `value` may be the strings "NaN", "Infinity", "-Infinity". */
export interface WireMetric {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
  run_id?: string;
  model_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
}

/** `Dataset`. */
export interface WireDataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

/** `Run`. */
export interface WireRun {
  info: WireRunInfo;
  data: { metrics?: WireMetric[]; params?: WireKeyValue[]; tags?: WireKeyValue[] };
  inputs: { dataset_inputs?: { tags?: WireKeyValue[]; dataset: WireDataset }[]; model_inputs?: { model_id: string }[] };
  outputs: { model_outputs?: { model_id: string; step: number }[] };
}

/** MLflow 3 `LoggedModel`. */
export interface WireLoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    artifact_uri: string;
    creation_timestamp_ms: number;
    last_updated_timestamp_ms: number;
    status: 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';
    status_message?: string;
    creator_id?: string;
    model_type?: string;
    source_run_id?: string;
    tags?: WireKeyValue[];
  };
  data: { params?: WireKeyValue[]; metrics?: WireMetric[] };
}

/** `ModelVersion`; `version` is a string on the wire. */
export interface WireModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: string;
  description?: string;
  source: string;
  run_id?: string;
  run_link?: string;
  status: 'READY' | 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION';
  status_message?: string;
  tags?: WireKeyValue[];
  aliases?: string[];
  model_id?: string;
}

/** `RegisteredModel`. */
export interface WireRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description?: string;
  latest_versions?: WireModelVersion[];
  tags?: WireKeyValue[];
  aliases?: { alias: string; version: string }[];
}

/** One entry of an artifact listing. */
export interface WireFileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

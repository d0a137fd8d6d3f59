import type {
  WireDataset, WireFileInfo, WireExperiment, WireKeyValue, WireLoggedModel, WireMetric, WireModelVersion, WireRegisteredModel, WireRun, WireRunInfo,
} from '@capstan/api';
import type {
  Experiment, KeyValue, LoggedModel, Metric, ModelVersion, RegisteredModel, Run, RunInfo,
} from '../../core/model.js';

/** The only place where domain entities become MLflow's snake_case wire JSON. */

function kvs(list: KeyValue[]): WireKeyValue[] | undefined {
  return list.length ? list.map((t) => ({ key: t.key, value: t.value })) : undefined;
}

/** A double as protobuf JSON writes it: non-finite values as strings. */
export function wireDouble(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/** Experiment → wire. */
export function experimentToWire(e: Experiment): WireExperiment {
  const out: WireExperiment = {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
  };
  const tags = kvs(e.tags);
  if (tags) out.tags = tags;
  return out;
}

/** RunInfo → wire (`run_uuid` mirrors `run_id`; `end_time` omitted while unset). */
export function runInfoToWire(i: RunInfo): WireRunInfo {
  const out: WireRunInfo = {
    run_id: i.runId,
    run_uuid: i.runId,
    run_name: i.runName,
    experiment_id: i.experimentId,
    user_id: i.userId,
    status: i.status,
    start_time: i.startTime,
    artifact_uri: i.artifactUri,
    lifecycle_stage: i.lifecycleStage,
  };
  if (i.endTime !== null) out.end_time = i.endTime;
  return out;
}

/** Metric → wire. */
export function metricToWire(m: Metric): WireMetric {
  const out: WireMetric = { key: m.key, value: wireDouble(m.value), timestamp: m.timestamp, step: m.step };
  if (m.runId) out.run_id = m.runId;
  if (m.modelId) out.model_id = m.modelId;
  if (m.datasetName) out.dataset_name = m.datasetName;
  if (m.datasetDigest) out.dataset_digest = m.datasetDigest;
  return out;
}

/** Run → wire. */
export function runToWire(r: Run): WireRun {
  const data: WireRun['data'] = {};
  if (r.data.metrics.length) data.metrics = r.data.metrics.map(metricToWire);
  if (r.data.params.length) data.params = kvs(r.data.params)!;
  if (r.data.tags.length) data.tags = kvs(r.data.tags)!;
  const inputs: WireRun['inputs'] = {};
  if (r.inputs.datasetInputs.length) {
    inputs.dataset_inputs = r.inputs.datasetInputs.map((d) => {
      const dataset: WireDataset = { name: d.dataset.name, digest: d.dataset.digest, source_type: d.dataset.sourceType, source: d.dataset.source };
      if (d.dataset.schema !== undefined) dataset.schema = d.dataset.schema;
      if (d.dataset.profile !== undefined) dataset.profile = d.dataset.profile;
      const tags = kvs(d.tags);
      return tags ? { tags, dataset } : { dataset };
    });
  }
  if (r.inputs.modelInputs.length) inputs.model_inputs = r.inputs.modelInputs.map((m) => ({ model_id: m.modelId }));
  const outputs: WireRun['outputs'] = {};
  if (r.outputs.modelOutputs.length) outputs.model_outputs = r.outputs.modelOutputs.map((m) => ({ model_id: m.modelId, step: m.step }));
  return { info: runInfoToWire(r.info), data, inputs, outputs };
}

/** LoggedModel → wire. */
export function loggedModelToWire(m: LoggedModel): WireLoggedModel {
  const info: WireLoggedModel['info'] = {
    model_id: m.modelId,
    experiment_id: m.experimentId,
    name: m.name,
    artifact_uri: m.artifactLocation,
    creation_timestamp_ms: m.creationTimestampMs,
    last_updated_timestamp_ms: m.lastUpdatedTimestampMs,
    status: m.status,
  };
  if (m.statusMessage) info.status_message = m.statusMessage;
  if (m.creatorId) info.creator_id = m.creatorId;
  if (m.modelType) info.model_type = m.modelType;
  if (m.sourceRunId) info.source_run_id = m.sourceRunId;
  const tags = kvs(m.tags);
  if (tags) info.tags = tags;
  const data: WireLoggedModel['data'] = {};
  if (m.params.length) data.params = kvs(m.params)!;
  if (m.metrics.length) data.metrics = m.metrics.map(metricToWire);
  return { info, data };
}

/** ModelVersion → wire (`version` as a string). */
export function modelVersionToWire(v: ModelVersion): WireModelVersion {
  const out: WireModelVersion = {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.creationTimestamp,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    current_stage: v.currentStage,
    source: v.source,
    status: v.status,
  };
  if (v.userId) out.user_id = v.userId;
  if (v.description !== null) out.description = v.description;
  if (v.runId) out.run_id = v.runId;
  if (v.runLink) out.run_link = v.runLink;
  if (v.statusMessage) out.status_message = v.statusMessage;
  const tags = kvs(v.tags);
  if (tags) out.tags = tags;
  if (v.aliases.length) out.aliases = [...v.aliases];
  if (v.modelId) out.model_id = v.modelId;
  return out;
}

/** RegisteredModel → wire. */
export function registeredModelToWire(m: RegisteredModel): WireRegisteredModel {
  const out: WireRegisteredModel = {
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
  };
  if (m.description !== null) out.description = m.description;
  if (m.latestVersions.length) out.latest_versions = m.latestVersions.map(modelVersionToWire);
  const tags = kvs(m.tags);
  if (tags) out.tags = tags;
  if (m.aliases.length) out.aliases = m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) }));
  return out;
}

/** Wire key/values (value optional) → domain. */
export function keyValuesFromWire(list: { key: string; value?: string | undefined }[] | undefined): KeyValue[] {
  return (list ?? []).map((t) => ({ key: t.key, value: t.value ?? '' }));
}

/** An artifact listing entry → wire (directories carry no `file_size`). */
export function fileInfoToWire(f: { path: string; isDir: boolean; size?: number }): WireFileInfo {
  return f.size === undefined ? { path: f.path, is_dir: f.isDir } : { path: f.path, is_dir: f.isDir, file_size: f.size };
}

/** The `next_page_token` field of a search response, present only when there is a next page. */
export function nextPageField(page: { nextPageToken?: string }): { next_page_token?: string } {
  return page.nextPageToken ? { next_page_token: page.nextPageToken } : {};
}

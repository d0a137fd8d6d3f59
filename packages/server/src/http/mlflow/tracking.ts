import type { FastifyInstance } from 'fastify';
import { tracking as c } from '@capstan/api';
import type { Services } from '../services.js';
import { bodySizes, mount } from '../edge.js';
import { LIMITS } from '../../core/tracking/validation.js';
import { invalidParameter } from '@capstan/api';
import { experimentToWire, fileInfoToWire, keyValuesFromWire, metricToWire, nextPageField, runInfoToWire, runToWire } from './wire.js';

const runIdOf = (input: { run_id?: string | undefined; run_uuid?: string | undefined }): string => {
  const id = input.run_id || input.run_uuid;
  if (!id) throw invalidParameter("Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.");
  return id;
};

/** MLflow tracking routes: experiments, runs, metrics, inputs/outputs, run artifact listing. */
export function trackingRoutes(app: FastifyInstance, { tracking, artifacts }: Services): void {
  mount(app, c.createExperiment, async (i) => ({ experiment_id: await tracking.createExperiment({ name: i.name, artifactLocation: i.artifact_location, tags: keyValuesFromWire(i.tags) }) }));
  mount(app, c.getExperiment, async (i) => ({ experiment: experimentToWire(await tracking.getExperiment(i.experiment_id)) }));
  mount(app, c.getExperimentByName, async (i) => ({ experiment: experimentToWire(await tracking.getExperimentByName(i.experiment_name)) }));
  mount(app, c.searchExperiments, async (i) => {
    const page = await tracking.searchExperiments({ filter: i.filter, orderBy: i.order_by, maxResults: i.max_results, pageToken: i.page_token, viewType: i.view_type });
    return { experiments: page.items.map(experimentToWire), ...nextPageField(page) };
  }, { alsoMethods: ['GET'] });
  mount(app, c.updateExperiment, async (i) => (await tracking.renameExperiment(i.experiment_id, i.new_name), {}));
  mount(app, c.deleteExperiment, async (i) => (await tracking.deleteExperiment(i.experiment_id), {}));
  mount(app, c.restoreExperiment, async (i) => (await tracking.restoreExperiment(i.experiment_id), {}));
  mount(app, c.setExperimentTag, async (i) => (await tracking.setExperimentTag(i.experiment_id, { key: i.key, value: i.value }), {}));
  mount(app, c.deleteExperimentTag, async (i) => (await tracking.deleteExperimentTag(i.experiment_id, i.key), {}));
  mount(app, c.searchDatasets, async (i) => ({
    dataset_summaries: (await tracking.searchDatasets(i.experiment_ids)).map((d) => ({ experiment_id: d.experimentId, name: d.name, digest: d.digest, ...(d.context ? { context: d.context } : {}) })),
  }));

  mount(app, c.createRun, async (i) => ({
    run: runToWire(await tracking.createRun({ experimentId: i.experiment_id, userId: i.user_id, runName: i.run_name, startTime: i.start_time, tags: keyValuesFromWire(i.tags) })),
  }));
  mount(app, c.getRun, async (i) => ({ run: runToWire(await tracking.getRun(runIdOf(i))) }));
  mount(app, c.updateRun, async (i) => ({ run_info: runInfoToWire(await tracking.updateRun(runIdOf(i), { status: i.status, endTime: i.end_time, runName: i.run_name })) }));
  mount(app, c.deleteRun, async (i) => (await tracking.deleteRun(i.run_id), {}));
  mount(app, c.restoreRun, async (i) => (await tracking.restoreRun(i.run_id), {}));
  mount(app, c.logMetric, async (i) => {
    await tracking.logBatch(runIdOf(i), {
      metrics: [{ key: i.key, value: i.value, timestamp: i.timestamp, step: i.step ?? 0, modelId: i.model_id || undefined, datasetName: i.dataset_name || undefined, datasetDigest: i.dataset_digest || undefined }],
    });
    return {};
  });
  mount(app, c.logParam, async (i) => (await tracking.logBatch(runIdOf(i), { params: [{ key: i.key, value: i.value }] }), {}));
  mount(app, c.setTag, async (i) => {
    const runId = runIdOf(i);
    await tracking.logBatch(runId, { tags: [{ key: i.key, value: i.value }] });
    if (i.key === 'mlflow.runName') await tracking.updateRun(runId, { runName: i.value });
    return {};
  });
  mount(app, c.deleteTag, async (i) => (await tracking.deleteTag(i.run_id, i.key), {}));
  mount(app, c.logBatch, async (i, request) => {
    const size = bodySizes.get(request) ?? 0;
    if (size > LIMITS.batchBodyBytes) {
      throw invalidParameter(`Batched logging API requests must be at most ${LIMITS.batchBodyBytes} bytes, got a request of ${size} bytes.`);
    }
    await tracking.logBatch(i.run_id, {
      metrics: (i.metrics ?? []).map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step ?? 0, modelId: m.model_id || undefined, datasetName: m.dataset_name || undefined, datasetDigest: m.dataset_digest || undefined })),
      params: i.params ?? [],
      tags: i.tags ?? [],
    });
    return {};
  });
  mount(app, c.logInputs, async (i) => {
    const datasets = (i.datasets ?? []).map((d) => ({
      tags: keyValuesFromWire(d.tags),
      dataset: { name: d.dataset.name, digest: d.dataset.digest, sourceType: d.dataset.source_type, source: d.dataset.source, ...(d.dataset.schema !== undefined ? { schema: d.dataset.schema } : {}), ...(d.dataset.profile !== undefined ? { profile: d.dataset.profile } : {}) },
    }));
    await tracking.logInputs(i.run_id, datasets, (i.models ?? []).map((m) => m.model_id));
    return {};
  });
  mount(app, c.logOutputs, async (i) => (await tracking.logOutputs(i.run_id, i.models.map((m) => ({ modelId: m.model_id, step: m.step ?? 0 }))), {}));
  mount(app, c.logModel, async (i) => (await tracking.logModelJson(i.run_id, i.model_json), {}));
  mount(app, c.searchRuns, async (i) => {
    const page = await tracking.searchRuns({ experimentIds: i.experiment_ids ?? [], filter: i.filter, orderBy: i.order_by, maxResults: i.max_results, pageToken: i.page_token, viewType: i.run_view_type });
    return { runs: page.items.map(runToWire), ...nextPageField(page) };
  });
  mount(app, c.getMetricHistory, async (i) => {
    const page = await tracking.getMetricHistory(runIdOf(i), i.metric_key, { maxResults: i.max_results, pageToken: i.page_token });
    return { metrics: page.items.map(metricToWire), ...nextPageField(page) };
  });
  mount(app, c.getMetricHistoryBulkInterval, async (i) => ({
    metrics: (await tracking.getMetricHistoryBulkInterval({ runIds: i.run_ids, key: i.metric_key, startStep: i.start_step, endStep: i.end_step, maxResults: i.max_results })).map(metricToWire),
  }));
  mount(app, c.getMetricHistoryBulk, async (i) => ({ metrics: (await tracking.getMetricHistoryBulk(i.run_id, i.metric_key, i.max_results)).map(metricToWire) }));
  mount(app, c.listArtifacts, async (i) => {
    const run = await tracking.getRun(runIdOf(i));
    const files = await artifacts.listUnder(run.info.artifactUri, i.path);
    return { root_uri: run.info.artifactUri, files: files.map(fileInfoToWire) };
  });
}

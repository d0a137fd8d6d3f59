import type { FastifyInstance } from 'fastify';
import { loggedModels as c } from '@capstan/api';
import type { Services } from '../services.js';
import { mount } from '../edge.js';
import { fileInfoToWire, keyValuesFromWire, loggedModelToWire, nextPageField } from './wire.js';

/** MLflow 3 logged-model routes. */
export function loggedModelRoutes(app: FastifyInstance, { tracking, artifacts }: Services): void {
  mount(app, c.search, async (i) => {
    const page = await tracking.searchLoggedModels({
      experimentIds: i.experiment_ids,
      filter: i.filter,
      datasets: (i.datasets ?? []).map((d) => ({ name: d.dataset_name, ...(d.dataset_digest ? { digest: d.dataset_digest } : {}) })),
      orderBy: (i.order_by ?? []).map((o) => ({ fieldName: o.field_name, ascending: o.ascending })),
      maxResults: i.max_results,
      pageToken: i.page_token,
    });
    return { models: page.items.map(loggedModelToWire), ...nextPageField(page) };
  });
  mount(app, c.create, async (i) => ({
    model: loggedModelToWire(await tracking.createLoggedModel({
      experimentId: i.experiment_id, name: i.name, modelType: i.model_type, sourceRunId: i.source_run_id,
      params: keyValuesFromWire(i.params), tags: keyValuesFromWire(i.tags),
    })),
  }));
  mount(app, c.get, async (i) => ({ model: loggedModelToWire(await tracking.getLoggedModel(i.model_id, i.allow_deleted ?? false)) }));
  mount(app, c.finalize, async (i) => ({ model: loggedModelToWire(await tracking.finalizeLoggedModel(i.model_id, i.status)) }));
  mount(app, c.delete, async (i) => (await tracking.deleteLoggedModel(i.model_id), {}));
  mount(app, c.setTags, async (i) => (await tracking.setLoggedModelTags(i.model_id, keyValuesFromWire(i.tags)), {}));
  mount(app, c.deleteTag, async (i) => (await tracking.deleteLoggedModelTag(i.model_id, i.tag_key), {}));
  mount(app, c.logParams, async (i) => (await tracking.logLoggedModelParams(i.model_id, keyValuesFromWire(i.params)), {}));
  mount(app, c.listArtifacts, async (i) => {
    const model = await tracking.getLoggedModel(i.model_id, false);
    const files = await artifacts.listUnder(model.artifactLocation, i.artifact_directory_path);
    return { root_uri: model.artifactLocation, files: files.map(fileInfoToWire) };
  });
}

import type { FastifyInstance } from 'fastify';
import { registry as c } from '@capstan/api';
import type { Services } from '../services.js';
import { mount } from '../edge.js';
import { userOf } from '../identity.js';
import { resolveVersionSource } from '../../core/registry/sources.js';
import { keyValuesFromWire, modelVersionToWire, nextPageField, registeredModelToWire } from './wire.js';

/** MLflow model registry routes. */
export function registryRoutes(app: FastifyInstance, { registry, tracking }: Services): void {
  mount(app, c.createRegisteredModel, async (i, r) => ({
    registered_model: registeredModelToWire(await registry.createRegisteredModel({ name: i.name, description: i.description, tags: keyValuesFromWire(i.tags) }, userOf(r))),
  }));
  mount(app, c.getRegisteredModel, async (i) => ({ registered_model: registeredModelToWire(await registry.getRegisteredModel(i.name)) }));
  mount(app, c.renameRegisteredModel, async (i, r) => ({ registered_model: registeredModelToWire(await registry.renameRegisteredModel(i.name, i.new_name, userOf(r))) }));
  mount(app, c.updateRegisteredModel, async (i, r) => ({ registered_model: registeredModelToWire(await registry.updateRegisteredModel(i.name, i.description, userOf(r))) }));
  mount(app, c.deleteRegisteredModel, async (i, r) => (await registry.deleteRegisteredModel(i.name, userOf(r)), {}));
  mount(app, c.searchRegisteredModels, async (i) => {
    const page = await registry.searchRegisteredModels({ filter: i.filter, orderBy: i.order_by, maxResults: i.max_results, pageToken: i.page_token });
    return { registered_models: page.items.map(registeredModelToWire), ...nextPageField(page) };
  });
  mount(app, c.getLatestVersions, async (i) => ({ model_versions: (await registry.getLatestVersions(i.name, i.stages)).map(modelVersionToWire) }), { alsoMethods: ['GET'] });
  mount(app, c.setRegisteredModelTag, async (i) => (await registry.setRegisteredModelTag(i.name, { key: i.key, value: i.value }), {}));
  mount(app, c.deleteRegisteredModelTag, async (i) => (await registry.deleteRegisteredModelTag(i.name, i.key), {}));
  mount(app, c.setAlias, async (i, r) => (await registry.setAlias(i.name, i.alias, i.version, userOf(r)), {}));
  mount(app, c.deleteAlias, async (i, r) => (await registry.deleteAlias(i.name, i.alias, userOf(r)), {}));
  mount(app, c.getModelVersionByAlias, async (i) => ({ model_version: modelVersionToWire(await registry.getModelVersionByAlias(i.name, i.alias)) }));

  mount(app, c.createModelVersion, async (i, r) => {
    const resolved = await resolveVersionSource(
      { source: i.source, modelId: i.model_id, runId: i.run_id },
      {
        getLoggedModel: (id) => tracking.getLoggedModel(id, false),
        getRunInfo: async (id) => (await tracking.getRun(id)).info,
        resolveModelUri: (uri) => registry.resolveModelUri(uri),
      },
    );
    const version = await registry.createModelVersion({
      name: i.name,
      source: i.source,
      storageLocation: resolved.storageLocation,
      runId: resolved.runId,
      runLink: i.run_link,
      description: i.description,
      modelId: resolved.modelId,
      tags: keyValuesFromWire(i.tags),
      ...(userOf(r) !== 'anonymous' ? { userId: userOf(r) } : {}),
    });
    return { model_version: modelVersionToWire(version) };
  });
  mount(app, c.getModelVersion, async (i) => ({ model_version: modelVersionToWire(await registry.getModelVersion(i.name, i.version)) }));
  mount(app, c.updateModelVersion, async (i, r) => ({ model_version: modelVersionToWire(await registry.updateModelVersion(i.name, i.version, i.description, userOf(r))) }));
  mount(app, c.transitionModelVersionStage, async (i, r) => ({
    model_version: modelVersionToWire(await registry.transitionStage(i.name, i.version, i.stage, i.archive_existing_versions ?? false, userOf(r))),
  }));
  mount(app, c.deleteModelVersion, async (i, r) => (await registry.deleteModelVersion(i.name, i.version, userOf(r)), {}));
  mount(app, c.searchModelVersions, async (i) => {
    const page = await registry.searchModelVersions({ filter: i.filter, orderBy: i.order_by, maxResults: i.max_results, pageToken: i.page_token });
    return { model_versions: page.items.map(modelVersionToWire), ...nextPageField(page) };
  });
  mount(app, c.getModelVersionDownloadUri, async (i) => ({ artifact_uri: await registry.getDownloadUri(i.name, i.version) }));
  mount(app, c.setModelVersionTag, async (i) => (await registry.setModelVersionTag(i.name, i.version, { key: i.key, value: i.value }), {}));
  mount(app, c.deleteModelVersionTag, async (i) => (await registry.deleteModelVersionTag(i.name, i.version, i.key), {}));
}

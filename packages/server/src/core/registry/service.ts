import { doesNotExist, invalidParameter } from '@capstan/api';
import type { KeyValue, ModelVersion, RegisteredModel, RegistryChange, RegistryChangeKind, Stage } from '../model.js';
import { STAGES } from '../model.js';
import type { MetadataStore } from '../../ports/metadata-store.js';
import {
  decodePageToken, parseModelVersionFilter, parseModelVersionOrderBy, parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
} from '../search/filter.js';
import { joinUri } from '../artifacts/uris.js';
import { LIMITS, maxResults, validateKey, validateLength } from '../tracking/validation.js';
import { tokenPage, type TokenPage } from '../search/page-token.js';
import type { EventBus } from '../events/bus.js';

/** Who makes a registry change when the caller does not say. */
export const ANONYMOUS = 'anonymous';

/**
 * The model registry's rules on top of a {@link MetadataStore}: name, alias and stage
 * validation, source checks, resolution of where a version's files are, and the change history
 * (who moved which alias or stage, when, from what to what). Mutating methods take the acting
 * user last.
 */
export class RegistryService {
  private readonly now: () => number;
  private readonly events: EventBus | undefined;

  /** `events` receives model-version, alias and stage events after each change is stored. */
  constructor(private readonly store: MetadataStore, options: { now?: () => number; events?: EventBus } = {}) {
    this.now = options.now ?? Date.now;
    this.events = options.events;
  }

  /** @throws RESOURCE_ALREADY_EXISTS */
  async createRegisteredModel(input: { name: string; description?: string; tags?: KeyValue[] }, actor = ANONYMOUS): Promise<RegisteredModel> {
    validateModelName(input.name);
    const tags = input.tags ?? [];
    tags.forEach(validateRegistryTag);
    const created = await this.store.createRegisteredModel({ name: input.name, description: input.description ?? null, tags, time: this.now() });
    await this.record(actor, created.name, 'model_created', {});
    return created;
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    const m = await this.store.getRegisteredModel(name);
    if (!m) throw doesNotExist(`Registered Model with name=${name} not found`);
    return m;
  }

  /** Renames a model; its versions follow. */
  async renameRegisteredModel(name: string, newName: string, actor = ANONYMOUS): Promise<RegisteredModel> {
    validateModelName(newName);
    const renamed = await this.store.renameRegisteredModel(name, newName, this.now());
    if (newName !== name) await this.record(actor, name, 'model_renamed', { before: name, after: newName });
    return renamed;
  }

  /** Sets the description. */
  async updateRegisteredModel(name: string, description: string | undefined, actor = ANONYMOUS): Promise<RegisteredModel> {
    const before = (await this.store.getRegisteredModel(name))?.description ?? null;
    const updated = await this.store.updateRegisteredModel(name, description ?? null, this.now());
    await this.record(actor, name, 'model_description', { before, after: updated.description });
    return updated;
  }

  /** Deletes a model with its versions (its change history stays). */
  async deleteRegisteredModel(name: string, actor = ANONYMOUS): Promise<void> {
    await this.store.deleteRegisteredModel(name);
    await this.record(actor, name, 'model_deleted', {});
  }

  /** Searches registered models (`name LIKE ...`, `tags.k = ...`). */
  async searchRegisteredModels(input: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string }): Promise<TokenPage<RegisteredModel>> {
    return tokenPage(await this.store.searchRegisteredModels({
      filter: parseRegisteredModelFilter(input.filter),
      orderBy: parseRegisteredModelOrderBy(input.orderBy),
      maxResults: maxResults(input.maxResults, LIMITS.searchRegisteredModelsDefault, LIMITS.searchRegisteredModelsMax),
      offset: decodePageToken(input.pageToken),
    }));
  }

  /** Latest version per requested stage. */
  getLatestVersions(name: string, stages: string[] | undefined): Promise<ModelVersion[]> {
    return this.store.getLatestVersions(name, (stages ?? []).map(parseStage));
  }

  /** Sets a registered model tag. */
  setRegisteredModelTag(name: string, tag: KeyValue): Promise<void> {
    validateRegistryTag(tag);
    return this.store.setRegisteredModelTag(name, tag, this.now());
  }

  /** Deletes a registered model tag. */
  deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    return this.store.deleteRegisteredModelTag(name, key);
  }

  /**
   * Registers a version. `storageLocation` is where its files are, resolved by the caller from
   * the source (see {@link validateSource}); the source itself is kept verbatim.
   */
  async createModelVersion(input: { name: string; source: string; storageLocation: string; runId?: string; runLink?: string; description?: string; modelId?: string; tags?: KeyValue[]; userId?: string }, actor = input.userId || ANONYMOUS): Promise<ModelVersion> {
    const tags = input.tags ?? [];
    tags.forEach(validateRegistryTag);
    const created = await this.store.createModelVersion({
      name: input.name,
      source: input.source,
      storageLocation: input.storageLocation,
      runId: input.runId || null,
      runLink: input.runLink || null,
      description: input.description ?? null,
      userId: input.userId ?? null,
      modelId: input.modelId || null,
      tags,
      time: this.now(),
    });
    await this.record(actor, created.name, 'version_created', { version: created.version, after: created.runId ? `run ${created.runId}` : created.source });
    this.events?.publish('model_version.created', { name: created.name, version: String(created.version), source: created.source, ...(created.runId ? { runId: created.runId } : {}) });
    return created;
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async getModelVersion(name: string, version: number): Promise<ModelVersion> {
    const v = await this.store.getModelVersion(name, version);
    if (!v) throw doesNotExist(`Model Version (name=${name}, version=${version}) not found`);
    return v;
  }

  /** Sets a version's description. */
  async updateModelVersion(name: string, version: number, description: string | undefined, actor = ANONYMOUS): Promise<ModelVersion> {
    const before = (await this.store.getModelVersion(name, version))?.description ?? null;
    const updated = await this.store.updateModelVersion(name, version, description ?? null, this.now());
    await this.record(actor, name, 'version_description', { version, before, after: updated.description });
    return updated;
  }

  /** Legacy stage transition; with `archiveExisting`, the other versions in that stage are archived (each recorded). */
  async transitionStage(name: string, version: number, stage: string, archiveExisting: boolean, actor = ANONYMOUS): Promise<ModelVersion> {
    const target = parseStage(stage);
    const before = await this.store.getModelVersion(name, version);
    const others = archiveExisting && target !== 'None' && target !== 'Archived' ? await this.versionsInStage(name, target, version) : [];
    const moved = await this.store.transitionModelVersionStage(name, version, target, archiveExisting, this.now());
    await this.record(actor, name, 'stage_changed', { version, before: before?.currentStage ?? null, after: moved.currentStage });
    for (const o of others) await this.record(actor, name, 'stage_changed', { version: o.version, before: o.currentStage, after: 'Archived' });
    this.events?.publish('model_version.stage_changed', { name, version: String(version), stage: moved.currentStage });
    return moved;
  }

  /** Deletes a version and its aliases. */
  async deleteModelVersion(name: string, version: number, actor = ANONYMOUS): Promise<void> {
    const aliases = (await this.store.getModelVersion(name, version))?.aliases ?? [];
    await this.store.deleteModelVersion(name, version);
    await this.record(actor, name, 'version_deleted', { version, before: aliases.length ? `aliases ${aliases.join(', ')}` : null });
  }

  /** Searches versions (`name = ...`, `run_id IN (...)`, `tags.k = ...`). */
  async searchModelVersions(input: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string }): Promise<TokenPage<ModelVersion>> {
    return tokenPage(await this.store.searchModelVersions({
      filter: parseModelVersionFilter(input.filter),
      orderBy: parseModelVersionOrderBy(input.orderBy),
      maxResults: maxResults(input.maxResults, LIMITS.searchModelVersionsDefault, LIMITS.searchModelVersionsMax),
      offset: decodePageToken(input.pageToken),
    }));
  }

  /** Where a version's files are. */
  async getDownloadUri(name: string, version: number): Promise<string> {
    return (await this.getModelVersion(name, version)).storageLocation;
  }

  /** Sets a version tag. */
  setModelVersionTag(name: string, version: number, tag: KeyValue): Promise<void> {
    validateRegistryTag(tag);
    return this.store.setModelVersionTag(name, version, tag);
  }

  /** Deletes a version tag. */
  deleteModelVersionTag(name: string, version: number, key: string): Promise<void> {
    return this.store.deleteModelVersionTag(name, version, key);
  }

  /** Points `alias` at a version. */
  async setAlias(name: string, alias: string, version: string, actor = ANONYMOUS): Promise<void> {
    validateAlias(alias);
    const to = parseVersion(version);
    const from = (await this.store.getModelVersionByAlias(name, alias))?.version ?? null;
    await this.store.setAlias(name, alias, to, this.now());
    if (from !== to) await this.record(actor, name, 'alias_set', { version: to, alias, before: from === null ? null : String(from), after: String(to) });
    this.events?.publish('model_version.alias_set', { name, alias, version: String(to) });
  }

  /** Removes an alias. */
  async deleteAlias(name: string, alias: string, actor = ANONYMOUS): Promise<void> {
    validateAlias(alias);
    const from = (await this.store.getModelVersionByAlias(name, alias))?.version ?? null;
    await this.store.deleteAlias(name, alias);
    await this.record(actor, name, 'alias_deleted', { version: from, alias, before: from === null ? null : String(from) });
    this.events?.publish('model_version.alias_deleted', { name, alias });
  }

  /**
   * A model's change history, newest first (also for a deleted model, and under its current name
   * after renames). `beforeId` pages back.
   */
  async history(name: string, query: { version?: number; kind?: RegistryChangeKind; beforeId?: number; limit?: number } = {}): Promise<RegistryChange[]> {
    const limit = Math.min(Math.max(1, query.limit ?? 100), 1000);
    const changes = await this.store.listRegistryChanges({ model: name, ...query, limit });
    if (changes.length === 0 && query.beforeId === undefined && !(await this.store.getRegisteredModel(name))) throw doesNotExist(`Registered Model with name=${name} not found`);
    return changes;
  }

  private async versionsInStage(name: string, stage: Stage, except: number): Promise<ModelVersion[]> {
    const quoted = name.includes("'") ? `"${name}"` : `'${name}'`;
    try {
      const page = await this.store.searchModelVersions({ filter: parseModelVersionFilter(`name = ${quoted}`), orderBy: [], maxResults: 10_000, offset: 0 });
      return page.items.filter((v) => v.version !== except && v.currentStage === stage);
    } catch {
      return [];
    }
  }

  private async record(user: string, model: string, kind: RegistryChangeKind, detail: { version?: number | null; alias?: string; before?: string | null; after?: string | null }): Promise<void> {
    await this.store.recordRegistryChange({ time: this.now(), user, model, version: detail.version ?? null, kind, alias: detail.alias ?? null, before: detail.before ?? null, after: detail.after ?? null });
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    await this.getRegisteredModel(name);
    const v = await this.store.getModelVersionByAlias(name, alias);
    if (!v) throw invalidParameter(`Registered model alias ${alias} not found.`);
    return v;
  }

  /** Resolves `models:/name/version`, `models:/name@alias` and `models:/name/stage` to a version. */
  async resolveModelUri(uri: string): Promise<ModelVersion | null> {
    const m = /^models:\/([^/@]+)(?:@([\w-]+)|\/([^/]+))\/?$/.exec(uri);
    if (!m) return null;
    const name = decodeURIComponent(m[1]!);
    if (m[2]) return this.getModelVersionByAlias(name, m[2]);
    const ref = m[3]!;
    if (/^\d+$/.test(ref)) return this.getModelVersion(name, Number(ref));
    const stage = ref.toLowerCase() === 'latest' ? undefined : parseStage(ref);
    const latest = await this.store.getLatestVersions(name, stage ? [stage] : []);
    const pick = latest.sort((a, b) => b.version - a.version)[0];
    if (!pick) throw doesNotExist(`No versions of model with name '${name}' and stage '${ref}' found`);
    return pick;
  }
}

function validateModelName(name: string): void {
  if (!name.trim()) throw invalidParameter('Registered model name cannot be empty.');
  validateLength('Registered model name', name, 256);
}

function validateRegistryTag(tag: KeyValue): void {
  validateKey('tag', tag.key);
  validateLength('Tag value', tag.value, LIMITS.registryTagValueLength);
}

/** MLflow's alias rules: `[\w-]`, at most 255 characters, not `latest`, not `v<digits>`. */
export function validateAlias(alias: string): void {
  if (!/^[\w-]*$/.test(alias) || alias.length === 0) {
    throw invalidParameter(`Invalid alias name: '${alias}'. Aliases may only contain alphanumerics, underscores (_), and dashes (-).`);
  }
  if (alias.length > 255) throw invalidParameter(`Alias name '${alias.slice(0, 40)}...' exceeds the maximum length of 255 characters.`);
  if (alias.toLowerCase() === 'latest') throw invalidParameter("'latest' alias name (case insensitive) is reserved.");
  if (/^v\d+$/i.test(alias)) throw invalidParameter(`Version alias name '${alias}' is reserved.`);
}

function parseVersion(version: string): number {
  if (!/^\d+$/.test(version)) throw invalidParameter(`Model version must be an integer, got '${version}'.`);
  return Number(version);
}

/** Canonical stage name, case-insensitively. */
export function parseStage(stage: string): Stage {
  const found = STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
  if (!found) throw invalidParameter(`Invalid Model Version stage: ${stage}. Value must be one of ${STAGES.join(', ')}.`);
  return found;
}

/**
 * Rejects traversal in any form in a version source: `..` segments (also percent-encoded, up to
 * three rounds) and NUL bytes.
 * @throws INVALID_PARAMETER_VALUE
 */
export function rejectSourceTraversal(source: string): void {
  let decoded = source;
  try {
    for (let i = 0; i < 3 && decoded.includes('%'); i++) decoded = decodeURIComponent(decoded);
  } catch {
    throw invalidParameter(`Invalid model version source: '${source}'.`);
  }
  if (decoded.includes('\0') || decoded.split(/[/\\]/).includes('..')) {
    throw invalidParameter(`Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path without '..' must be provided.`);
  }
}

/**
 * Checks a remote version source the way MLflow does: no traversal, and no local paths (they
 * are only valid inside a run's own artifact directory, which is proxied here).
 * @throws INVALID_PARAMETER_VALUE
 */
export function validateSource(source: string): void {
  rejectSourceTraversal(source);
  if (/^(file:|\/|\.|[A-Za-z]:\\)/.test(source) || !/^[A-Za-z][\w+.-]*:/.test(source)) {
    throw invalidParameter(`Invalid model version source: '${source}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.`);
  }
}

/** `runs:/<run_id>/<path>` → the artifact URI of that path, given the run's artifact URI. */
export function runsUriLocation(source: string, artifactUriOf: (runId: string) => string): string | null {
  const m = /^runs:\/([^/]+)(?:\/(.*))?$/.exec(source);
  if (!m) return null;
  return m[2] ? joinUri(artifactUriOf(m[1]!), m[2]) : artifactUriOf(m[1]!);
}

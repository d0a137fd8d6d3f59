import type { Command } from 'commander';
import { isCapstanError, registry, type WireKeyValue, type WireModelVersion, type WireRegisteredModel } from '@capstan/api';
import { clientFor, collect, collectTag, emit, filterLiteral, morePages, positiveInt, withCommon, type CommonOptions } from '../context.js';
import { formatPairs, formatTime } from '../output/format.js';
import { renderDetails, renderTable } from '../output/table.js';
import { modelsServeCommand } from './models-serve.js';

function aliasesOf(model: WireRegisteredModel): string {
  return (model.aliases ?? []).map((a) => `${a.alias}→v${a.version}`).join(', ');
}

/** The `models list` table. */
export function registeredModelsTable(models: readonly WireRegisteredModel[]): string {
  return renderTable(models, [
    { header: 'NAME', value: (m) => m.name, max: 48 },
    { header: 'LATEST VERSIONS', value: (m) => (m.latest_versions ?? []).map((v) => `v${v.version} (${v.current_stage})`).join(', '), max: 48 },
    { header: 'ALIASES', value: aliasesOf, max: 40 },
    { header: 'DESCRIPTION', value: (m) => m.description ?? '', max: 40 },
    { header: 'UPDATED', value: (m) => formatTime(m.last_updated_timestamp) },
  ], 'No registered models found.');
}

/** The `models versions` table. */
export function versionsTable(versions: readonly WireModelVersion[]): string {
  return renderTable(versions, [
    { header: 'VERSION', value: (v) => v.version, align: 'right' },
    { header: 'STAGE', value: (v) => v.current_stage },
    { header: 'STATUS', value: (v) => v.status },
    { header: 'ALIASES', value: (v) => (v.aliases ?? []).join(', '), max: 32 },
    { header: 'RUN ID', value: (v) => v.run_id ?? '' },
    { header: 'SOURCE', value: (v) => v.source, max: 60 },
    { header: 'CREATED', value: (v) => formatTime(v.creation_timestamp) },
  ], 'No versions found.');
}

function modelDetails(model: WireRegisteredModel): string {
  const details = renderDetails([
    ['Name', model.name],
    ['Description', model.description ?? ''],
    ['Created', formatTime(model.creation_timestamp)],
    ['Updated', formatTime(model.last_updated_timestamp)],
    ['Aliases', aliasesOf(model)],
    ['Tags', formatPairs(model.tags, '\n')],
  ]);
  const latest = model.latest_versions ?? [];
  return latest.length ? `${details}\n\nLatest versions:\n${versionsTable(latest)}` : details;
}

function versionDetails(v: WireModelVersion): string {
  return renderDetails([
    ['Name', v.name],
    ['Version', v.version],
    ['Stage', v.current_stage],
    ['Status', v.status],
    ['Aliases', (v.aliases ?? []).join(', ')],
    ['Source', v.source],
    ['Run ID', v.run_id ?? ''],
    ['Model ID', v.model_id ?? ''],
    ['Description', v.description ?? ''],
    ['Created', formatTime(v.creation_timestamp)],
    ['Updated', formatTime(v.last_updated_timestamp)],
    ['Tags', formatPairs(v.tags, '\n')],
  ]);
}

type Tagged = { tag?: WireKeyValue[] };

const RUNS_URI = /^runs:\/([^/]+)/;

/**
 * `capstan models …`: the model registry. Registered models (list, create, get, rename, delete),
 * their versions (versions, register, stage) and aliases (`models alias set|get|delete`).
 */
export function modelsCommand(program: Command): void {
  const models = program.command('models').description('Manage the model registry: registered models, versions, stages and aliases');

  withCommon(models.command('list'))
    .description('List registered models (one page; see --max-results and --page-token)')
    .option('--filter <filter>', `search filter, e.g. "name LIKE 'churn%'" or "tags.team = 'ml'"`)
    .option('--order-by <clause>', 'sort clause, e.g. "name ASC" or "last_updated_timestamp DESC" (repeatable)', collect)
    .option('--max-results <n>', 'page size', positiveInt)
    .option('--page-token <token>', 'token of the page to fetch, from a previous listing')
    .action(async (opts: CommonOptions & { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string }) => {
      const page = await clientFor(opts).call(registry.searchRegisteredModels, { filter: opts.filter, order_by: opts.orderBy, max_results: opts.maxResults, page_token: opts.pageToken });
      emit(opts, page, () => registeredModelsTable(page.registered_models ?? []));
      morePages(opts, page.next_page_token);
    });

  withCommon(models.command('create'))
    .description('Create a registered model')
    .argument('<name>', 'model name (unique)')
    .option('--description <text>', 'description')
    .option('--tag <key=value>', 'model tag (repeatable)', collectTag)
    .action(async (name: string, opts: CommonOptions & Tagged & { description?: string }) => {
      const result = await clientFor(opts).call(registry.createRegisteredModel, { name, description: opts.description, tags: opts.tag });
      emit(opts, result, () => `Created registered model '${result.registered_model.name}'`);
    });

  withCommon(models.command('get'))
    .description('Show a registered model with its aliases and latest version per stage')
    .argument('<name>', 'model name')
    .action(async (name: string, opts: CommonOptions) => {
      const result = await clientFor(opts).call(registry.getRegisteredModel, { name });
      emit(opts, result, () => modelDetails(result.registered_model));
    });

  withCommon(models.command('rename'))
    .description('Rename a registered model (its versions follow)')
    .argument('<name>', 'current name')
    .argument('<new-name>', 'new name (unique)')
    .action(async (name: string, newName: string, opts: CommonOptions) => {
      const result = await clientFor(opts).call(registry.renameRegisteredModel, { name, new_name: newName });
      emit(opts, result, () => `Renamed registered model '${name}' to '${result.registered_model.name}'`);
    });

  withCommon(models.command('delete'))
    .description('Delete a registered model and all of its versions')
    .argument('<name>', 'model name')
    .action(async (name: string, opts: CommonOptions) => {
      const result = await clientFor(opts).call(registry.deleteRegisteredModel, { name });
      emit(opts, result, () => `Deleted registered model '${name}'`);
    });

  withCommon(models.command('versions'))
    .description('List the versions of a registered model (one page; see --max-results and --page-token)')
    .argument('<name>', 'model name')
    .option('--order-by <clause>', 'sort clause, e.g. "version_number DESC" (repeatable)', collect)
    .option('--max-results <n>', 'page size', positiveInt)
    .option('--page-token <token>', 'token of the page to fetch, from a previous listing')
    .action(async (name: string, opts: CommonOptions & { orderBy?: string[]; maxResults?: number; pageToken?: string }) => {
      const page = await clientFor(opts).call(registry.searchModelVersions, { filter: `name = ${filterLiteral(name)}`, order_by: opts.orderBy, max_results: opts.maxResults, page_token: opts.pageToken });
      emit(opts, page, () => versionsTable(page.model_versions ?? []));
      morePages(opts, page.next_page_token);
    });

  withCommon(models.command('register'))
    .description('Register a new version of a model from a source URI, creating the registered model if needed')
    .argument('<name>', 'registered model name')
    .requiredOption('--source <uri>', 'where the model files are: runs:/<run-id>/<path>, models:/<name>/<version>, mlflow-artifacts:/…')
    .option('--run-id <id>', 'run that produced the model (default: the run of a runs:/ source)')
    .option('--model-id <id>', 'logged model (MLflow 3) the version comes from')
    .option('--description <text>', 'version description')
    .option('--tag <key=value>', 'version tag (repeatable)', collectTag)
    .action(async (name: string, opts: CommonOptions & Tagged & { source: string; runId?: string; modelId?: string; description?: string }) => {
      const client = clientFor(opts);
      try {
        await client.call(registry.createRegisteredModel, { name });
      } catch (error) {
        if (!isCapstanError(error) || error.code !== 'RESOURCE_ALREADY_EXISTS') throw error;
      }
      const result = await client.call(registry.createModelVersion, {
        name, source: opts.source, run_id: opts.runId ?? RUNS_URI.exec(opts.source)?.[1], model_id: opts.modelId, description: opts.description, tags: opts.tag,
      });
      emit(opts, result, () => `Registered '${name}' version ${result.model_version.version} from ${result.model_version.source}`);
    });

  withCommon(models.command('stage'))
    .description('Move a model version to a stage (None, Staging, Production, Archived)')
    .argument('<name>', 'registered model name')
    .argument('<version>', 'version number', positiveInt)
    .argument('<stage>', 'target stage: None, Staging, Production or Archived')
    .option('--archive-existing', 'archive the versions currently in that stage (Staging/Production only)')
    .action(async (name: string, version: number, stage: string, opts: CommonOptions & { archiveExisting?: boolean }) => {
      const result = await clientFor(opts).call(registry.transitionModelVersionStage, { name, version, stage, archive_existing_versions: opts.archiveExisting ?? false });
      emit(opts, result, () => `Moved '${name}' version ${result.model_version.version} to ${result.model_version.current_stage}`);
    });

  const alias = models.command('alias').description("Manage a registered model's aliases: set, get, delete");

  withCommon(alias.command('set'))
    .description('Point an alias at a version (moving it if it exists)')
    .argument('<name>', 'registered model name')
    .argument('<alias>', 'alias, e.g. champion')
    .argument('<version>', 'version number', positiveInt)
    .action(async (name: string, aliasName: string, version: number, opts: CommonOptions) => {
      const result = await clientFor(opts).call(registry.setAlias, { name, alias: aliasName, version: String(version) });
      emit(opts, result, () => `Alias '${aliasName}' of '${name}' now points at version ${version}`);
    });

  withCommon(alias.command('get'))
    .description('Show the version an alias points at')
    .argument('<name>', 'registered model name')
    .argument('<alias>', 'alias')
    .action(async (name: string, aliasName: string, opts: CommonOptions) => {
      const result = await clientFor(opts).call(registry.getModelVersionByAlias, { name, alias: aliasName });
      emit(opts, result, () => versionDetails(result.model_version));
    });

  withCommon(alias.command('delete'))
    .description('Delete an alias')
    .argument('<name>', 'registered model name')
    .argument('<alias>', 'alias')
    .action(async (name: string, aliasName: string, opts: CommonOptions) => {
      const result = await clientFor(opts).call(registry.deleteAlias, { name, alias: aliasName });
      emit(opts, result, () => `Deleted alias '${aliasName}' of '${name}'`);
    });

  modelsServeCommand(models);
}

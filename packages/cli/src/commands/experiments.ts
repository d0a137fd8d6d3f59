import { Option, type Command } from 'commander';
import { tracking, type WireExperiment } from '@capstan/api';
import { clientFor, collect, collectTag, emit, morePages, positiveInt, withCommon, type CommonOptions } from '../context.js';
import { formatPairs, formatTime } from '../output/format.js';
import { renderDetails, renderTable } from '../output/table.js';

const VIEWS = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' } as const;

/** The `experiments list` table. */
export function experimentsTable(experiments: readonly WireExperiment[]): string {
  return renderTable(experiments, [
    { header: 'ID', value: (e) => e.experiment_id },
    { header: 'NAME', value: (e) => e.name, max: 48 },
    { header: 'STAGE', value: (e) => e.lifecycle_stage },
    { header: 'ARTIFACT LOCATION', value: (e) => e.artifact_location, max: 56 },
    { header: 'CREATED', value: (e) => formatTime(e.creation_time) },
  ], 'No experiments found.');
}

function experimentDetails(e: WireExperiment): string {
  return renderDetails([
    ['ID', e.experiment_id],
    ['Name', e.name],
    ['Stage', e.lifecycle_stage],
    ['Artifact location', e.artifact_location],
    ['Created', formatTime(e.creation_time)],
    ['Updated', formatTime(e.last_update_time)],
    ['Tags', formatPairs(e.tags, '\n')],
  ]);
}

/** `capstan experiments …`: list, create, get, rename, delete and restore experiments. */
export function experimentsCommand(program: Command): void {
  const experiments = program.command('experiments').description('Manage experiments: list, create, get, rename, delete, restore');

  withCommon(experiments.command('list'))
    .description('List experiments (one page; see --max-results and --page-token)')
    .addOption(new Option('--view <view>', 'which experiments to list').choices(Object.keys(VIEWS)).default('active'))
    .option('--filter <filter>', `search filter, e.g. "name LIKE 'churn%'" or "tags.team = 'ml'"`)
    .option('--order-by <clause>', 'sort clause, e.g. "name ASC" or "creation_time DESC" (repeatable)', collect)
    .option('--max-results <n>', 'page size', positiveInt)
    .option('--page-token <token>', 'token of the page to fetch, from a previous listing')
    .action(async (opts: CommonOptions & { view: keyof typeof VIEWS; filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string }) => {
      const page = await clientFor(opts).call(tracking.searchExperiments, {
        view_type: VIEWS[opts.view], filter: opts.filter, order_by: opts.orderBy, max_results: opts.maxResults, page_token: opts.pageToken,
      });
      emit(opts, page, () => experimentsTable(page.experiments ?? []));
      morePages(opts, page.next_page_token);
    });

  withCommon(experiments.command('create'))
    .description('Create an experiment and print its id')
    .argument('<name>', 'experiment name (unique)')
    .option('--artifact-location <uri>', "where the experiment's run artifacts go (default: the server's artifact root)")
    .option('--tag <key=value>', 'experiment tag (repeatable)', collectTag)
    .action(async (name: string, opts: CommonOptions & { artifactLocation?: string; tag?: { key: string; value: string }[] }) => {
      const created = await clientFor(opts).call(tracking.createExperiment, { name, artifact_location: opts.artifactLocation, tags: opts.tag });
      emit(opts, created, () => `Created experiment '${name}' with id ${created.experiment_id}`);
    });

  withCommon(experiments.command('get'))
    .description('Show one experiment, by id or (when not numeric, or with --name) by name')
    .argument('<experiment>', 'experiment id or name')
    .option('--name', 'look the experiment up by name even if it is numeric')
    .action(async (experiment: string, opts: CommonOptions & { name?: boolean }) => {
      const client = clientFor(opts);
      const result = opts.name || !/^\d+$/.test(experiment)
        ? await client.call(tracking.getExperimentByName, { experiment_name: experiment })
        : await client.call(tracking.getExperiment, { experiment_id: experiment });
      emit(opts, result, () => experimentDetails(result.experiment));
    });

  withCommon(experiments.command('rename'))
    .description('Rename an experiment')
    .argument('<experiment-id>', 'experiment id')
    .argument('<new-name>', 'new name (unique)')
    .action(async (id: string, newName: string, opts: CommonOptions) => {
      const result = await clientFor(opts).call(tracking.updateExperiment, { experiment_id: id, new_name: newName });
      emit(opts, result, () => `Renamed experiment ${id} to '${newName}'`);
    });

  withCommon(experiments.command('delete'))
    .description('Mark an experiment and its runs deleted (restorable with `experiments restore`)')
    .argument('<experiment-id>', 'experiment id')
    .action(async (id: string, opts: CommonOptions) => {
      const result = await clientFor(opts).call(tracking.deleteExperiment, { experiment_id: id });
      emit(opts, result, () => `Deleted experiment ${id}`);
    });

  withCommon(experiments.command('restore'))
    .description('Restore a deleted experiment')
    .argument('<experiment-id>', 'experiment id')
    .action(async (id: string, opts: CommonOptions) => {
      const result = await clientFor(opts).call(tracking.restoreExperiment, { experiment_id: id });
      emit(opts, result, () => `Restored experiment ${id}`);
    });
}

import { Option, type Command } from 'commander';
import { tracking, type WireMetric, type WireRun } from '@capstan/api';
import { clientFor, collect, emit, morePages, positiveInt, withCommon, type CommonOptions } from '../context.js';
import { formatDuration, formatTime, formatValue } from '../output/format.js';
import { renderDetails, renderTable } from '../output/table.js';

const VIEWS = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' } as const;

function compact(value: number | string): string {
  return typeof value === 'number' && !Number.isInteger(value) ? String(Number(value.toPrecision(6))) : formatValue(value);
}

function duration(run: WireRun): string {
  const { start_time: start, end_time: end } = run.info;
  return start && end ? formatDuration(end - start) : '';
}

/** The `runs list` table. */
export function runsTable(runs: readonly WireRun[]): string {
  return renderTable(runs, [
    { header: 'RUN ID', value: (r) => r.info.run_id },
    { header: 'NAME', value: (r) => r.info.run_name, max: 32 },
    { header: 'EXPERIMENT', value: (r) => r.info.experiment_id },
    { header: 'STATUS', value: (r) => r.info.status },
    { header: 'STARTED', value: (r) => formatTime(r.info.start_time) },
    { header: 'DURATION', value: duration, align: 'right' },
    { header: 'METRICS', value: (r) => (r.data.metrics ?? []).map((m) => `${m.key}=${compact(m.value)}`).join(' '), max: 60 },
  ], 'No runs found.');
}

function metricsTable(metrics: readonly WireMetric[]): string {
  return renderTable(metrics, [
    { header: 'KEY', value: (m) => m.key },
    { header: 'VALUE', value: (m) => formatValue(m.value), align: 'right' },
    { header: 'STEP', value: (m) => String(m.step), align: 'right' },
    { header: 'TIMESTAMP', value: (m) => formatTime(m.timestamp) },
  ]);
}

function runDetails(run: WireRun): string {
  const i = run.info;
  const sections = [renderDetails([
    ['Run ID', i.run_id],
    ['Name', i.run_name],
    ['Experiment', i.experiment_id],
    ['Status', i.status],
    ['Stage', i.lifecycle_stage],
    ['User', i.user_id],
    ['Started', formatTime(i.start_time)],
    ['Ended', formatTime(i.end_time)],
    ['Duration', duration(run)],
    ['Artifact URI', i.artifact_uri],
  ])];
  const kv = (title: string, pairs: { key: string; value: string }[] | undefined) => {
    if (pairs?.length) sections.push(`${title}:\n${renderTable(pairs, [{ header: 'KEY', value: (p) => p.key }, { header: 'VALUE', value: (p) => p.value, max: 80 }])}`);
  };
  if (run.data.metrics?.length) sections.push(`Metrics:\n${metricsTable(run.data.metrics)}`);
  kv('Params', run.data.params);
  kv('Tags', run.data.tags);
  const datasets = run.inputs.dataset_inputs ?? [];
  if (datasets.length) sections.push(`Datasets:\n${renderTable(datasets, [{ header: 'NAME', value: (d) => d.dataset.name }, { header: 'DIGEST', value: (d) => d.dataset.digest }, { header: 'SOURCE', value: (d) => d.dataset.source, max: 60 }])}`);
  const models = run.outputs.model_outputs ?? [];
  if (models.length) sections.push(`Model outputs:\n${renderTable(models, [{ header: 'MODEL ID', value: (m) => m.model_id }, { header: 'STEP', value: (m) => String(m.step), align: 'right' }])}`);
  return sections.join('\n\n');
}

/** `capstan runs …`: list, get, delete, restore runs and read metric histories. */
export function runsCommand(program: Command): void {
  const runs = program.command('runs').description('Inspect and manage runs: list, get, delete, restore, metric-history');

  withCommon(runs.command('list'))
    .description('List the runs of one or more experiments (one page; see --max-results and --page-token)')
    .requiredOption('--experiment-id <id>', 'experiment to search (repeatable)', collect)
    .option('--filter <filter>', `search filter, e.g. "metrics.acc > 0.9 and params.model = 'xgb'"`)
    .option('--order-by <clause>', 'sort clause, e.g. "metrics.acc DESC" or "start_time ASC" (repeatable)', collect)
    .option('--max-results <n>', 'page size', positiveInt)
    .option('--page-token <token>', 'token of the page to fetch, from a previous listing')
    .addOption(new Option('--view <view>', 'which runs to list').choices(Object.keys(VIEWS)).default('active'))
    .action(async (opts: CommonOptions & { experimentId: string[]; filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string; view: keyof typeof VIEWS }) => {
      const page = await clientFor(opts).call(tracking.searchRuns, {
        experiment_ids: opts.experimentId, filter: opts.filter, order_by: opts.orderBy, max_results: opts.maxResults, page_token: opts.pageToken, run_view_type: VIEWS[opts.view],
      });
      emit(opts, page, () => runsTable(page.runs ?? []));
      morePages(opts, page.next_page_token);
    });

  withCommon(runs.command('get'))
    .description('Show one run: info, latest metrics, params, tags, inputs and outputs')
    .argument('<run-id>', 'run id')
    .action(async (runId: string, opts: CommonOptions) => {
      const result = await clientFor(opts).call(tracking.getRun, { run_id: runId });
      emit(opts, result, () => runDetails(result.run));
    });

  withCommon(runs.command('delete'))
    .description('Mark a run deleted (restorable with `runs restore`)')
    .argument('<run-id>', 'run id')
    .action(async (runId: string, opts: CommonOptions) => {
      const result = await clientFor(opts).call(tracking.deleteRun, { run_id: runId });
      emit(opts, result, () => `Deleted run ${runId}`);
    });

  withCommon(runs.command('restore'))
    .description('Restore a deleted run')
    .argument('<run-id>', 'run id')
    .action(async (runId: string, opts: CommonOptions) => {
      const result = await clientFor(opts).call(tracking.restoreRun, { run_id: runId });
      emit(opts, result, () => `Restored run ${runId}`);
    });

  withCommon(runs.command('metric-history'))
    .description("Print every logged point of one of a run's metrics (all pages)")
    .argument('<run-id>', 'run id')
    .argument('<metric-key>', 'metric name')
    .option('--page-size <n>', 'points fetched per request', positiveInt, 10_000)
    .action(async (runId: string, key: string, opts: CommonOptions & { pageSize: number }) => {
      const client = clientFor(opts);
      const metrics: WireMetric[] = [];
      for await (const point of client.runs.metricHistory(runId, key, opts.pageSize)) metrics.push(point);
      emit(opts, { metrics }, () => (metrics.length ? metricsTable(metrics) : `No points of metric '${key}' in run ${runId}.`));
    });
}

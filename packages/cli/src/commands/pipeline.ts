import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { CapstanError, type WireLineage, type WirePipeline, type WirePipelineRun, type WireStepExecution, type WireStepLog } from '@capstan/api';
import { PipelinesClient } from '@capstan/client';
import { clientFor, collect, emit, positiveInt, withCommon, type CommonOptions } from '../context.js';
import { formatDuration, formatTime } from '../output/format.js';
import { renderDetails, renderTable } from '../output/table.js';

/** A pipelines client for `--tracking-uri`, with the same URI check and credentials as {@link clientFor}. */
function pipelinesClient(options: CommonOptions, env: NodeJS.ProcessEnv = process.env): PipelinesClient {
  clientFor(options, env);
  const token = env.CAPSTAN_TRACKING_TOKEN || env.MLFLOW_TRACKING_TOKEN;
  const headers: Record<string, string> = {};
  if (!token && env.MLFLOW_TRACKING_USERNAME) {
    headers.authorization = `Basic ${Buffer.from(`${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD ?? ''}`).toString('base64')}`;
  }
  return new PipelinesClient({ baseUrl: options.trackingUri, headers, ...(token ? { token } : {}) });
}

/** `key=value` pairs into params; values that parse as JSON (numbers, booleans, lists) are sent parsed. */
export function parseParams(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new CapstanError('INVALID_PARAMETER_VALUE', `expected --param key=value, got '${pair}'`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    out[pair.slice(0, eq)] = value;
  }
  return out;
}

const SYMBOL: Record<string, string> = { COMPLETE: '✓', CACHED: '≡', FAILED: '✗', CANCELED: '⊘', SKIPPED: '↷', RUNNING: '▶', WAITING: '⏸', NEW: '·' };

function duration(s: { startedAt?: number; endedAt?: number }): string {
  return s.startedAt && s.endedAt ? formatDuration(s.endedAt - s.startedAt) : s.startedAt ? formatDuration(Date.now() - s.startedAt) : '';
}

/** The steps table of `pipeline show`. */
export function stepsTable(steps: readonly WireStepExecution[]): string {
  return renderTable(steps, [
    { header: '', value: (s) => SYMBOL[s.state] ?? '?' },
    { header: 'STEP', value: (s) => s.node, max: 40 },
    { header: 'STATE', value: (s) => s.state },
    { header: 'TRY', value: (s) => (s.attempt ? String(s.attempt) : ''), align: 'right' },
    { header: 'TIME', value: duration, align: 'right' },
    { header: 'OUTPUTS', value: (s) => [...(s.outputs ?? []).map((o) => `${o.name}=${o.artifact.digest.slice(0, 15)}`), ...Object.entries(s.values ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`)].join(' '), max: 60 },
    { header: 'ERROR', value: (s) => s.error ?? '', max: 70 },
  ], 'No steps yet.');
}

function runsTable(runs: readonly WirePipelineRun[]): string {
  return renderTable(runs, [
    { header: 'RUN ID', value: (r) => r.runId },
    { header: 'PIPELINE', value: (r) => r.pipeline, max: 32 },
    { header: 'STATUS', value: (r) => r.status },
    { header: 'TRIGGER', value: (r) => r.trigger?.kind ?? '' },
    { header: 'CREATED', value: (r) => formatTime(r.createdAt) },
    { header: 'TIME', value: duration, align: 'right' },
    { header: 'ERROR', value: (r) => r.error ?? '', max: 60 },
  ], 'No pipeline runs found.');
}

function runDetails(run: WirePipelineRun): string {
  return `${renderDetails([
    ['Run ID', run.runId], ['Pipeline', run.pipeline], ['Status', run.status], ['Params', JSON.stringify(run.params)],
    ['Trigger', run.trigger ? `${run.trigger.kind}${run.trigger.detail ? ` (${run.trigger.detail})` : ''}` : ''],
    ['Created', formatTime(run.createdAt)], ['Duration', duration(run)], ['MLflow run', run.trackingRunId ?? ''], ['Error', run.error ?? ''],
  ])}\n\n${stepsTable(run.steps ?? [])}`;
}

/** Reads a pipeline file: YAML/JSON text, or a compiled JS module exporting a definition. */
async function loadPipelineFile(file: string): Promise<{ yaml?: string; spec?: unknown; baseDir: string }> {
  const path = resolve(file);
  const baseDir = dirname(path);
  const ext = extname(path).toLowerCase();
  if (ext === '.js' || ext === '.mjs' || ext === '.cjs') {
    const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
    const def = mod.default as { spec?: unknown } | undefined;
    if (!def) throw new CapstanError('INVALID_PARAMETER_VALUE', `${file} has no default export; export default definePipeline(...)`);
    return { spec: def.spec ?? def, baseDir };
  }
  if (ext === '.ts' || ext === '.mts') throw new CapstanError('INVALID_PARAMETER_VALUE', `${file}: Node 20 cannot run TypeScript directly; compile it (tsc) and pass the .js/.mjs file`);
  const text = await readFile(path, 'utf8');
  if (ext === '.json') return { spec: JSON.parse(text), baseDir };
  return { yaml: text, baseDir };
}

function isFileArg(arg: string): boolean {
  return /\.(ya?ml|json|m?js|cjs|ts|mts)$/i.test(arg) || arg.includes('/');
}

/** Follows a run and prints each step change: a redrawn table on a terminal, one line per change otherwise. */
async function follow(client: PipelinesClient, run: WirePipelineRun, json: boolean | undefined): Promise<WirePipelineRun> {
  const tty = Boolean(process.stderr.isTTY) && !json;
  const seen = new Map<number, string>();
  let drawnLines = 0;
  return client.watch(run.runId, (r) => {
    if (json) return;
    if (tty) {
      const text = `${r.pipeline} ${r.runId.slice(0, 8)}  ${r.status}\n${stepsTable(r.steps ?? [])}\n`;
      if (drawnLines) process.stderr.write(`\x1b[${drawnLines}A\x1b[0J`);
      process.stderr.write(text);
      drawnLines = text.split('\n').length - 1;
      return;
    }
    for (const s of r.steps ?? []) {
      if (seen.get(s.id) === s.state) continue;
      seen.set(s.id, s.state);
      process.stderr.write(`${SYMBOL[s.state] ?? '?'} ${s.node} ${s.state}${s.attempt > 1 ? ` (try ${s.attempt})` : ''}${s.error ? `: ${s.error}` : ''}\n`);
    }
  }, { intervalMs: 300 });
}

/** `capstan pipeline ...`: define, run, follow, approve and inspect pipelines. */
export function pipelineCommand(program: Command): void {
  const pipeline = program.command('pipeline').description('Pipelines: run, follow, approve, cancel, inspect lineage');

  withCommon(pipeline.command('run <pipeline>')
    .description('Run a pipeline: a stored name, or a file (YAML, JSON, or a compiled .js/.mjs exporting definePipeline) that is stored first')
    .option('-p, --param <key=value>', 'a parameter (repeatable); JSON values are parsed', collect)
    .option('--no-wait', 'return once the run has started'))
    .action(async (target: string, opts: CommonOptions & { param?: string[]; wait: boolean }) => {
      const client = pipelinesClient(opts);
      let name = target;
      if (isFileArg(target)) {
        const loaded = await loadPipelineFile(target);
        const saved = await client.transport.call((await import('@capstan/api')).pipelines.put, { spec: loaded.spec, ...(loaded.yaml !== undefined ? { yaml: loaded.yaml } : {}), baseDir: loaded.baseDir });
        name = saved.pipeline.name;
      }
      const run = await client.run(name, parseParams(opts.param ?? []));
      if (!opts.json) process.stderr.write(`Started run ${run.runId} of ${name}\n`);
      if (!opts.wait) {
        emit(opts, { run }, () => run.runId);
        return;
      }
      const done = await follow(client, run, opts.json);
      emit(opts, { run: done }, () => `Run ${done.runId} ${done.status}${done.error ? `: ${done.error}` : ''}`);
      if (done.status !== 'SUCCEEDED') process.exitCode = 1;
    });

  withCommon(pipeline.command('list').description('List pipelines')).action(async (opts: CommonOptions) => {
    const pipelines = await pipelinesClient(opts).list();
    emit(opts, { pipelines }, () => renderTable(pipelines, [
      { header: 'NAME', value: (p: WirePipeline) => p.name, max: 40 },
      { header: 'STEPS', value: (p) => String(p.spec.steps.length), align: 'right' },
      { header: 'SCHEDULES', value: (p) => p.spec.schedules.map((s) => s.cron).join(', '), max: 30 },
      { header: 'TRIGGERS', value: (p) => p.spec.triggers.map((t) => t.event).join(', '), max: 40 },
      { header: 'UPDATED', value: (p) => formatTime(p.updatedAt) },
    ], 'No pipelines found.'));
  });

  withCommon(pipeline.command('runs').description('List pipeline runs, newest first')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--status <status>', 'QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELED')
    .option('--max-results <n>', 'at most this many', positiveInt, 50))
    .action(async (opts: CommonOptions & { pipeline?: string; status?: WirePipelineRun['status']; maxResults: number }) => {
      const runs = await pipelinesClient(opts).listRuns({ ...(opts.pipeline ? { pipeline: opts.pipeline } : {}), ...(opts.status ? { status: opts.status } : {}), maxResults: opts.maxResults });
      emit(opts, { runs }, () => runsTable(runs));
    });

  withCommon(pipeline.command('show <runId>').description('Show a run and its steps').option('-f, --follow', 'keep showing progress until the run ends'))
    .action(async (runId: string, opts: CommonOptions & { follow?: boolean }) => {
      const client = pipelinesClient(opts);
      let run = await client.getRun(runId);
      if (opts.follow) run = await follow(client, run, opts.json);
      emit(opts, { run }, () => runDetails(run));
    });

  withCommon(pipeline.command('logs <runId> <step>').description("Print a step's output (stdout, stderr in red on a terminal); -f follows it while it runs")
    .option('--attempt <n>', 'this attempt (default: the latest)', positiveInt)
    .option('-f, --follow', 'keep printing until the attempt ends'))
    .action(async (runId: string, step: string, opts: CommonOptions & { attempt?: number; follow?: boolean }) => {
      const client = pipelinesClient(opts);
      const tty = Boolean(process.stdout.isTTY) && !opts.json;
      const print = (lines: WireStepLog['lines']) => {
        for (const line of lines) {
          if (opts.json) process.stdout.write(`${JSON.stringify(line)}\n`);
          else if (line.s === 'err' && tty) process.stdout.write(`\x1b[31m${line.l}\x1b[0m\n`);
          else process.stdout.write(`${line.s === 'sys' ? '# ' : ''}${line.l}\n`);
        }
      };
      const attempt = opts.attempt !== undefined ? { attempt: opts.attempt } : {};
      let last: WireStepLog;
      if (opts.follow) last = await client.followStepLogs(runId, step, print, attempt);
      else {
        let offset = 0;
        do {
          last = await client.stepLogs(runId, step, { ...attempt, offset, limit: 10_000 });
          print(last.lines);
          offset = last.next;
        } while (last.lines.length === 10_000);
      }
      if (!opts.json) process.stderr.write(`${step} attempt ${last.attempt} of ${last.attempts.length}: ${last.state}${last.next === 0 ? ' (no output)' : ''}\n`);
    });

  withCommon(pipeline.command('cancel <runId>').description('Cancel a run (running steps are stopped)')).action(async (runId: string, opts: CommonOptions) => {
    const run = await pipelinesClient(opts).cancel(runId);
    emit(opts, { run }, () => `Run ${run.runId} ${run.status}`);
  });

  withCommon(pipeline.command('approvals').description('List approvals').option('--state <state>', 'PENDING, APPROVED or REJECTED').option('--run <runId>', 'only this run'))
    .action(async (opts: CommonOptions & { state?: 'PENDING' | 'APPROVED' | 'REJECTED'; run?: string }) => {
      const approvals = await pipelinesClient(opts).approvals({ ...(opts.state ? { state: opts.state } : {}), ...(opts.run ? { runId: opts.run } : {}) });
      emit(opts, { approvals }, () => renderTable(approvals, [
        { header: 'RUN ID', value: (a) => a.runId }, { header: 'STEP', value: (a) => a.step }, { header: 'STATE', value: (a) => a.state },
        { header: 'BY', value: (a) => a.decidedBy ?? '' }, { header: 'DECIDED', value: (a) => (a.decidedAt ? formatTime(a.decidedAt) : '') },
        { header: 'TIMEOUT', value: (a) => formatTime(a.timeoutAt) }, { header: 'COMMENT', value: (a) => a.comment ?? a.message ?? '', max: 50 },
      ], 'No approvals found.'));
    });

  for (const verb of ['approve', 'reject'] as const) {
    withCommon(pipeline.command(`${verb} <runId> <step>`).description(`${verb === 'approve' ? 'Approve' : 'Reject'} a waiting approval step`)
      .option('--by <name>', 'who decides (default: $USER)', process.env.USER ?? 'cli')
      .option('-m, --comment <text>', 'why'))
      .action(async (runId: string, step: string, opts: CommonOptions & { by: string; comment?: string }) => {
        const client = pipelinesClient(opts);
        const approval = await client[verb](runId, step, { by: opts.by, ...(opts.comment ? { comment: opts.comment } : {}) });
        emit(opts, { approval }, () => `${step} of run ${runId}: ${approval.state} by ${approval.decidedBy} at ${formatTime(approval.decidedAt)}`);
      });
  }

  withCommon(pipeline.command('lineage').description('Lineage of an artifact: what produced it (upstream) or what depends on it (downstream)')
    .option('--uri <uri>', 'artifact URI (e.g. a dataset)')
    .option('--digest <digest>', 'artifact content digest')
    .option('--model <name>', 'registered model name (with --version)')
    .option('--version <n>', 'registered model version', positiveInt)
    .option('--downstream', 'what depends on it instead of what produced it'))
    .action(async (opts: CommonOptions & { uri?: string; digest?: string; model?: string; version?: number; downstream?: boolean }) => {
      const lineage = await pipelinesClient(opts).lineage({
        ...(opts.uri ? { uri: opts.uri } : {}), ...(opts.digest ? { digest: opts.digest } : {}), ...(opts.model ? { model: opts.model } : {}),
        ...(opts.version ? { version: opts.version } : {}), direction: opts.downstream ? 'downstream' : 'upstream',
      });
      emit(opts, lineage, () => lineageText(lineage));
    });
}

/** A lineage graph as text: each execution with its parameters, inputs and outputs. */
export function lineageText(l: WireLineage): string {
  const byId = new Map(l.artifacts.map((a) => [a.id, a]));
  const lines = [`${l.direction === 'upstream' ? 'Produced' : 'Used'} ${l.root.type} ${l.root.uri} (${l.root.digest})`, ''];
  for (const e of l.executions) {
    lines.push(`${e.pipeline} run ${e.runId.slice(0, 8)} step ${e.node} [${e.state}]${e.params && Object.keys(e.params).length ? ` params ${JSON.stringify(e.params)}` : ''}`);
    for (const ev of l.events.filter((x) => x.executionId === e.id)) {
      const a = byId.get(ev.artifactId);
      lines.push(`  ${ev.type === 'INPUT' ? '<-' : '->'} ${ev.path}: ${a?.type} ${a?.uri} ${a?.digest.slice(0, 19)}`);
    }
  }
  if (!l.executions.length) lines.push('(no executions)');
  return lines.join('\n');
}

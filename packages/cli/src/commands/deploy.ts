import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { CapstanError, ErrorCode, isCapstanError, type WireDeployment, type WireDeploymentChange, type WireDeploymentSpec, type WireVersionStatus } from '@capstan/api';
import { ServingApi, type CanaryOptions, type DeploymentOptions, type ModelSelector, type OipTensor } from '@capstan/client';
import { clientFor, emit, positiveInt, withCommon, type CommonOptions } from '../context.js';
import { formatTime } from '../output/format.js';
import type { ProgressStream } from '../output/progress.js';
import { renderDetails, renderTable } from '../output/table.js';

/** Exit code of `deploy canary --watch` when the canary was rolled back. */
export const EXIT_ROLLED_BACK = 3;

/** A `--model URI[=WEIGHT]` value. */
export interface ModelArg { modelUri: string; weight?: number }

const TRAILING_NUMBER = /^(.*)=([^=]*)$/;

function uriOf(text: string, flag: string): string {
  const uri = text.trim();
  if (!uri) throw new InvalidArgumentError(`${flag} needs a model URI such as models:/churn/1 or models:/churn@champion.`);
  if (!uri.startsWith('models:/')) throw new InvalidArgumentError(`'${uri}' is not a registry URI: use models:/<name>/<version> or models:/<name>@<alias>.`);
  return uri;
}

/** Parses `models:/churn/1` or `models:/churn/1=90` (weight in percent, 0–100). */
export function parseModelArg(value: string): ModelArg {
  const m = TRAILING_NUMBER.exec(value);
  if (!m) return { modelUri: uriOf(value, '--model') };
  const weight = Number(m[2]);
  if (m[2]!.trim() === '' || !Number.isFinite(weight) || weight < 0 || weight > 100) {
    throw new InvalidArgumentError(`weight '${m[2]}' in '${value}' must be a number from 0 to 100 (percent of traffic), e.g. models:/churn/2=10.`);
  }
  return { modelUri: uriOf(m[1]!, '--model'), weight };
}

/** Parses `models:/churn/2` or `models:/churn/2=0.25` (fraction of requests copied, in (0, 1]). */
export function parseShadowArg(value: string): { modelUri: string; fraction?: number } {
  const m = TRAILING_NUMBER.exec(value);
  if (!m) return { modelUri: uriOf(value, '--shadow') };
  const fraction = Number(m[2]);
  if (m[2]!.trim() === '' || !Number.isFinite(fraction) || fraction <= 0 || fraction > 1) {
    throw new InvalidArgumentError(`shadow fraction '${m[2]}' in '${value}' must be greater than 0 and at most 1, e.g. models:/churn/2=0.1.`);
  }
  return { modelUri: uriOf(m[1]!, '--shadow'), fraction };
}

function collectModel(value: string, previous: ModelArg[] | undefined): ModelArg[] {
  return [...(previous ?? []), parseModelArg(value)];
}

function percentList(value: string): number[] {
  const steps = value.split(',').map((s) => Number(s.trim()));
  if (steps.length === 0 || steps.some((s) => !Number.isFinite(s) || s <= 0 || s > 100)) throw new InvalidArgumentError(`expected comma-separated percentages in (0, 100], e.g. 10,50,100; got '${value}'.`);
  for (let i = 1; i < steps.length; i++) if (steps[i]! <= steps[i - 1]!) throw new InvalidArgumentError(`steps must increase, e.g. 10,50,100; got '${value}'.`);
  return steps;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number greater than 0.');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer of 0 or more.');
  return n;
}

function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a fraction from 0 to 1, e.g. 0.01 for 1%.');
  return n;
}

/**
 * Checks `--model` weights before anything is sent: when every version has a weight they must
 * sum to 100; when some are left out, the given ones must leave room for the rest (which split
 * what is left equally).
 * @throws INVALID_PARAMETER_VALUE
 */
export function checkWeights(models: readonly ModelArg[]): void {
  const given = models.filter((m) => m.weight !== undefined).map((m) => m.weight!);
  const sum = given.reduce((a, b) => a + b, 0);
  const example = 'e.g. --model models:/churn/1=90 --model models:/churn/2=10';
  if (given.length === models.length && Math.abs(sum - 100) > 1e-9) {
    throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `Traffic weights must sum to 100; they sum to ${sum} (${example}).`);
  }
  if (given.length < models.length && sum > 100 + 1e-9) {
    throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `Traffic weights given sum to ${sum}, more than 100, leaving nothing for the versions without one (${example}).`);
  }
}

/** The serving API for `--tracking-uri`, with the same credentials as other commands and the caller's name in `x-capstan-user`. */
export function servingFor(options: Pick<CommonOptions, 'trackingUri'>, env: NodeJS.ProcessEnv = process.env): ServingApi {
  clientFor(options, env);
  const token = env.CAPSTAN_TRACKING_TOKEN || env.MLFLOW_TRACKING_TOKEN;
  const headers: Record<string, string> = {};
  if (!token && env.MLFLOW_TRACKING_USERNAME) {
    headers.authorization = `Basic ${Buffer.from(`${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD ?? ''}`).toString('base64')}`;
  } else {
    const user = env.CAPSTAN_USER || env.USER || env.USERNAME;
    if (user) headers['x-capstan-user'] = user;
  }
  return new ServingApi({ baseUrl: options.trackingUri, headers, ...(token ? { token } : {}) });
}

const ref = (v: { model: string; version: string }) => `${v.model}/${v.version}`;

function specSummary(spec: WireDeploymentSpec): string {
  return spec.variants.map((v) => `${ref(v)} ${v.weight}%`).join(', ');
}

function canaryText(spec: WireDeploymentSpec): string {
  const c = spec.canary;
  if (!c) return '';
  const plan = `${ref(c.stable)} → ${ref(c.candidate)}, steps ${c.steps.join('→')}% every ${c.stepSeconds}s`;
  if (c.status === 'running') return `running: step ${c.step + 1}/${c.steps.length} (${c.steps[c.step]}%); ${plan}`;
  return `${c.status.replace('_', ' ')}${c.reason ? ` (${c.reason})` : ''}; ${plan}`;
}

/** The `deploy list` table. */
export function deploymentsTable(deployments: readonly WireDeployment[]): string {
  return renderTable(deployments, [
    { header: 'NAME', value: (d) => d.name, max: 40 },
    { header: 'VERSIONS', value: (d) => specSummary(d.spec), max: 60 },
    { header: 'SHADOW', value: (d) => (d.spec.shadow ? `${ref(d.spec.shadow)} ×${d.spec.shadow.fraction}` : '') },
    { header: 'CANARY', value: (d) => (d.spec.canary ? d.spec.canary.status.replace('_', ' ') : '') },
    { header: 'REV', value: (d) => String(d.revision), align: 'right' },
    { header: 'UPDATED', value: (d) => formatTime(d.updatedAt) },
  ], 'No deployments found.');
}

/** The per-version table of `deploy show`: spec weights with the answering server's live numbers. */
export function statusTable(deployment: WireDeployment, status: readonly WireVersionStatus[] | null): string {
  const rows: readonly WireVersionStatus[] = status ?? [
    ...deployment.spec.variants.map((v) => ({ ...v, shadow: false, queued: 0, inFlight: 0, stats: { requests: 0, errors: 0, p99Ms: 0 } })),
    ...(deployment.spec.shadow ? [{ ...deployment.spec.shadow, weight: 0, shadow: true, queued: 0, inFlight: 0, stats: { requests: 0, errors: 0, p99Ms: 0 } }] : []),
  ];
  const live = status !== null;
  const n = (f: (s: WireVersionStatus) => number | string) => (s: WireVersionStatus) => (live ? String(f(s)) : '-');
  return renderTable(rows, [
    { header: 'MODEL', value: (s) => s.model, max: 40 },
    { header: 'VERSION', value: (s) => s.version, align: 'right' },
    { header: 'ROLE', value: (s) => (s.shadow ? 'shadow' : 'serving') },
    { header: 'WEIGHT', value: (s) => (s.shadow ? `×${deployment.spec.shadow?.fraction ?? ''}` : `${s.weight}%`), align: 'right' },
    { header: 'REQUESTS', value: n((s) => s.stats.requests), align: 'right' },
    { header: 'ERRORS', value: n((s) => s.stats.errors), align: 'right' },
    { header: 'ERROR %', value: n((s) => (s.stats.requests ? ((100 * s.stats.errors) / s.stats.requests).toFixed(2) : '0.00')), align: 'right' },
    { header: 'P99 MS', value: n((s) => s.stats.p99Ms.toFixed(2)), align: 'right' },
    { header: 'QUEUED', value: n((s) => s.queued), align: 'right' },
    { header: 'IN FLIGHT', value: n((s) => s.inFlight), align: 'right' },
  ]);
}

/** The `deploy show` text: the spec, then the live numbers per version. */
export function deploymentDetails(deployment: WireDeployment, status: readonly WireVersionStatus[] | null): string {
  const s = deployment.spec;
  const details = renderDetails([
    ['Name', deployment.name],
    ['Revision', String(deployment.revision)],
    ['Created', `${formatTime(deployment.createdAt)} by ${deployment.createdBy}`],
    ['Updated', formatTime(deployment.updatedAt)],
    ['Versions', specSummary(s)],
    ['Shadow', s.shadow ? `${ref(s.shadow)} (copy of ${s.shadow.fraction * 100}% of requests)` : 'none'],
    ['Sticky header', s.stickyHeader ?? 'none'],
    ['Canary', canaryText(s) || 'none'],
    ['Workers', s.workers === undefined ? 'default' : String(s.workers)],
    ['Max batch rows', s.maxBatchRows === undefined ? 'default' : String(s.maxBatchRows)],
  ]);
  const note = status === null ? '\n(the answering server has not loaded this deployment: no live numbers)' : '';
  return `${details}\n\n${statusTable(deployment, status)}${note}`;
}

/** The `deploy history` table, newest first. */
export function historyTable(changes: readonly WireDeploymentChange[]): string {
  return renderTable(changes, [
    { header: 'REV', value: (c) => String(c.revision), align: 'right' },
    { header: 'TIME', value: (c) => formatTime(c.time) },
    { header: 'USER', value: (c) => c.user, max: 24 },
    { header: 'ACTION', value: (c) => c.action },
    { header: 'SUMMARY', value: (c) => c.summary, max: 100 },
  ], 'No changes recorded.');
}

type SpecFlags = { model?: ModelArg[]; shadow?: string | false; stickyHeader?: string | false; workers?: number; maxBatchRows?: number };

function specFrom(flags: SpecFlags, current?: WireDeploymentSpec): DeploymentOptions {
  let variants: DeploymentOptions['variants'];
  if (flags.model?.length) {
    checkWeights(flags.model);
    variants = flags.model.map((m) => ({ modelUri: m.modelUri, ...(m.weight === undefined ? {} : { weight: m.weight }) }));
  } else if (current) {
    variants = current.variants.map((v) => ({ model: v.model, version: v.version, weight: v.weight }));
  } else {
    throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, 'Give at least one --model, e.g. --model models:/churn/1 or --model models:/churn@champion.');
  }
  let shadow: DeploymentOptions['shadow'] = null;
  if (typeof flags.shadow === 'string') shadow = parseShadowArg(flags.shadow);
  else if (flags.shadow === undefined && current?.shadow) shadow = { model: current.shadow.model, version: current.shadow.version, fraction: current.shadow.fraction };
  const sticky = typeof flags.stickyHeader === 'string' ? flags.stickyHeader : flags.stickyHeader === undefined ? current?.stickyHeader ?? null : null;
  const workers = flags.workers ?? current?.workers;
  const maxBatchRows = flags.maxBatchRows ?? current?.maxBatchRows;
  return {
    variants, shadow, stickyHeader: sticky,
    ...(workers === undefined ? {} : { workers }),
    ...(maxBatchRows === undefined ? {} : { maxBatchRows }),
  };
}

function selectorOf(uri: string): ModelSelector {
  return { modelUri: uriOf(uri, '--model') };
}

function withSpecOptions(command: Command): Command {
  return command
    .option('--shadow <uri[=fraction]>', 'a version that gets a copy of a fraction (default 1) of the requests; its answers are only logged, e.g. models:/churn/3=0.2')
    .option('--sticky-header <header>', 'request header whose value pins a caller to one version (sticky A/B), e.g. x-user-id')
    .option('--workers <n>', 'worker threads per version', positiveInt)
    .option('--max-batch-rows <n>', 'most rows the adaptive batcher merges into one model call', positiveInt);
}

/** Reads `--data`: inline JSON, or `@path` for a file (JSON). */
export async function readData(value: string): Promise<unknown> {
  let text = value;
  let where = '--data';
  if (value.startsWith('@')) {
    where = value.slice(1);
    try {
      text = await readFile(where, 'utf8');
    } catch (error) {
      throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `Cannot read --data file '${where}': ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `${where} is not valid JSON (${(error as Error).message}); give e.g. '{"dataframe_split": {"columns": ["a"], "data": [[1]]}}' or '{"inputs": [{"name": "X", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}'.`);
  }
}

const SCORING_KEYS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'];

/** Which protocol a `--data` payload speaks: OIP v2 when `inputs` is a list of tensors, else MLflow scoring. */
export function protocolOf(payload: unknown): 'oip' | 'mlflow' {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `--data must be a JSON object with one of ${SCORING_KEYS.join(', ')} (MLflow scoring) or an OIP "inputs" list of tensors.`);
  }
  const inputs = (payload as { inputs?: unknown }).inputs;
  if (Array.isArray(inputs) && inputs.length > 0 && inputs.every((t) => t && typeof t === 'object' && !Array.isArray(t) && 'datatype' in t && 'shape' in t && 'name' in t)) return 'oip';
  if (!SCORING_KEYS.some((k) => k in payload)) {
    throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `--data must have one of ${SCORING_KEYS.join(', ')} (MLflow scoring) or an OIP "inputs" list of tensors; got keys ${Object.keys(payload).join(', ') || '(none)'}.`);
  }
  return 'mlflow';
}

function collectHeader(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const i = value.indexOf(':') > 0 ? value.indexOf(':') : value.indexOf('=');
  if (i < 1) throw new InvalidArgumentError(`expected name:value, got '${value}'.`);
  return { ...previous, [value.slice(0, i).trim().toLowerCase()]: value.slice(i + 1).trim() };
}

/** OIP errors are `{"error": "..."}`; the client keeps that body as the message, so unwrap it. */
function oipError(error: unknown): unknown {
  if (!isCapstanError(error) || !error.message.startsWith('{')) return error;
  try {
    const body = JSON.parse(error.message) as { error?: unknown };
    return typeof body.error === 'string' ? new CapstanError(error.code, body.error, error.status) : error;
  } catch {
    return error;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows a running canary until it is promoted or rolled back: a redrawn status line on a
 * terminal, one line per step change otherwise.
 * @returns the final deployment.
 */
export async function watchCanary(serving: ServingApi, name: string, intervalMs: number, stream: ProgressStream = process.stderr): Promise<WireDeployment> {
  let lastKey = '';
  let drawn = false;
  for (;;) {
    const { deployment, status } = await serving.get(name);
    const c = deployment.spec.canary;
    if (!c) throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `Deployment '${name}' no longer has a canary (it was updated meanwhile).`);
    if (c.status !== 'running') {
      if (drawn) stream.write('\r\x1b[2K');
      return deployment;
    }
    const cand = status?.find((s) => !s.shadow && s.model === c.candidate.model && s.version === c.candidate.version);
    const stats = cand ? `${cand.stats.requests} req, ${cand.stats.errors} err, p99 ${cand.stats.p99Ms.toFixed(2)} ms` : 'no live numbers';
    const left = Math.max(0, c.stepSeconds * 1000 - (Date.now() - c.stepStartedAt));
    const bar = c.steps.map((s, i) => (i < c.step ? `[${s}%✓]` : i === c.step ? `[${s}%…]` : `[${s}%]`)).join('');
    const line = `canary ${ref(c.candidate)} ${bar} step ${c.step + 1}/${c.steps.length} at ${c.steps[c.step]}%: ${stats}; next in ${Math.ceil(left / 1000)}s (min ${c.minRequests} req)`;
    if (stream.isTTY) {
      const width = (stream.columns ?? 80) - 1;
      stream.write(`\r\x1b[2K${line.length > width ? line.slice(0, width) : line}`);
      drawn = true;
    } else {
      const key = `${c.step}`;
      if (key !== lastKey) stream.write(`canary ${ref(c.candidate)}: step ${c.step + 1}/${c.steps.length} at ${c.steps[c.step]}%\n`);
      lastKey = key;
    }
    await sleep(intervalMs);
  }
}

/**
 * `capstan deploy …`: deployments on a Capstan server (create, list, show, update, canary,
 * promote, rollback, history, delete) and a prediction against one (`deploy predict`).
 */
export function deployCommand(program: Command): void {
  const deploy = program.command('deploy').description('Serve registered model versions: deployments, A/B weights, shadow, canary, rollback, predictions');

  withSpecOptions(withCommon(deploy.command('create')))
    .description('Create a deployment. Several --model flags split traffic: --model models:/churn/1=90 --model models:/churn/2=10')
    .argument('<name>', 'deployment name (the endpoint is /v2/models/<name>/infer and /deployments/<name>/invocations)')
    .option('--model <uri[=weight]>', 'a version to serve with its traffic share in percent (repeatable; versions without a weight split what is left equally)', collectModel)
    .action(async (name: string, opts: CommonOptions & SpecFlags) => {
      const spec = specFrom(opts);
      const deployment = await servingFor(opts).create(name, spec);
      emit(opts, { deployment }, () => `Created deployment '${deployment.name}' (revision ${deployment.revision}): ${specSummary(deployment.spec)}`);
    });

  withCommon(deploy.command('list'))
    .description('List deployments')
    .action(async (opts: CommonOptions) => {
      const deployments = await servingFor(opts).list();
      emit(opts, { deployments }, () => deploymentsTable(deployments));
    });

  withCommon(deploy.command('show'))
    .description('Show a deployment: its spec and live numbers per version (requests, errors, p99, queue)')
    .argument('<name>', 'deployment name')
    .action(async (name: string, opts: CommonOptions) => {
      const result = await servingFor(opts).get(name);
      emit(opts, result, () => deploymentDetails(result.deployment, result.status));
    });

  withSpecOptions(withCommon(deploy.command('update')))
    .description('Change what a deployment serves (hot swap, no request fails); flags not given keep their current value')
    .argument('<name>', 'deployment name')
    .option('--model <uri[=weight]>', 'replace the served versions (repeatable, as in create)', collectModel)
    .option('--no-shadow', 'remove the shadow version')
    .option('--no-sticky-header', 'stop pinning callers to versions')
    .action(async (name: string, opts: CommonOptions & SpecFlags) => {
      const serving = servingFor(opts);
      const { deployment: current } = await serving.get(name);
      const deployment = await serving.update(name, specFrom(opts, current.spec));
      emit(opts, { deployment }, () => `Updated deployment '${deployment.name}' (revision ${deployment.revision}): ${specSummary(deployment.spec)}${deployment.spec.shadow ? `; shadow ${ref(deployment.spec.shadow)}` : ''}`);
    });

  withCommon(deploy.command('canary'))
    .description('Move traffic step by step from the serving version to a candidate, rolling back automatically above the error or latency limits')
    .argument('<name>', 'deployment name')
    .requiredOption('--model <uri>', 'candidate version, e.g. models:/churn/2 or models:/churn@challenger')
    .option('--steps <percents>', 'traffic share of the candidate at each step (default 10,50,100)', percentList)
    .option('--step-seconds <s>', 'least time at each step (default 60)', positiveNumber)
    .option('--max-error-rate <fraction>', 'roll back above this error rate (default 0.01)', rate)
    .option('--max-p99-ms <ms>', 'roll back above this p99 latency in ms (default 100)', positiveNumber)
    .option('--min-requests <n>', 'requests the candidate must answer at a step before it is judged and advanced', nonNegativeInt)
    .option('--watch', `follow the canary until it is promoted (exit 0) or rolled back (exit ${EXIT_ROLLED_BACK})`)
    .option('--interval <ms>', 'polling interval of --watch', positiveInt, 1000)
    .action(async (name: string, opts: CommonOptions & { model: string; steps?: number[]; stepSeconds?: number; maxErrorRate?: number; maxP99Ms?: number; minRequests?: number; watch?: boolean; interval: number }) => {
      const serving = servingFor(opts);
      const plan: CanaryOptions = {
        ...(opts.steps ? { steps: opts.steps } : {}),
        ...(opts.stepSeconds === undefined ? {} : { stepSeconds: opts.stepSeconds }),
        ...(opts.maxErrorRate === undefined ? {} : { maxErrorRate: opts.maxErrorRate }),
        ...(opts.maxP99Ms === undefined ? {} : { maxP99Ms: opts.maxP99Ms }),
        ...(opts.minRequests === undefined ? {} : { minRequests: opts.minRequests }),
      };
      const started = await serving.canary(name, selectorOf(opts.model), plan);
      if (!opts.watch) {
        emit(opts, { deployment: started }, () => `Started canary on '${name}': ${canaryText(started.spec)}`);
        return;
      }
      if (!opts.json) process.stdout.write(`Started canary on '${name}': ${canaryText(started.spec)}\n`);
      const final = await watchCanary(serving, name, opts.interval);
      const c = final.spec.canary!;
      emit(opts, { deployment: final }, () => c.status === 'promoted'
        ? `Canary ${ref(c.candidate)} promoted${c.reason ? ` (${c.reason})` : ''}: ${specSummary(final.spec)}`
        : `Canary ${ref(c.candidate)} rolled back: ${c.reason ?? 'no reason given'}; serving ${specSummary(final.spec)}`);
      if (c.status !== 'promoted') process.exitCode = EXIT_ROLLED_BACK;
    });

  withCommon(deploy.command('promote'))
    .description('End a running canary now with the candidate at 100%')
    .argument('<name>', 'deployment name')
    .action(async (name: string, opts: CommonOptions) => {
      const deployment = await servingFor(opts).promote(name);
      emit(opts, { deployment }, () => `Promoted: '${name}' now serves ${specSummary(deployment.spec)}`);
    });

  withCommon(deploy.command('rollback'))
    .description('Roll a running canary back to its stable version, or the deployment back to its previous revision')
    .argument('<name>', 'deployment name')
    .option('--reason <text>', 'why (kept in the history)')
    .action(async (name: string, opts: CommonOptions & { reason?: string }) => {
      const deployment = await servingFor(opts).rollback(name, opts.reason);
      emit(opts, { deployment }, () => `Rolled back: '${name}' now serves ${specSummary(deployment.spec)} (revision ${deployment.revision})`);
    });

  withCommon(deploy.command('history'))
    .description('Every change of a deployment, newest first: who, when, what')
    .argument('<name>', 'deployment name')
    .option('--limit <n>', 'most changes to show', positiveInt)
    .action(async (name: string, opts: CommonOptions & { limit?: number }) => {
      const changes = await servingFor(opts).history(name, opts.limit);
      emit(opts, { changes }, () => historyTable(changes));
    });

  withCommon(deploy.command('delete'))
    .description('Delete a deployment (its endpoint stops answering)')
    .argument('<name>', 'deployment name')
    .action(async (name: string, opts: CommonOptions) => {
      await servingFor(opts).delete(name);
      emit(opts, {}, () => `Deleted deployment '${name}'`);
    });

  withCommon(deploy.command('predict'))
    .description('Send one prediction request: MLflow scoring JSON (dataframe_split, dataframe_records, instances, inputs) to /invocations, or OIP v2 tensors to /v2/models/<name>/infer')
    .argument('<name>', 'deployment name')
    .requiredOption('--data <json|@file>', 'the request body, inline or @path to a JSON file')
    .option('--model-version <v>', 'OIP only: ask one version of the deployment directly')
    .option('--header <name:value>', 'extra request header, e.g. the sticky key x-user-id:42 (repeatable)', collectHeader)
    .action(async (name: string, opts: CommonOptions & { data: string; modelVersion?: string; header?: Record<string, string> }) => {
      const payload = await readData(opts.data);
      const protocol = protocolOf(payload);
      const serving = servingFor(opts);
      const headers = opts.header ?? {};
      if (protocol === 'oip') {
        const body = payload as { inputs: OipTensor[]; id?: string };
        const result = await serving.infer(name, body.inputs, { headers, ...(body.id ? { id: body.id } : {}), ...(opts.modelVersion ? { version: opts.modelVersion } : {}) }).catch((error: unknown) => {
          throw oipError(error);
        });
        const { answeredBy, predictionId, ...response } = result;
        emit(opts, result, () => JSON.stringify(response));
        if (!opts.json) process.stderr.write(`answered by ${answeredBy} (prediction ${predictionId})\n`);
        return;
      }
      if (opts.modelVersion) throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, '--model-version needs an OIP request ({"inputs": [{"name", "shape", "datatype", "data"}]}); /invocations routes by the deployment weights.');
      const result = await serving.invocations(name, payload as Record<string, unknown>, { headers });
      emit(opts, result, () => JSON.stringify({ predictions: result.predictions }));
      if (!opts.json) process.stderr.write(`answered by ${result.answeredBy}\n`);
    });
}


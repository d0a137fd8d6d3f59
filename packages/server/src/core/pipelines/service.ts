import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Cron } from 'croner';
import {
  CapstanError, doesNotExist, invalidParameter, isCapstanError, type ExecutionState, type PipelineRunStatus, type PipelineSpec, type TriggerSpec,
  type ScheduleSpec, type WireApproval, type WireArtifact, type WireLineage, type WirePipeline, type WirePipelineRun, type WireStepExecution, type WireStepLog,
} from '@capstan/api';
import type { Executor, StepLogs, StepTask, TaskInput } from '../../ports/executor.js';
import type { CachedResult, NewExecution, PipelineStore } from '../../ports/pipeline-store.js';
import type { EventBus, PlatformEvent, PlatformEvents } from '../events/bus.js';
import type { RegistryService } from '../registry/service.js';
import type { TrackingService } from '../tracking/service.js';
import { cacheKey, canonicalJson, sha256, valueDigest } from './cache.js';
import { isArtifactType, parseRef, planPipeline, resolveParams, type Plan, type PlannedStep, type Source } from './graph.js';
import { evaluateCondition, lookupPath, parseCondition, renderTemplate } from './template.js';

/** What a settled step hands downstream: artifacts by reference, values by value. */
interface Produced {
  artifacts: Record<string, WireArtifact>;
  values: Record<string, unknown>;
}

interface StepOutcome {
  status: 'ok' | 'skipped' | 'failed' | 'canceled';
  /** One entry per node; a ParallelFor step has one per element (collected downstream). */
  produced: Produced[];
  fanOut: boolean;
}

interface ActiveRun {
  controller: AbortController;
  done: Promise<WirePipelineRun>;
}

/** Options of {@link PipelineService}. */
export interface PipelineServiceOptions {
  store: PipelineStore;
  executor: Executor;
  tracking?: TrackingService;
  registry?: RegistryService;
  events?: EventBus;
  now?: () => number;
  /** The server's own URL, handed to command steps as MLFLOW_TRACKING_URI. */
  trackingUri?: () => string | undefined;
  /** Steps running at once per run when the pipeline does not say (default 8). */
  defaultParallelism?: number;
  /** How often a waiting approval re-reads the store (decisions made on another replica). */
  approvalPollMs?: number;
  /** How often this coordinator marks its runs alive and looks for abandoned ones (default 5 s; 0: never). */
  heartbeatMs?: number;
  /** A run whose coordinator has been silent this long is taken over and resumed (default 30 s). */
  staleAfterMs?: number;
  /** Where step attempts' output is read from (the executors' step runners write it). */
  logs?: StepLogs;
}

class Semaphore {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const TERMINAL: PipelineRunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELED'];
/** Most elements a ParallelFor may fan out to. */
export const MAX_FAN_OUT = 10_000;

/**
 * Pipelines: definitions, the DAG scheduler (parallel branches, conditions, ParallelFor with
 * collected results, retries with backoff, timeouts, cancellation, an exit handler),
 * content-keyed caching, lineage, quality gates, approvals, cron schedules and event triggers.
 * Steps run on an {@link Executor}; state lives in a {@link PipelineStore}.
 */
export class PipelineService {
  private readonly store: PipelineStore;
  private readonly executor: Executor;
  private readonly now: () => number;
  private readonly active = new Map<string, ActiveRun>();
  private readonly approvalWaiters = new Map<string, () => void>();
  private crons: Cron[] = [];
  private unsubscribe: (() => void) | undefined;
  private eventTriggers: { id: number; pipeline: string; spec: TriggerSpec }[] = [];
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  /** This coordinator's id, stored on the runs it drives. */
  readonly coordinatorId = randomUUID();

  private recoveryTimer: ReturnType<typeof setTimeout> | undefined;
  private ticking: Promise<unknown> | undefined;

  constructor(private readonly options: PipelineServiceOptions) {
    this.store = options.store;
    this.executor = options.executor;
    this.now = options.now ?? Date.now;
  }

  /** Starts cron schedules and event triggers. */
  async start(): Promise<void> {
    await this.reloadTriggers();
    if (this.options.events && !this.unsubscribe) this.unsubscribe = this.options.events.onAny((event) => this.onEvent(event));
    const every = this.options.heartbeatMs ?? 5000;
    if (every > 0 && !this.heartbeatTimer) {
      this.heartbeatTimer = setInterval(() => {
        this.ticking = this.tick().catch((error: unknown) => console.error('[capstan] pipeline heartbeat failed:', (error as Error).message));
      }, every);
      this.heartbeatTimer.unref?.();
      this.recoveryTimer = setTimeout(() => {
        this.ticking = this.tick().catch((error: unknown) => console.error('[capstan] pipeline recovery failed:', (error as Error).message));
      }, 0);
      this.recoveryTimer.unref?.();
    }
  }

  /** Beats for this coordinator's runs, then takes over and resumes runs whose coordinator went silent. */
  async tick(): Promise<string[]> {
    const now = this.now();
    const mine = [...this.active.keys()];
    await this.store.heartbeat(mine, this.coordinatorId, now);
    for (const owner of await this.store.runOwners(mine)) {
      const active = this.active.get(owner.runId);
      if (!active || active.controller.signal.aborted) continue;
      if (owner.status === 'CANCELED') active.controller.abort(new CapstanError('INVALID_STATE', 'canceled'));
      else if (owner.coordinator !== null && owner.coordinator !== this.coordinatorId) active.controller.abort(new CapstanError('INVALID_STATE', 'taken over by another coordinator'));
    }
    const claimed = await this.store.claimStaleRuns(this.coordinatorId, now - (this.options.staleAfterMs ?? 30_000), now);
    for (const runId of claimed) {
      if (this.active.has(runId)) continue;
      await this.resume(runId).catch((error: unknown) => console.error(`[capstan] could not resume pipeline run ${runId}:`, (error as Error).message));
    }
    return claimed;
  }

  private async resume(runId: string): Promise<void> {
    const run = await this.getRun(runId);
    const spec = await this.store.getRunSpec(runId);
    if (!spec) return;
    const previous = new Map<string, WireStepExecution>();
    const attempts = new Map<string, number>();
    for (const e of run.steps ?? []) {
      attempts.set(e.node, Math.max(attempts.get(e.node) ?? 0, e.attempt));
      if (e.state === 'RUNNING' || e.state === 'WAITING' || e.state === 'NEW') {
        await this.store.updateExecution(e.id, { state: 'FAILED', error: 'coordinator lost (its server stopped); the step runs again', endedAt: this.now() }, [e.state]);
      } else if (e.state === 'COMPLETE' || e.state === 'CACHED') previous.set(e.node, e);
    }
    const controller = new AbortController();
    const bare: WirePipelineRun = { ...run };
    delete bare.steps;
    const done = this.execute(bare, planPipeline(spec), controller.signal, { previous, attempts }).finally(() => this.active.delete(runId));
    this.active.set(runId, { controller, done });
  }

  /** Stops schedules and triggers, cancels active runs and waits for them to settle. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const c of this.crons) c.stop();
    this.crons = [];
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    if (this.recoveryTimer) clearTimeout(this.recoveryTimer);
    this.recoveryTimer = undefined;
    await this.ticking;
    const runs = [...this.active.values()];
    for (const r of runs) r.controller.abort(new CapstanError('INVALID_STATE', 'server shutting down'));
    await Promise.allSettled(runs.map((r) => r.done));
  }

  // ---- definitions -----------------------------------------------------------------------------

  /**
   * Validates and stores a pipeline (replacing one of the same name) with its schedules and triggers.
   * @throws INVALID_PARAMETER_VALUE with the offending step, reference or parameter names
   */
  async putPipeline(input: unknown): Promise<WirePipeline> {
    const plan = planPipeline(input);
    const { Cron } = plan.spec.schedules.length ? await import('croner') : { Cron: undefined as never };
    for (const s of plan.spec.schedules) {
      try {
        new Cron(s.cron, { paused: true, ...(s.timezone ? { timezone: s.timezone } : {}) }).stop();
      } catch (error) {
        throw invalidParameter(`Invalid schedule '${s.cron}' in pipeline '${plan.spec.name}': ${(error as Error).message}`);
      }
      resolveParams(plan.spec, s.params);
    }
    const saved = await this.store.putPipeline(plan.spec, `sha256:${sha256(canonicalJson(plan.spec))}`, this.now());
    await this.reloadTriggers();
    return saved;
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async getPipeline(name: string): Promise<WirePipeline> {
    const p = await this.store.getPipeline(name);
    if (!p) throw doesNotExist(`Pipeline '${name}' not found`);
    return p;
  }

  listPipelines(): Promise<WirePipeline[]> {
    return this.store.listPipelines();
  }

  // ---- runs ---------------------------------------------------------------------------------------

  /**
   * Starts a run of a stored pipeline. Parameters are checked before anything is stored. The
   * run proceeds in the background; `wait` resolves when it ends.
   * @throws RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE
   */
  async startRun(name: string, params: Record<string, unknown>, options: { wait?: boolean; trigger?: { kind: string; detail?: string } } = {}): Promise<WirePipelineRun> {
    const pipeline = await this.getPipeline(name);
    const plan = planPipeline(pipeline.spec);
    const resolved = resolveParams(plan.spec, params);
    const runId = randomUUID().replaceAll('-', '');
    const run: WirePipelineRun = {
      runId, pipeline: name, pipelineDigest: pipeline.digest, status: 'QUEUED', params: resolved, createdAt: this.now(),
      ...(options.trigger ? { trigger: options.trigger } : {}),
    };
    await this.store.createRun(run, plan.spec, this.coordinatorId);
    const controller = new AbortController();
    const done = this.execute(run, plan, controller.signal).finally(() => this.active.delete(runId));
    this.active.set(runId, { controller, done });
    if (options.wait) return done;
    return run;
  }

  /** A run with its step executions. @throws RESOURCE_DOES_NOT_EXIST */
  async getRun(runId: string): Promise<WirePipelineRun> {
    const run = await this.store.getRun(runId);
    if (!run) throw doesNotExist(`Pipeline run '${runId}' not found`);
    return run;
  }

  /**
   * Lines of one step attempt's output from `offset` (the latest attempt unless `attempt` is
   * given). Steps that ran no process (gates, approvals, registrations, cache hits) have none.
   * @throws RESOURCE_DOES_NOT_EXIST for an unknown run, step or attempt
   */
  async stepLogs(runId: string, step: string, query: { attempt?: number; offset?: number; limit?: number } = {}): Promise<WireStepLog> {
    const run = await this.getRun(runId);
    const executions = (run.steps ?? []).filter((e) => e.node === step);
    if (executions.length === 0) throw doesNotExist(`Run '${runId}' has no step '${step}' (steps: ${[...new Set((run.steps ?? []).map((e) => e.node))].join(', ') || 'none yet'})`);
    const attempts = [...new Set(executions.map((e) => e.attempt))].sort((a, b) => a - b);
    const attempt = query.attempt ?? attempts.at(-1)!;
    const execution = executions.filter((e) => e.attempt === attempt).at(-1);
    if (!execution) throw doesNotExist(`Step '${step}' of run '${runId}' has no attempt ${attempt} (attempts: ${attempts.join(', ')})`);
    const offset = query.offset ?? 0;
    const limit = Math.min(Math.max(1, query.limit ?? 1000), 10_000);
    const page = this.options.logs ? await this.options.logs.read(runId, step, attempt, offset, limit) : { lines: [], next: offset, stored: false };
    const ended = !['NEW', 'RUNNING'].includes(execution.state);
    return { runId, step, attempt, attempts, state: execution.state, lines: page.lines, next: page.next, complete: ended && page.lines.length < limit };
  }

  listRuns(filter: { pipeline?: string; status?: PipelineRunStatus; limit?: number } = {}): Promise<WirePipelineRun[]> {
    return this.store.listRuns({ ...filter, limit: filter.limit ?? 100 });
  }

  /** Resolves when the run ends (at once for an ended run). */
  async waitForRun(runId: string): Promise<WirePipelineRun> {
    const active = this.active.get(runId);
    if (active) return active.done;
    return this.getRun(runId);
  }

  /**
   * Cancels a run: running steps are stopped, pending ones CANCELED, the exit handler runs.
   * Cancelling an ended run changes nothing.
   * @throws RESOURCE_DOES_NOT_EXIST
   */
  async cancelRun(runId: string): Promise<WirePipelineRun> {
    const run = await this.getRun(runId);
    if (TERMINAL.includes(run.status)) return run;
    const active = this.active.get(runId);
    if (active) {
      active.controller.abort(new CapstanError('INVALID_STATE', 'canceled'));
      return active.done;
    }
    await this.store.updateRun(runId, { status: 'CANCELED', endedAt: this.now(), error: 'canceled (no coordinator was running it)' }, ['QUEUED', 'RUNNING']);
    return this.getRun(runId);
  }

  // ---- approvals ----------------------------------------------------------------------------------

  listApprovals(filter: { state?: WireApproval['state']; runId?: string } = {}): Promise<WireApproval[]> {
    return this.store.listApprovals(filter);
  }

  /**
   * Approves or rejects a waiting approval step, recording who and when.
   * @throws RESOURCE_DOES_NOT_EXIST for no such approval; RESOURCE_CONFLICT when already decided
   */
  async decide(runId: string, step: string, state: 'APPROVED' | 'REJECTED', by: string, comment?: string): Promise<WireApproval> {
    const existing = await this.store.getApproval(runId, step);
    if (!existing) throw doesNotExist(`Run '${runId}' has no approval step '${step}' waiting`);
    const changed = await this.store.decideApproval(runId, step, { state, by, at: this.now(), ...(comment ? { comment } : {}) });
    const after = (await this.store.getApproval(runId, step))!;
    if (!changed) throw new CapstanError('RESOURCE_CONFLICT', `Approval '${step}' of run '${runId}' was already ${after.state.toLowerCase()} by ${after.decidedBy}`);
    this.approvalWaiters.get(`${runId}/${step}`)?.();
    return after;
  }

  // ---- lineage ------------------------------------------------------------------------------------

  /**
   * Lineage of an artifact found by URI, digest or registered model version: `upstream` answers
   * "which data and parameters produced it", `downstream` "what depends on it".
   * @throws RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE
   */
  async lineage(query: { uri?: string; digest?: string; model?: string; version?: number; direction: 'upstream' | 'downstream' }): Promise<WireLineage> {
    let uri = query.uri;
    if (query.model !== undefined) {
      if (query.version === undefined) throw invalidParameter('Lineage of a model needs both model and version');
      uri = modelVersionUri(query.model, query.version);
    }
    if (uri === undefined && query.digest === undefined) throw invalidParameter('Lineage needs uri, digest, or model and version');
    const artifact = await this.store.findArtifact({ ...(uri !== undefined ? { uri } : {}), ...(query.digest !== undefined ? { digest: query.digest } : {}) });
    if (!artifact) throw doesNotExist(`No pipeline artifact ${uri !== undefined ? `with URI '${uri}'` : `with digest '${query.digest}'`}`);
    return this.store.lineage(artifact.id, query.direction);
  }

  // ---- the scheduler --------------------------------------------------------------------------------

  private async execute(run: WirePipelineRun, plan: Plan, signal: AbortSignal, resumed?: { previous: Map<string, WireStepExecution>; attempts: Map<string, number> }): Promise<WirePipelineRun> {
    const started = this.now();
    await this.store.updateRun(run.runId, { status: 'RUNNING', startedAt: started }, ['QUEUED']);
    const trackingRunId = run.trackingRunId ?? (await this.startTrackingRun(run).catch(() => undefined));
    if (trackingRunId && !run.trackingRunId) await this.store.updateRun(run.runId, { trackingRunId });
    const failure = { error: undefined as string | undefined };
    const runAbort = new AbortController();
    setMaxListeners(0, runAbort.signal);
    const onAbort = () => runAbort.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const semaphore = new Semaphore(plan.spec.parallelism ?? this.options.defaultParallelism ?? 8);
    const outcomes = new Map<string, Promise<StepOutcome>>();
    const settled = new Map<string, StepOutcome>();
    const ctx: RunContext = { run, plan, signal: runAbort.signal, semaphore, outcomes, settled, failure, trackingRunId, stopLaunching: false, ...(resumed ? { resumed } : {}) };
    for (const step of plan.steps) {
      outcomes.set(step.spec.name, (async () => {
        const deps = await Promise.all(step.deps.map((d) => outcomes.get(d)!));
        const outcome = await this.runStep(ctx, step, deps).catch((error: unknown) => {
          failure.error ??= `step '${step.spec.name}': ${(error as Error).message}`;
          return { status: 'failed', produced: [], fanOut: false } as StepOutcome;
        });
        settled.set(step.spec.name, outcome);
        return outcome;
      })());
    }
    const results = await Promise.all([...outcomes.values()]);
    let status: PipelineRunStatus = 'SUCCEEDED';
    if (signal.aborted) status = 'CANCELED';
    else if (results.some((r) => r.status === 'failed')) status = 'FAILED';
    signal.removeEventListener('abort', onAbort);
    if (plan.exit) {
      const exitCtx: RunContext = { ...ctx, signal: new AbortController().signal, finalStatus: status, stopLaunching: false, failure: { error: undefined } };
      await this.runStep(exitCtx, plan.exit, []).catch(() => undefined);
    }
    const error = status === 'CANCELED' ? 'canceled' : failure.error;
    await this.store.updateRun(run.runId, { status, endedAt: this.now(), ...(error ? { error } : {}) }, ['QUEUED', 'RUNNING'], this.coordinatorId);
    if (trackingRunId && this.options.tracking) {
      await this.options.tracking.updateRun(trackingRunId, { status: status === 'SUCCEEDED' ? 'FINISHED' : status === 'CANCELED' ? 'KILLED' : 'FAILED', endTime: this.now() }).catch(() => undefined);
    }
    this.options.events?.publish('pipeline_run.finished', { pipeline: run.pipeline, runId: run.runId, status });
    return this.getRun(run.runId);
  }

  private async runStep(ctx: RunContext, step: PlannedStep, deps: StepOutcome[]): Promise<StepOutcome> {
    const name = step.spec.name;
    const none: StepOutcome = { status: 'canceled', produced: [], fanOut: false };
    const record = async (state: ExecutionState, error?: string) => {
      await this.store.createExecution({ runId: ctx.run.runId, step: name, node: name, attempt: 0, state, startedAt: this.now(), endedAt: this.now(), ...(error ? { error } : {}) });
    };
    if (deps.some((d) => d.status === 'failed' || d.status === 'canceled')) {
      await record('CANCELED', 'an upstream step did not succeed');
      return none;
    }
    if (deps.some((d) => d.status === 'skipped')) {
      await record('SKIPPED', 'an upstream step was skipped');
      return { ...none, status: 'skipped' };
    }
    const resolve = (ref: string) => this.resolveRef(ctx, ref);
    if (step.spec.when !== undefined && !evaluateCondition(parseCondition(step.spec.when), resolve)) {
      await record('SKIPPED', `condition '${step.spec.when}' is false`);
      return { ...none, status: 'skipped' };
    }
    let items: unknown[] | undefined;
    if (step.spec.forEach !== undefined) {
      const list = typeof step.spec.forEach === 'string' ? resolve(step.spec.forEach.replace(/^\{\{\s*|\s*\}\}$/g, '')) : step.spec.forEach;
      if (!Array.isArray(list)) {
        ctx.failure.error ??= `step '${name}': forEach '${String(step.spec.forEach)}' is not a list (got ${JSON.stringify(list)})`;
        await record('FAILED', ctx.failure.error);
        return { ...none, status: 'failed' };
      }
      if (list.length > MAX_FAN_OUT) {
        ctx.failure.error ??= `step '${name}': forEach has ${list.length} items; at most ${MAX_FAN_OUT} are allowed (split the list, or loop inside the step)`;
        await record('FAILED', ctx.failure.error);
        return { ...none, status: 'failed' };
      }
      items = list;
    }
    const nodes = items === undefined ? [{ node: name, iteration: undefined, item: undefined }] : items.map((item, i) => ({ node: `${name}[${i}]`, iteration: i, item }));
    const limit = step.spec.parallelism ? new Semaphore(step.spec.parallelism) : undefined;
    const results = await Promise.all(nodes.map(async (n) => {
      await limit?.acquire();
      try {
        return await this.runNode(ctx, step, n);
      } finally {
        limit?.release();
      }
    }));
    const failed = results.find((r) => r.status !== 'ok');
    if (failed) return { status: failed.status, produced: [], fanOut: items !== undefined };
    return { status: 'ok', produced: results.map((r) => r.produced!), fanOut: items !== undefined };
  }

  private resolveRef(ctx: RunContext, ref: string): unknown {
    if (ref === 'run.id') return ctx.run.runId;
    if (ref === 'run.pipeline') return ctx.run.pipeline;
    if (ref === 'run.status') return ctx.finalStatus;
    const source = parseRef(ref);
    if (!source) return undefined;
    if (source.kind === 'param') return ctx.run.params[source.param];
    if (source.kind !== 'step') return undefined;
    const outcome = ctx.settled?.get(source.step);
    if (!outcome) return undefined;
    const pick = (p: Produced) => (source.output in p.values ? p.values[source.output] : p.artifacts[source.output]?.uri);
    return outcome.fanOut ? outcome.produced.map(pick) : outcome.produced[0] ? pick(outcome.produced[0]) : undefined;
  }

  private async runNode(ctx: RunContext, step: PlannedStep, n: { node: string; iteration: number | undefined; item: unknown }): Promise<{ status: StepOutcome['status']; produced?: Produced }> {
    await ctx.semaphore.acquire();
    try {
      if (ctx.signal.aborted || ctx.stopLaunching) {
        await this.store.createExecution({ runId: ctx.run.runId, step: step.spec.name, node: n.node, attempt: 0, state: 'CANCELED', startedAt: this.now(), endedAt: this.now(), ...(n.iteration !== undefined ? { iteration: n.iteration } : {}), error: ctx.signal.aborted ? 'run canceled' : 'run failed before this step started' });
        return { status: 'canceled' };
      }
      const outcome = await this.runNodeInner(ctx, step, n);
      if (outcome.status === 'failed') ctx.stopLaunching = true;
      return outcome;
    } finally {
      ctx.semaphore.release();
    }
  }

  private async inputsFor(ctx: RunContext, step: PlannedStep): Promise<{ task: Record<string, TaskInput>; digests: Record<string, string | string[]>; artifactIds: { name: string; artifactId: number }[]; values: Record<string, unknown> }> {
    const task: Record<string, TaskInput> = {};
    const digests: Record<string, string | string[]> = {};
    const artifactIds: { name: string; artifactId: number }[] = [];
    const values: Record<string, unknown> = {};
    for (const [name, { source, type }] of Object.entries(step.inputs)) {
      if (source.kind === 'step') {
        const outcome = (await ctx.outcomes.get(source.step))!;
        const items = outcome.produced;
        const artifacts = items.map((p) => p.artifacts[source.output]).filter((a): a is WireArtifact => a !== undefined);
        if (artifacts.length === items.length && artifacts.length > 0) {
          artifacts.forEach((a, i) => artifactIds.push({ name: outcome.fanOut ? `${name}[${i}]` : name, artifactId: a.id }));
          if (outcome.fanOut) {
            task[name] = { kind: 'artifacts', uris: artifacts.map((a) => a.uri) };
            digests[name] = artifacts.map((a) => a.digest);
          } else {
            task[name] = { kind: 'artifact', uri: artifacts[0]!.uri };
            digests[name] = artifacts[0]!.digest;
          }
        } else {
          const v = outcome.fanOut ? items.map((p) => p.values[source.output]) : items[0]?.values[source.output];
          task[name] = { kind: 'value', value: v };
          digests[name] = valueDigest(v);
          values[name] = v;
        }
        continue;
      }
      const value = source.kind === 'param' ? ctx.run.params[source.param] : source.value;
      if (isArtifactType(type) && typeof value === 'string') {
        const artifact = await this.store.ensureArtifact({ type: type!, uri: value, name: value.split('/').filter(Boolean).pop() ?? value, digest: `uri:${sha256(value)}` });
        task[name] = { kind: 'artifact', uri: value };
        digests[name] = artifact.digest;
        artifactIds.push({ name, artifactId: artifact.id });
      } else {
        task[name] = { kind: 'value', value };
        digests[name] = valueDigest(value);
        values[name] = value;
      }
    }
    return { task, digests, artifactIds, values };
  }

  private async runNodeInner(ctx: RunContext, step: PlannedStep, n: { node: string; iteration: number | undefined; item: unknown }): Promise<{ status: StepOutcome['status']; produced?: Produced }> {
    const s = step.spec;
    const base = { runId: ctx.run.runId, step: s.name, node: n.node, ...(n.iteration !== undefined ? { iteration: n.iteration } : {}) };
    const earlier = ctx.resumed?.previous.get(n.node);
    if (earlier) return { status: 'ok', produced: { artifacts: Object.fromEntries((earlier.outputs ?? []).map((o) => [o.name, o.artifact])), values: earlier.values ?? {} } };
    const attemptBase = ctx.resumed?.attempts.get(n.node) ?? 0;
    const resolve = (ref: string): unknown => (ref === 'item' ? n.item : this.resolveRef(ctx, ref));
    const inputs = await this.inputsFor(ctx, step);
    const params = Object.fromEntries(step.params.map((p) => [p, ctx.run.params[p]]));
    if (step.kind === 'gate') return this.runGate(ctx, step, base, resolve);
    if (step.kind === 'approval') return this.runApproval(ctx, step, base);
    if (step.kind === 'register') return this.runRegister(ctx, step, base, inputs.artifactIds);
    const command = s.command === undefined ? undefined : (Array.isArray(s.command) ? s.command : [s.command]).map((part) => renderTemplate(part, resolve));
    const env = Object.fromEntries(Object.entries(s.env ?? {}).map(([k, v]) => [k, renderTemplate(v, resolve)]));
    const key = cacheKey({
      pipeline: ctx.run.pipeline, step: s.name, version: s.version, kind: step.kind, params, inputs: inputs.digests, outputs: s.outputs, env,
      ...(command ? { command } : {}), ...(s.function ? { fn: { module: s.function.module, step: s.name } } : {}),
      ...(n.iteration !== undefined ? { item: canonicalJson(n.item) } as object : {}),
    });
    const cacheable = s.cache && !ctx.finalStatus;
    if (cacheable) {
      const hit = await this.store.findCached(key);
      if (hit) return { status: 'ok', produced: await this.recordHit(ctx, base, key, hit, params, inputs.artifactIds) };
    }
    const retry = s.retry ?? { attempts: 1, backoffMs: 1000, maxBackoffMs: 60_000 };
    let lastError = '';
    for (let attempt = attemptBase + 1; attempt <= attemptBase + retry.attempts; attempt++) {
      if (ctx.signal.aborted) break;
      const trackingRunId = await this.startStepTracking(ctx, s.name, n.node, params).catch(() => undefined);
      const executionId = await this.store.createExecution({ ...base, attempt, state: 'RUNNING', cacheKey: key, params: { ...params, ...inputs.values, ...(n.iteration !== undefined ? { item: n.item } : {}) }, startedAt: this.now(), ...(trackingRunId ? { trackingRunId } : {}) });
      const task: StepTask = {
        key: `${ctx.run.runId}:${n.node}:${attempt}`, runId: ctx.run.runId, node: n.node, attempt, kind: step.kind as 'command' | 'function',
        ...(command ? { argv: command, shell: typeof s.command === 'string' } : {}),
        ...(s.function ? { fn: { module: s.function.module, pipeline: s.function.pipeline, step: s.name } } : {}),
        ...(s.workdir ?? ctx.plan.spec.baseDir ? { workdir: s.workdir ?? ctx.plan.spec.baseDir } : {}),
        env, params: ctx.run.params, inputs: inputs.task, outputs: s.outputs,
        ...(s.timeoutMs ? { timeoutMs: s.timeoutMs } : {}),
        ...(trackingRunId && this.options.trackingUri?.() ? { tracking: { uri: this.options.trackingUri()!, runId: trackingRunId } } : {}),
        outputPrefix: `pipelines/${ctx.run.runId}/${n.node.replace(/[[\]]/g, '_')}/${attempt}`,
      };
      const attemptAbort = new AbortController();
      const onRunAbort = () => attemptAbort.abort(ctx.signal.reason);
      ctx.signal.addEventListener('abort', onRunAbort, { once: true });
      const timer = s.timeoutMs ? setTimeout(() => attemptAbort.abort(new CapstanError('INVALID_STATE', `timed out after ${s.timeoutMs} ms`)), s.timeoutMs) : undefined;
      try {
        const result = await this.executor.run(task, attemptAbort.signal);
        if (attemptAbort.signal.aborted) throw attemptAbort.signal.reason;
        const done = await this.store.completeExecution(executionId, {
          inputs: inputs.artifactIds,
          outputs: result.artifacts.map((a) => ({ name: a.name, artifact: { type: a.type, uri: a.uri, name: `${s.name}.${a.name}`, digest: a.digest, size: a.size } })),
          values: result.values, endedAt: this.now(), worker: result.worker,
        });
        if (trackingRunId && this.options.tracking) await this.finishStepTracking(trackingRunId, 'FINISHED', result.metrics).catch(() => undefined);
        if (!done) throw new Error(`execution ${executionId} was completed twice`);
        return { status: 'ok', produced: { artifacts: Object.fromEntries(done.map((o) => [o.name, o.artifact])), values: result.values } };
      } catch (error) {
        const canceled = ctx.signal.aborted;
        const reason = attemptAbort.signal.aborted ? attemptAbort.signal.reason : error;
        lastError = isCapstanError(reason) || reason instanceof Error ? (reason as Error).message : String(reason);
        await this.store.updateExecution(executionId, { state: canceled ? 'CANCELED' : 'FAILED', error: lastError, endedAt: this.now() }, ['RUNNING']);
        if (trackingRunId && this.options.tracking) await this.finishStepTracking(trackingRunId, canceled ? 'KILLED' : 'FAILED', {}).catch(() => undefined);
        if (canceled) return { status: 'canceled' };
        if (attempt < attemptBase + retry.attempts) {
          const delay = Math.min(retry.backoffMs * 2 ** (attempt - attemptBase - 1), retry.maxBackoffMs);
          try {
            await sleep(delay, ctx.signal);
          } catch {
            return { status: 'canceled' };
          }
        }
      } finally {
        if (timer) clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onRunAbort);
      }
    }
    if (ctx.signal.aborted) return { status: 'canceled' };
    ctx.failure.error ??= `step '${n.node}' failed after ${retry.attempts} attempt(s): ${lastError}`;
    return { status: 'failed' };
  }

  private async recordHit(ctx: RunContext, base: Omit<NewExecution, 'attempt' | 'state' | 'startedAt'>, key: string, hit: CachedResult, params: Record<string, unknown>, inputs: { name: string; artifactId: number }[]): Promise<Produced> {
    await this.store.recordCachedExecution({ ...base, attempt: 1, state: 'CACHED', cacheKey: key, cachedFrom: hit.execution.id, params, values: hit.execution.values ?? {}, startedAt: this.now(), endedAt: this.now() }, hit, inputs);
    return { artifacts: Object.fromEntries(hit.outputs.map((o) => [o.name, o.artifact])), values: hit.execution.values ?? {} };
  }

  private async runGate(ctx: RunContext, step: PlannedStep, base: Omit<NewExecution, 'attempt' | 'state' | 'startedAt'>, resolve: (ref: string) => unknown): Promise<{ status: StepOutcome['status']; produced?: Produced }> {
    const gate = step.spec.gate!;
    const startedAt = this.now();
    const fail = async (reason: string, values: Record<string, unknown>) => {
      await this.store.createExecution({ ...base, attempt: 1, state: 'FAILED', error: reason, values, startedAt, endedAt: this.now() });
      ctx.failure.error ??= `quality gate '${step.spec.name}' failed: ${reason}`;
      return { status: 'failed' as const };
    };
    const candidateRaw = resolve(gate.candidate);
    const candidate = typeof candidateRaw === 'number' ? candidateRaw : Number(lookupPath(candidateRaw, gate.metric));
    if (!Number.isFinite(candidate)) return fail(`candidate has no numeric metric '${gate.metric}' in ${gate.candidate} (got ${JSON.stringify(candidateRaw)})`, {});
    const better = (a: number, b: number) => (gate.direction === 'max' ? a - b : b - a);
    if (gate.threshold !== undefined && better(candidate, gate.threshold) < 0) {
      return fail(`${gate.metric} ${candidate} does not reach the threshold ${gate.threshold} (${gate.direction === 'max' ? 'higher' : 'lower'} is better)`, { candidate, passed: false });
    }
    const champion = await this.championMetric(gate.model, gate.alias, gate.metric);
    const values: Record<string, unknown> = { candidate, champion: champion?.value ?? null, championVersion: champion?.version ?? null };
    if (champion && better(candidate, champion.value) < gate.minImprovement) {
      return fail(`${gate.metric} ${candidate} does not beat champion ${gate.model}@${gate.alias} (version ${champion.version}: ${champion.value}) by at least ${gate.minImprovement} (${gate.direction === 'max' ? 'higher' : 'lower'} is better)`, { ...values, passed: false });
    }
    const reason = champion ? `${gate.metric} ${candidate} beats champion version ${champion.version} (${champion.value})` : `no champion ${gate.model}@${gate.alias} yet; ${gate.metric} ${candidate} passes`;
    await this.store.createExecution({ ...base, attempt: 1, state: 'COMPLETE', values: { ...values, passed: true, reason }, startedAt, endedAt: this.now() });
    return { status: 'ok', produced: { artifacts: {}, values: { ...values, passed: true, reason } } };
  }

  private async championMetric(model: string, alias: string, metric: string): Promise<{ version: string; value: number } | null> {
    if (!this.options.registry || !this.options.tracking) return null;
    let version;
    try {
      version = await this.options.registry.getModelVersionByAlias(model, alias);
    } catch (error) {
      if (isCapstanError(error) && error.code === 'RESOURCE_DOES_NOT_EXIST') return null;
      throw error;
    }
    const fromTag = version.tags?.find((t) => t.key === `metric.${metric}`)?.value;
    if (fromTag !== undefined && Number.isFinite(Number(fromTag))) return { version: String(version.version), value: Number(fromTag) };
    if (!version.runId) return null;
    const run = await this.options.tracking.getRun(version.runId);
    const m = run.data.metrics.find((x) => x.key === metric);
    return m ? { version: String(version.version), value: m.value } : null;
  }

  private async runApproval(ctx: RunContext, step: PlannedStep, base: Omit<NewExecution, 'attempt' | 'state' | 'startedAt'>): Promise<{ status: StepOutcome['status']; produced?: Produced }> {
    const spec = step.spec.approval!;
    const existing = await this.store.getApproval(ctx.run.runId, step.spec.name);
    const requestedAt = existing?.requestedAt ?? this.now();
    const id = await this.store.createExecution({ ...base, attempt: (ctx.resumed?.attempts.get(base.node) ?? 0) + 1, state: 'WAITING', startedAt: this.now() });
    if (!existing) await this.store.createApproval({ runId: ctx.run.runId, step: step.spec.name, state: 'PENDING', requestedAt, timeoutAt: requestedAt + spec.timeoutMs, ...(spec.message ? { message: spec.message } : {}) });
    const key = `${ctx.run.runId}/${step.spec.name}`;
    let decided: WireApproval | null = null;
    while (!decided) {
      const current = await this.store.getApproval(ctx.run.runId, step.spec.name);
      if (current && current.state !== 'PENDING') {
        decided = current;
        break;
      }
      if (ctx.signal.aborted) {
        await this.store.updateExecution(id, { state: 'CANCELED', endedAt: this.now(), error: 'run canceled while waiting for approval' });
        return { status: 'canceled' };
      }
      const left = requestedAt + spec.timeoutMs - this.now();
      if (left <= 0) {
        await this.store.decideApproval(ctx.run.runId, step.spec.name, { state: 'REJECTED', by: 'system:timeout', at: this.now(), comment: `no decision within ${spec.timeoutMs} ms` });
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, this.options.approvalPollMs ?? 1000));
        const onAbort = () => done();
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        this.approvalWaiters.set(key, done);
        function done() {
          clearTimeout(timer);
          ctx.signal.removeEventListener('abort', onAbort);
          resolve();
        }
      });
    }
    this.approvalWaiters.delete(key);
    const values = { decision: decided.state, decidedBy: decided.decidedBy, decidedAt: decided.decidedAt, comment: decided.comment ?? null };
    if (decided.state === 'APPROVED') {
      await this.store.updateExecution(id, { state: 'COMPLETE', endedAt: this.now(), values });
      return { status: 'ok', produced: { artifacts: {}, values } };
    }
    const reason = `approval '${step.spec.name}' rejected by ${decided.decidedBy}${decided.comment ? `: ${decided.comment}` : ''}`;
    await this.store.updateExecution(id, { state: 'FAILED', endedAt: this.now(), error: reason, values });
    ctx.failure.error ??= reason;
    return { status: 'failed' };
  }

  private async runRegister(ctx: RunContext, step: PlannedStep, base: Omit<NewExecution, 'attempt' | 'state' | 'startedAt'>, inputs: { name: string; artifactId: number }[]): Promise<{ status: StepOutcome['status']; produced?: Produced }> {
    const spec = step.spec.register!;
    const startedAt = this.now();
    const source = parseRef(spec.from) as Extract<Source, { kind: 'step' }>;
    const outcome = (await ctx.outcomes.get(source.step))!;
    const artifact = outcome.produced[0]?.artifacts[source.output];
    const registry = this.options.registry;
    if (!registry || !artifact) {
      const reason = !registry ? 'no model registry is configured' : `step '${source.step}' produced no '${source.output}'`;
      await this.store.createExecution({ ...base, attempt: 1, state: 'FAILED', error: reason, startedAt, endedAt: this.now() });
      ctx.failure.error ??= `step '${step.spec.name}': ${reason}`;
      return { status: 'failed' };
    }
    const id = await this.store.createExecution({ ...base, attempt: 1, state: 'RUNNING', startedAt });
    try {
      await registry.getRegisteredModel(spec.model).catch(async (error) => {
        if (isCapstanError(error) && error.code === 'RESOURCE_DOES_NOT_EXIST') await registry.createRegisteredModel({ name: spec.model });
        else throw error;
      });
      const producer = (await this.store.getRun(ctx.run.runId))?.steps?.find((e) => e.step === source.step && (e.state === 'COMPLETE' || e.state === 'CACHED'));
      const version = await registry.createModelVersion({
        name: spec.model, source: artifact.uri, storageLocation: artifact.uri,
        ...(producer?.trackingRunId ? { runId: producer.trackingRunId } : {}),
        tags: [{ key: 'capstan.pipeline', value: ctx.run.pipeline }, { key: 'capstan.pipeline.run', value: ctx.run.runId }, { key: 'capstan.artifact.digest', value: artifact.digest }],
      });
      if (spec.alias) await registry.setAlias(spec.model, spec.alias, String(version.version));
      const uri = modelVersionUri(spec.model, version.version);
      const values = { model: spec.model, version: version.version };
      const modelInput = { name: source.output, artifactId: artifact.id };
      const done = await this.store.completeExecution(id, { inputs: [...inputs.filter((i) => i.artifactId !== artifact.id), modelInput], outputs: [{ name: 'modelVersion', artifact: { type: 'ModelVersion', uri, name: `${spec.model}/${version.version}`, digest: artifact.digest } }], values, endedAt: this.now() });
      const registered = done?.[0]?.artifact;
      if (registered) await this.store.attribute({ type: 'ModelVersion', name: `${spec.model}/${version.version}` }, registered.id);
      return { status: 'ok', produced: { artifacts: registered ? { modelVersion: registered } : {}, values } };
    } catch (error) {
      const reason = (error as Error).message;
      await this.store.updateExecution(id, { state: 'FAILED', error: reason, endedAt: this.now() });
      ctx.failure.error ??= `step '${step.spec.name}': ${reason}`;
      return { status: 'failed' };
    }
  }

  // ---- tracking -----------------------------------------------------------------------------------

  private async experimentFor(pipeline: string): Promise<string | undefined> {
    const tracking = this.options.tracking;
    if (!tracking) return undefined;
    const name = `pipeline:${pipeline}`;
    try {
      return (await tracking.getExperimentByName(name)).experimentId;
    } catch {
      try {
        return await tracking.createExperiment({ name });
      } catch {
        return (await tracking.getExperimentByName(name)).experimentId;
      }
    }
  }

  private async startTrackingRun(run: WirePipelineRun): Promise<string | undefined> {
    const tracking = this.options.tracking;
    const experimentId = await this.experimentFor(run.pipeline);
    if (!tracking || !experimentId) return undefined;
    const created = await tracking.createRun({
      experimentId, runName: `${run.pipeline}-${run.runId.slice(0, 8)}`,
      tags: [{ key: 'capstan.pipeline', value: run.pipeline }, { key: 'capstan.pipeline.run', value: run.runId }, { key: 'capstan.pipeline.digest', value: run.pipelineDigest }],
    });
    const params = Object.entries(run.params).slice(0, 100).map(([key, value]) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value) }));
    if (params.length) await tracking.logBatch(created.info.runId, { params });
    return created.info.runId;
  }

  private async startStepTracking(ctx: RunContext, step: string, node: string, params: Record<string, unknown>): Promise<string | undefined> {
    const tracking = this.options.tracking;
    if (!tracking || !ctx.trackingRunId) return undefined;
    ctx.experimentId ??= (await tracking.getRun(ctx.trackingRunId)).info.experimentId;
    const created = await tracking.createRun({
      experimentId: ctx.experimentId, runName: node,
      tags: [{ key: 'mlflow.parentRunId', value: ctx.trackingRunId }, { key: 'capstan.pipeline', value: ctx.run.pipeline }, { key: 'capstan.pipeline.run', value: ctx.run.runId }, { key: 'capstan.pipeline.step', value: step }],
    });
    const tags = Object.entries(params).map(([key, value]) => ({ key: `capstan.param.${key}`, value: (typeof value === 'string' ? value : JSON.stringify(value)).slice(0, 5000) }));
    if (tags.length) await tracking.logBatch(created.info.runId, { tags });
    return created.info.runId;
  }

  private async finishStepTracking(runId: string, status: 'FINISHED' | 'FAILED' | 'KILLED', metrics: Record<string, number>): Promise<void> {
    const tracking = this.options.tracking!;
    const timestamp = this.now();
    const list = Object.entries(metrics).filter(([, v]) => Number.isFinite(v)).map(([key, value]) => ({ key, value, timestamp, step: 0 }));
    if (list.length) await tracking.logBatch(runId, { metrics: list });
    await tracking.updateRun(runId, { status, endTime: timestamp });
  }

  // ---- triggers and schedules -----------------------------------------------------------------------

  private reloading: Promise<void> = Promise.resolve();

  /** Reloads triggers and schedules from the store, one reload at a time. */
  private reloadTriggers(): Promise<void> {
    this.reloading = this.reloading.catch(() => undefined).then(() => this.loadTriggers());
    return this.reloading;
  }

  private async loadTriggers(): Promise<void> {
    const triggers = await this.store.listTriggers();
    this.eventTriggers = triggers.filter((t) => t.kind === 'event').map((t) => ({ id: t.id, pipeline: t.pipeline, spec: t.spec as unknown as TriggerSpec }));
    if (!this.unsubscribe && !this.options.events) return;
    for (const c of this.crons) c.stop();
    this.crons = [];
    if (!this.started()) return;
    const schedules = triggers.filter((x) => x.kind === 'cron');
    if (!schedules.length) return;
    const { Cron } = await import('croner');
    for (const t of schedules) {
      const spec = t.spec as unknown as ScheduleSpec;
      this.crons.push(new Cron(spec.cron, { ...(spec.timezone ? { timezone: spec.timezone } : {}), protect: true }, async (self: Cron) => {
        const at = self.currentRun()?.getTime() ?? this.now();
        await this.fire(t.pipeline, `cron:${Math.floor(at / 1000)}`, spec.params, { kind: 'schedule', detail: spec.cron });
      }));
    }
  }

  private started(): boolean {
    return this.unsubscribe !== undefined;
  }

  /** Fires a trigger once per de-duplication key; returns the run, or null for a duplicate. */
  private async fire(pipeline: string, key: string, params: Record<string, unknown>, trigger: { kind: string; detail?: string }): Promise<WirePipelineRun | null> {
    if (!(await this.store.claimFiring(pipeline, key, this.now()))) return null;
    try {
      return await this.startRun(pipeline, params, { trigger: { ...trigger, detail: `${trigger.detail ?? ''} ${key}`.trim() } });
    } catch (error) {
      console.error(`[capstan] trigger of pipeline '${pipeline}' could not start a run:`, (error as Error).message);
      return null;
    }
  }

  private async onEvent(event: PlatformEvent): Promise<void> {
    for (const t of this.eventTriggers) {
      if (t.spec.event !== event.type) continue;
      const payload = event.payload as unknown as Record<string, unknown>;
      if (Object.entries(t.spec.filter).some(([k, v]) => String(payload[k]) !== v)) continue;
      const resolve = (ref: string) => (ref.startsWith('event.') ? lookupPath(payload, ref.slice('event.'.length)) : undefined);
      const params = Object.fromEntries(Object.entries(t.spec.params).map(([k, tpl]) => [k, renderTemplate(tpl, resolve)]));
      const key = t.spec.dedupKey ? renderTemplate(t.spec.dedupKey, resolve) : canonicalJson(payload);
      await this.fire(t.pipeline, `${event.type}:${key}`, params, { kind: 'event', detail: event.type });
    }
  }

  /** Starts the runs an event triggers (what the bus subscription calls); for tests and replays. */
  async handleEvent<T extends keyof PlatformEvents>(event: PlatformEvent<T>): Promise<void> {
    await this.onEvent(event as PlatformEvent);
  }
}

interface RunContext {
  run: WirePipelineRun;
  plan: Plan;
  signal: AbortSignal;
  semaphore: Semaphore;
  outcomes: Map<string, Promise<StepOutcome>>;
  settled?: Map<string, StepOutcome>;
  failure: { error: string | undefined };
  trackingRunId: string | undefined;
  experimentId?: string;
  /** Set when a run is resumed by another coordinator: finished nodes and attempts used so far. */
  resumed?: { previous: Map<string, WireStepExecution>; attempts: Map<string, number> };
  finalStatus?: PipelineRunStatus;
  stopLaunching: boolean;
}

/** The lineage URI of a registered model version. */
export function modelVersionUri(model: string, version: number | string): string {
  return `models:/${model}/${version}`;
}

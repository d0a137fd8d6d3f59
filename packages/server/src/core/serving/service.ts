import { CapstanError, doesNotExist, invalidParameter, isCapstanError } from '@capstan/api';
import type { DeploymentStore, PredictionQuery } from '../../ports/deployment-store.js';
import type { ModelRuntime } from '../../ports/model-runtime.js';
import type { EventBus } from '../events/bus.js';
import type { ModelVersion } from '../model.js';
import { loadServable, type ModelFiles, type ServableModel } from './loader.js';
import { ServingMetrics } from './metrics.js';
import {
  refLabel, type CanaryPlan, type ExecutionMode, type Deployment, type DeploymentAction, type DeploymentChange, type DeploymentSpec,
  type ModelRef, type PredictionRecord, type Variant,
} from './model.js';
import { PayloadLogger } from './payload-log.js';
import { buildTimeline, type TimelinePoint } from './timeline.js';
import { decodeScoringRequest, type ModelInputs } from './scoring.js';
import { nest, toJsonValues, type Tensor } from './tensors.js';
import {
  VersionStats, canaryVariants, evaluateCanary, keyPoint, pickVariant, sameRef, validateCanaryPlan, validateSpec, type StepStats,
} from './traffic.js';

/** What the serving service needs from the rest of the platform. */
export interface ServingDeps {
  store: DeploymentStore;
  runtime: ModelRuntime;
  /** Resolves `models:/name/version`, `models:/name@alias`, `models:/name/stage`. */
  resolveModelUri(uri: string): Promise<ModelVersion | null>;
  /** Reads the files of a registered version's model directory. */
  openModelFiles(version: ModelVersion): Promise<ModelFiles>;
  getModelVersion(name: string, version: number): Promise<ModelVersion>;
  events?: EventBus;
  now?: () => number;
  random?: () => number;
  /** How often to pick up changes other replicas made (ms; 0 disables). */
  syncIntervalMs?: number;
  /** How often running canaries are judged (ms; 0 disables, then call {@link ServingService.tickCanaries}). */
  canaryIntervalMs?: number;
  /** Payload log buffering. */
  payloadLog?: { capacity: number; batchSize: number; intervalMs: number };
}

/** A model version as the caller names it: a `models:/` URI or name and version. */
export type ModelSelector = { modelUri: string } | ModelRef;

/** Input of {@link ServingService.create} and {@link ServingService.update}. */
export interface DeploymentInput {
  variants: (ModelSelector & { weight?: number })[];
  shadow?: (ModelSelector & { fraction?: number }) | null;
  stickyHeader?: string | null;
  maxBatchRows?: number;
  workers?: number;
  execution?: ExecutionMode;
}

/** Input of {@link ServingService.startCanary}. */
export type CanaryInput = ModelSelector & Partial<Omit<CanaryPlan, 'stable' | 'candidate'>>;

/** What the inference protocols need: the serving service, or one model for `capstan models serve`. */
export interface Predictor {
  predict<D extends { feeds: Record<string, Tensor> }>(name: string, decode: (inputs: ModelInputs) => D, options?: PredictOptions): Promise<Prediction<D>>;
  /** The model a request would reach (`version` picks one). @throws RESOURCE_DOES_NOT_EXIST */
  modelOf(name: string, version?: string): ServableModel;
  /** Versions a name serves, for metadata. */
  versionsOf(name: string): string[];
  isReady(name: string): boolean;
}

/** Options of {@link Predictor.predict}. */
export interface PredictOptions {
  /** Request headers; the deployment's sticky header, when set, pins the caller to a version. */
  headers?: Record<string, string | string[] | undefined>;
  /** Serve this version (number or `model/version`) instead of routing. */
  version?: string;
}

/** One prediction's result. */
export interface Prediction<D> {
  outputs: Record<string, Tensor>;
  ref: ModelRef;
  decoded: D;
  latencyMs: number;
  id: string;
}

/** Live numbers of one version in a deployment. */
export interface VersionStatus extends ModelRef {
  weight: number;
  shadow: boolean;
  stats: StepStats;
  queued: number;
  inFlight: number;
  execution: 'workers' | 'inline';
}

interface LiveVersion {
  ref: ModelRef;
  servable: ServableModel;
}

interface LiveDeployment {
  deployment: Deployment;
  variants: (LiveVersion & { weight: number })[];
  shadow: (LiveVersion & { fraction: number }) | null;
  stats: Map<string, VersionStats>;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/i;
const MAX_SHADOW_IN_FLIGHT = 64;

/**
 * Deployments: what serves which model versions, routing of each request (weighted, sticky,
 * shadow), canaries that advance or roll back on their own, hot swaps that drop no request,
 * payload logging and metrics. Models are loaded before any change is stored, so a model that
 * cannot run is refused at deploy time.
 */
export class ServingService implements Predictor {
  readonly metrics = new ServingMetrics();
  readonly payloadLog: PayloadLogger;
  private readonly live = new Map<string, LiveDeployment>();
  private readonly models = new Map<string, { promise: Promise<ServableModel>; refs: number }>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private readonly now: () => number;
  private readonly random: () => number;
  private shadowInFlight = 0;
  private shadowDropped = 0;
  private seq = 0;
  private readonly idPrefix: string;

  constructor(private readonly deps: ServingDeps) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.payloadLog = new PayloadLogger((records) => deps.store.insertPredictions(records), deps.payloadLog);
    this.idPrefix = `${this.now().toString(36)}${Math.floor(this.random() * 1e9).toString(36)}`;
  }

  /** Loads every stored deployment and starts the sync, canary and log timers. */
  async start(): Promise<void> {
    await this.sync();
    this.payloadLog.start();
    const every = (ms: number | undefined, fn: () => Promise<void>) => {
      if (!ms) return;
      const t = setInterval(() => void fn().catch((error) => console.error('[capstan] serving timer failed:', error)), ms);
      (t as { unref?: () => void }).unref?.();
      this.timers.push(t);
    };
    every(this.deps.syncIntervalMs ?? 2000, () => this.sync());
    every(this.deps.canaryIntervalMs ?? 1000, () => this.tickCanaries());
  }

  /** Stops timers, writes the payload log, and releases every model. */
  async close(): Promise<void> {
    this.timers.forEach((t) => clearInterval(t));
    await this.payloadLog.close();
    const all = [...this.models.values()];
    this.models.clear();
    this.live.clear();
    await Promise.all(all.map(async (m) => (await m.promise.catch(() => null))?.release()));
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async get(name: string): Promise<Deployment> {
    const d = await this.deps.store.get(name);
    if (!d) throw doesNotExist(`Deployment '${name}' does not exist.`);
    return d;
  }

  list(): Promise<Deployment[]> {
    return this.deps.store.list();
  }

  /** A deployment's changes, newest first. */
  async history(name: string, limit = 100): Promise<DeploymentChange[]> {
    return this.deps.store.history(name, Math.min(Math.max(1, limit), 1000));
  }

  /** Logged predictions. */
  predictions(query: PredictionQuery): Promise<PredictionRecord[]> {
    return this.deps.store.predictions({ ...query, limit: Math.min(Math.max(1, query.limit), 10_000) });
  }

  /**
   * Request rate, errors and latency per version over time, from the prediction log (all
   * replicas), in `buckets` buckets between `since` and `until` (at most 100,000 predictions).
   */
  async timeline(name: string, window: { since: number; until: number; buckets?: number }): Promise<{ bucketMs: number; points: TimelinePoint[] }> {
    await this.get(name);
    if (!(window.until > window.since)) throw invalidParameter('until must be after since.');
    const buckets = Math.min(Math.max(1, window.buckets ?? 60), 1000);
    const bucketMs = Math.max(1000, Math.ceil((window.until - window.since) / buckets / 1000) * 1000);
    const timings = await this.deps.store.predictionTimings({ deployment: name, since: window.since, until: window.until, includeShadow: true, limit: 100_000 });
    return { bucketMs, points: buildTimeline(timings, window.since, bucketMs) };
  }

  /** Live numbers per version (this replica's), or null when the deployment is not loaded here. */
  status(name: string): VersionStatus[] | null {
    const live = this.live.get(name);
    if (!live) return null;
    const row = (v: LiveVersion, weight: number, shadow: boolean): VersionStatus => ({
      ...v.ref, weight, shadow, stats: this.statsOf(live, v.ref).snapshot(), queued: v.servable.batcher.queued, inFlight: v.servable.batcher.inFlight, execution: v.servable.execution,
    });
    return [...live.variants.map((v) => row(v, v.weight, false)), ...(live.shadow ? [row(live.shadow, 0, true)] : [])];
  }

  /**
   * Creates a deployment after loading every version it names.
   * @throws INVALID_PARAMETER_VALUE, RESOURCE_ALREADY_EXISTS, RESOURCE_DOES_NOT_EXIST
   */
  async create(name: string, input: DeploymentInput, user: string): Promise<Deployment> {
    if (!NAME.test(name)) throw invalidParameter(`Invalid deployment name '${name}': use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit.`);
    return this.locked(name, async () => {
      if (await this.deps.store.get(name)) throw new CapstanError('RESOURCE_ALREADY_EXISTS', `Deployment '${name}' already exists; update it instead.`);
      const spec = await this.specOf(input);
      const provisional: Deployment = { name, spec, revision: 0, createdAt: this.now(), updatedAt: this.now(), createdBy: user };
      const live = await this.build(provisional);
      let stored: Deployment;
      try {
        stored = await this.deps.store.create({ name, spec, user, time: this.now(), summary: `created: ${describeSpec(spec)}` });
      } catch (error) {
        await this.dispose(live);
        throw error;
      }
      live.deployment = stored;
      await this.install(live);
      this.deps.events?.publish('deployment.changed', { deployment: name, change: 'create' });
      return stored;
    });
  }

  /**
   * Replaces what a deployment serves (a hot swap: new versions load first, then traffic moves,
   * then old versions drain). Cancels a running canary.
   */
  async update(name: string, input: DeploymentInput, user: string): Promise<Deployment> {
    return this.locked(name, async () => {
      const current = await this.get(name);
      const spec = await this.specOf(input);
      return this.change(current, spec, user, 'update', `updated: ${describeSpec(spec)}`);
    });
  }

  /** Starts a canary from the deployment's single serving version to a candidate. */
  async startCanary(name: string, input: CanaryInput, user: string): Promise<Deployment> {
    return this.locked(name, async () => {
      const current = await this.get(name);
      if (current.spec.canary?.status === 'running') throw invalidParameter(`Deployment '${name}' already has a running canary; promote or roll it back first.`);
      const serving = current.spec.variants.filter((v) => v.weight > 0);
      if (serving.length !== 1) throw invalidParameter(`A canary starts from one serving version; '${name}' splits traffic across ${serving.length}. Set one version to 100 first.`);
      const candidate = await this.resolve(input);
      const plan: CanaryPlan = {
        stable: { model: serving[0]!.model, version: serving[0]!.version }, candidate,
        steps: input.steps ?? [10, 50, 100], stepSeconds: input.stepSeconds ?? 60,
        maxErrorRate: input.maxErrorRate ?? 0.01, maxP99Ms: input.maxP99Ms ?? 100, minRequests: input.minRequests ?? 20,
      };
      validateCanaryPlan(plan);
      const canary = { ...plan, step: 0, stepStartedAt: this.now(), status: 'running' as const };
      const spec: DeploymentSpec = { ...current.spec, variants: canaryVariants(canary), canary };
      return this.change(current, spec, user, 'canary_start', `canary ${refLabel(candidate)} started: steps ${plan.steps.join('→')}% every ${plan.stepSeconds}s, rollback above ${plan.maxErrorRate * 100}% errors or p99 ${plan.maxP99Ms} ms`);
    });
  }

  /** Ends a running canary at once with the candidate at 100%. */
  async promote(name: string, user: string): Promise<Deployment> {
    return this.locked(name, async () => {
      const current = await this.get(name);
      const c = current.spec.canary;
      if (c?.status !== 'running') throw invalidParameter(`Deployment '${name}' has no running canary to promote.`);
      return this.change(current, { ...current.spec, variants: [{ ...c.candidate, weight: 100 }], canary: { ...c, status: 'promoted', reason: `promoted by ${user}` } }, user, 'canary_promote', `canary ${refLabel(c.candidate)} promoted by ${user}`);
    });
  }

  /**
   * Rolls back: a running canary returns all traffic to its stable version; otherwise the
   * deployment returns to the newest earlier spec set by a person (not a canary's intermediate
   * split) that served something else.
   */
  async rollback(name: string, user: string, reason?: string): Promise<Deployment> {
    return this.locked(name, async () => {
      const current = await this.get(name);
      const c = current.spec.canary;
      if (c?.status === 'running') {
        const why = reason ?? `rolled back by ${user}`;
        return this.change(current, { ...current.spec, variants: [{ ...c.stable, weight: 100 }], canary: { ...c, status: 'rolled_back', reason: why } }, user, 'canary_rollback', `canary ${refLabel(c.candidate)} rolled back: ${why}`);
      }
      const history = await this.deps.store.history(name, 1000);
      const previous = history.find((h) => h.revision < current.revision && !h.action.startsWith('canary_') && JSON.stringify(h.spec.variants) !== JSON.stringify(current.spec.variants));
      if (!previous) throw invalidParameter(`Deployment '${name}' has no earlier revision to roll back to.`);
      const spec: DeploymentSpec = { ...previous.spec, canary: null };
      return this.change(current, spec, user, 'rollback', `rolled back to revision ${previous.revision} (${describeSpec(spec)})${reason ? `: ${reason}` : ''}`);
    });
  }

  /** Deletes a deployment; its history and prediction log stay. */
  async delete(name: string, user: string): Promise<void> {
    await this.locked(name, async () => {
      await this.deps.store.delete(name, user, this.now());
      const live = this.live.get(name);
      this.live.delete(name);
      if (live) await this.dispose(live);
      this.deps.events?.publish('deployment.changed', { deployment: name, change: 'delete' });
    });
  }

  /** The model a request would reach, for metadata and readiness (`version` picks one). */
  modelOf(name: string, version?: string): ServableModel {
    return this.target(this.liveOf(name), version, undefined).servable;
  }

  /**
   * The version most of a deployment's traffic reaches on this replica: the stable side during a
   * canary, else the heaviest variant. Null when the deployment is not loaded here.
   */
  primaryOf(name: string): ModelRef | null {
    const live = this.live.get(name);
    if (!live || live.variants.length === 0) return null;
    const canary = live.deployment.spec.canary;
    const stable = canary?.status === 'running' ? canary.stable : undefined;
    if (stable) return { model: stable.model, version: stable.version };
    const top = live.variants.reduce((a, b) => (b.weight > a.weight ? b : a));
    return { ...top.ref };
  }

  /**
   * Runs a table through one deployed version, outside routing, metrics and the payload log (for
   * references). Returns inputs and outputs in the payload log's shape.
   * @throws INVALID_PARAMETER_VALUE when the table does not fit the model's signature
   */
  async scoreTable(name: string, version: string, table: { columns: string[]; rows: unknown[][] }): Promise<Pick<PredictionRecord, 'inputs' | 'outputs'>> {
    const servable = this.target(this.liveOf(name), version, undefined).servable;
    const { feeds } = decodeScoringRequest({ dataframe_split: { columns: table.columns, data: table.rows } }, 'application/json', servable.inputs);
    const outputs = await servable.infer(feeds);
    return { inputs: columnsOf(feeds, servable.inputs), outputs: outputsOf(outputs) };
  }

  /** Versions a deployment serves (variants, then shadow). */
  versionsOf(name: string): string[] {
    const live = this.liveOf(name);
    return [...live.variants.map((v) => v.ref.version), ...(live.shadow ? [live.shadow.ref.version] : [])];
  }

  /** True when the deployment is loaded on this replica. */
  isReady(name: string): boolean {
    return this.live.has(name);
  }

  /**
   * Routes one request and runs it. `decode` turns the request into feeds for the chosen
   * version's inputs (it throws a 400 for bad input, which the model never sees).
   */
  async predict<D extends { feeds: Record<string, Tensor> }>(
    name: string,
    decode: (inputs: ModelInputs) => D,
    options: PredictOptions = {},
  ): Promise<Prediction<D>> {
    const live = this.liveOf(name);
    const sticky = live.deployment.spec.stickyHeader;
    const keyHeader = sticky ? options.headers?.[sticky] : undefined;
    const target = this.target(live, options.version, Array.isArray(keyHeader) ? keyHeader[0] : keyHeader);
    const label = refLabel(target.ref);
    const started = performance.now();
    let decoded: D;
    try {
      decoded = decode(target.servable.inputs);
    } catch (error) {
      this.metrics.observe(name, label, 'client_error', 0);
      throw error;
    }
    const id = `${this.idPrefix}-${(this.seq++).toString(36)}`;
    const time = this.now();
    let outputs: Record<string, Tensor>;
    try {
      outputs = await target.servable.infer(decoded.feeds);
    } catch (error) {
      const ms = performance.now() - started;
      this.statsOf(live, target.ref).record(ms, false);
      this.metrics.observe(name, label, 'error', ms / 1000);
      this.payloadLog.log({ id, deployment: name, ...target.ref, time, latencyMs: ms, status: 'error', shadow: false, inputs: columnsOf(decoded.feeds, target.servable.inputs), outputs: null, error: (error as Error).message });
      throw isCapstanError(error) ? error : new CapstanError('INTERNAL_ERROR', `Model ${label} failed: ${(error as Error).message}`);
    }
    const latencyMs = performance.now() - started;
    this.statsOf(live, target.ref).record(latencyMs, true);
    this.metrics.observe(name, label, 'ok', latencyMs / 1000);
    this.payloadLog.log({ id, deployment: name, ...target.ref, time, latencyMs, status: 'ok', shadow: false, inputs: columnsOf(decoded.feeds, target.servable.inputs), outputs: outputsOf(outputs) });
    if (live.shadow && !options.version && this.random() < live.shadow.fraction) this.mirror(live, live.shadow, decode, id);
    return { outputs, ref: target.ref, decoded, latencyMs, id };
  }

  /** Judges every running canary on this replica once (advance, promote, roll back or hold). */
  async tickCanaries(): Promise<void> {
    for (const live of [...this.live.values()]) {
      const c = live.deployment.spec.canary;
      if (c?.status !== 'running') continue;
      const decision = evaluateCanary(c, this.statsOf(live, c.candidate).snapshot(), this.now());
      if (decision.action === 'hold') continue;
      const name = live.deployment.name;
      await this.locked(name, async () => {
        const current = await this.deps.store.get(name);
        if (!current || current.revision !== live.deployment.revision) return;
        if (decision.action === 'advance') {
          const canary = { ...c, step: decision.step, stepStartedAt: this.now() };
          await this.change(current, { ...current.spec, variants: canaryVariants(canary), canary }, 'capstan', 'canary_step', `canary ${refLabel(c.candidate)} advanced to ${c.steps[decision.step]}%`);
        } else if (decision.action === 'promote') {
          await this.change(current, { ...current.spec, variants: [{ ...c.candidate, weight: 100 }], canary: { ...c, status: 'promoted', reason: 'all steps passed' } }, 'capstan', 'canary_promote', `canary ${refLabel(c.candidate)} promoted after ${c.steps.length} step(s)`);
        } else {
          await this.change(current, { ...current.spec, variants: [{ ...c.stable, weight: 100 }], canary: { ...c, status: 'rolled_back', reason: decision.reason } }, 'capstan', 'canary_rollback', `canary ${refLabel(c.candidate)} rolled back automatically: ${decision.reason}`);
        }
      });
    }
  }

  /** Brings this replica in line with the store (deployments other replicas created, changed or deleted). */
  async sync(): Promise<void> {
    const stored = await this.deps.store.list();
    const names = new Set(stored.map((d) => d.name));
    for (const d of stored) {
      if (this.live.get(d.name)?.deployment.revision === d.revision) continue;
      await this.locked(d.name, async () => {
        const fresh = await this.deps.store.get(d.name);
        if (!fresh || this.live.get(d.name)?.deployment.revision === fresh.revision) return;
        try {
          await this.install(await this.build(fresh));
        } catch (error) {
          console.error(`[capstan] deployment '${d.name}' could not be loaded:`, (error as Error).message);
        }
      });
    }
    for (const name of [...this.live.keys()]) {
      if (names.has(name)) continue;
      await this.locked(name, async () => {
        const live = this.live.get(name);
        this.live.delete(name);
        if (live) await this.dispose(live);
      });
    }
  }

  /** Shadow requests dropped because too many were in flight. */
  get shadowDrops(): number {
    return this.shadowDropped;
  }

  /** `/metrics` text for serving. */
  renderMetrics(): string {
    return `${this.metrics.render(this.payloadLog.counters)}# HELP capstan_shadow_dropped_total Shadow requests dropped under load.\n# TYPE capstan_shadow_dropped_total counter\ncapstan_shadow_dropped_total ${this.shadowDropped}\n`;
  }

  private mirror<D extends { feeds: Record<string, Tensor> }>(live: LiveDeployment, shadow: LiveVersion, decode: (inputs: ModelInputs) => D, primaryId: string): void {
    if (this.shadowInFlight >= MAX_SHADOW_IN_FLIGHT) {
      this.shadowDropped++;
      return;
    }
    this.shadowInFlight++;
    const name = live.deployment.name;
    const label = refLabel(shadow.ref);
    const started = performance.now();
    const time = this.now();
    const id = `${primaryId}.shadow`;
    void (async () => {
      let feeds: Record<string, Tensor> | undefined;
      try {
        feeds = decode(shadow.servable.inputs).feeds;
        const outputs = await shadow.servable.infer(feeds);
        const ms = performance.now() - started;
        this.statsOf(live, shadow.ref).record(ms, true);
        this.metrics.observe(name, label, 'ok', ms / 1000, true);
        this.payloadLog.log({ id, deployment: name, ...shadow.ref, time, latencyMs: ms, status: 'ok', shadow: true, inputs: columnsOf(feeds, shadow.servable.inputs), outputs: outputsOf(outputs) });
      } catch (error) {
        const ms = performance.now() - started;
        this.statsOf(live, shadow.ref).record(ms, false);
        this.metrics.observe(name, label, 'error', ms / 1000, true);
        this.payloadLog.log({ id, deployment: name, ...shadow.ref, time, latencyMs: ms, status: 'error', shadow: true, inputs: feeds ? columnsOf(feeds, shadow.servable.inputs) : {}, outputs: null, error: (error as Error).message });
      } finally {
        this.shadowInFlight--;
      }
    })();
  }

  private liveOf(name: string): LiveDeployment {
    const live = this.live.get(name);
    if (!live) throw doesNotExist(`Deployment '${name}' does not exist or is not loaded on this server.`);
    return live;
  }

  private target(live: LiveDeployment, version: string | undefined, routingKey: string | undefined): LiveVersion {
    if (version !== undefined) {
      const all = [...live.variants, ...(live.shadow ? [live.shadow] : [])];
      const hit = all.find((v) => v.ref.version === version || refLabel(v.ref) === version);
      if (!hit) throw doesNotExist(`Version '${version}' is not deployed in '${live.deployment.name}' (deployed: ${all.map((v) => refLabel(v.ref)).join(', ')}).`);
      return hit;
    }
    const point = routingKey !== undefined && routingKey !== '' ? keyPoint(routingKey) : this.random();
    const chosen = pickVariant(live.variants.map((v) => ({ ...v.ref, weight: v.weight })), point);
    return live.variants.find((v) => sameRef(v.ref, chosen))!;
  }

  private statsOf(live: LiveDeployment, ref: ModelRef): VersionStats {
    const key = refLabel(ref);
    let s = live.stats.get(key);
    if (!s) live.stats.set(key, (s = new VersionStats()));
    return s;
  }

  private async change(current: Deployment, spec: DeploymentSpec, user: string, action: DeploymentAction, summary: string): Promise<Deployment> {
    validateSpec(spec);
    const live = await this.build({ ...current, spec });
    let stored: Deployment | null;
    try {
      stored = await this.deps.store.update({ name: current.name, expectedRevision: current.revision, spec, user, time: this.now(), action, summary });
    } catch (error) {
      await this.dispose(live);
      throw error;
    }
    if (!stored) {
      await this.dispose(live);
      throw new CapstanError('RESOURCE_CONFLICT', `Deployment '${current.name}' was changed by someone else meanwhile; reload it and try again.`);
    }
    live.deployment = stored;
    if (action === 'canary_step' || action === 'canary_start') this.statsOf(live, spec.canary!.candidate).reset();
    await this.install(live);
    this.deps.events?.publish('deployment.changed', { deployment: current.name, change: `${action}: ${summary}` });
    return stored;
  }

  private async specOf(input: DeploymentInput): Promise<DeploymentSpec> {
    if (!Array.isArray(input.variants) || input.variants.length === 0) throw invalidParameter('Give at least one model version (variants: [{modelUri: "models:/name@alias"}]).');
    const variants: Variant[] = [];
    const weights = input.variants.map((v) => v.weight);
    const given = weights.filter((w) => w !== undefined) as number[];
    const rest = input.variants.length - given.length;
    const share = rest > 0 ? (100 - given.reduce((a, b) => a + b, 0)) / rest : 0;
    for (const [i, v] of input.variants.entries()) variants.push({ ...(await this.resolve(v)), weight: weights[i] ?? share });
    const spec: DeploymentSpec = { variants };
    if (input.shadow) spec.shadow = { ...(await this.resolve(input.shadow)), fraction: input.shadow.fraction ?? 1 };
    if (input.stickyHeader) spec.stickyHeader = input.stickyHeader.toLowerCase();
    if (input.maxBatchRows !== undefined) spec.maxBatchRows = input.maxBatchRows;
    if (input.workers !== undefined) spec.workers = input.workers;
    if (input.execution !== undefined) spec.execution = input.execution;
    validateSpec(spec);
    return spec;
  }

  private async resolve(selector: ModelSelector): Promise<ModelRef> {
    if ('modelUri' in selector && typeof selector.modelUri === 'string') {
      const uri = selector.modelUri;
      const version = await this.deps.resolveModelUri(uri);
      if (!version) throw invalidParameter(`Invalid model URI '${uri}': use models:/<name>/<version> or models:/<name>@<alias>.`);
      return { model: version.name, version: String(version.version) };
    }
    const ref = selector as ModelRef;
    if (typeof ref.model !== 'string' || !/^\d+$/.test(String(ref.version))) throw invalidParameter('Name a model version as {"modelUri": "models:/name@alias"} or {"model": "name", "version": "3"}.');
    await this.deps.getModelVersion(ref.model, Number(ref.version));
    return { model: ref.model, version: String(ref.version) };
  }

  private async build(deployment: Deployment): Promise<LiveDeployment> {
    const spec = deployment.spec;
    const acquired: LiveVersion[] = [];
    try {
      const variants = [];
      for (const v of spec.variants) {
        const lv = { ref: { model: v.model, version: v.version }, servable: await this.acquire(v, spec) };
        acquired.push(lv);
        variants.push({ ...lv, weight: v.weight });
      }
      let shadow: LiveDeployment['shadow'] = null;
      if (spec.shadow) {
        const lv = { ref: { model: spec.shadow.model, version: spec.shadow.version }, servable: await this.acquire(spec.shadow, spec) };
        acquired.push(lv);
        shadow = { ...lv, fraction: spec.shadow.fraction };
      }
      return { deployment, variants, shadow, stats: new Map() };
    } catch (error) {
      await Promise.all(acquired.map((a) => this.releaseRef(a.ref, spec)));
      throw error;
    }
  }

  private async install(live: LiveDeployment): Promise<void> {
    const name = live.deployment.name;
    const old = this.live.get(name);
    if (old) for (const [k, s] of old.stats) if (!live.stats.has(k)) live.stats.set(k, s);
    this.live.set(name, live);
    if (old) await this.dispose(old);
  }

  private async dispose(live: LiveDeployment): Promise<void> {
    const spec = live.deployment.spec;
    const all = [...live.variants, ...(live.shadow ? [live.shadow] : [])];
    await Promise.all(all.map((v) => this.releaseRef(v.ref, spec)));
  }

  private modelKey(ref: ModelRef, spec: DeploymentSpec): string {
    return `${refLabel(ref)}#${spec.workers ?? 1}#${spec.maxBatchRows ?? 256}#${spec.execution ?? 'auto'}`;
  }

  private acquire(ref: ModelRef, spec: DeploymentSpec): Promise<ServableModel> {
    const key = this.modelKey(ref, spec);
    let entry = this.models.get(key);
    if (!entry) {
      const label = refLabel(ref);
      const promise = (async () => {
        const version = await this.deps.getModelVersion(ref.model, Number(ref.version));
        const files = await this.deps.openModelFiles(version);
        return loadServable(ref, files, this.deps.runtime, {
          workers: spec.workers ?? 1, maxBatchRows: spec.maxBatchRows ?? 256, execution: spec.execution ?? 'auto',
          observe: (requests, rows) => this.metrics.observeBatch(label, requests, rows),
        });
      })();
      entry = { promise, refs: 0 };
      this.models.set(key, entry);
      promise.catch(() => { if (this.models.get(key) === entry) this.models.delete(key); });
    }
    entry.refs++;
    return entry.promise;
  }

  private async releaseRef(ref: ModelRef, spec: DeploymentSpec): Promise<void> {
    const key = this.modelKey(ref, spec);
    const entry = this.models.get(key);
    if (!entry) return;
    entry.refs--;
    if (entry.refs > 0) return;
    this.models.delete(key);
    const servable = await entry.promise.catch(() => null);
    if (!servable) return;
    for (let waited = 0; (servable.batcher.inFlight > 0 || servable.batcher.queued > 0) && waited < 60_000; waited += 10) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await servable.release();
  }

  private async locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(fn);
    this.locks.set(name, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(name) === run) this.locks.delete(name);
    }
  }
}

/** A short description of a spec for history entries. */
export function describeSpec(spec: DeploymentSpec): string {
  const parts = spec.variants.map((v) => `${refLabel(v)} ${v.weight}%`);
  if (spec.shadow) parts.push(`shadow ${refLabel(spec.shadow)} ${Math.round(spec.shadow.fraction * 100)}%`);
  return parts.join(', ');
}

/**
 * A request's inputs as columns for the prediction log: a one-input-per-column model logs each
 * input by name; a single [rows, features] input with signature columns is split into those
 * columns; anything else is logged by input name, nested by its shape.
 */
export function columnsOf(feeds: Record<string, Tensor>, inputs: ModelInputs): Record<string, unknown> {
  const names = Object.keys(feeds);
  const columns = inputs.columns;
  if (names.length === 1 && columns && columns.length > 1) {
    const t = feeds[names[0]!]!;
    const width = t.dims.at(-1) ?? 1;
    if (t.dims.length === 2 && width === columns.length) {
      const flat = toJsonValues(t);
      const rows = t.dims[0]!;
      return Object.fromEntries(columns.map((c, j) => [c.name, Array.from({ length: rows }, (_, r) => flat[r * width + j])]));
    }
  }
  return Object.fromEntries(names.map((n) => {
    const t = feeds[n]!;
    return [n, t.dims.length === 2 && t.dims[1] === 1 ? toJsonValues(t) : nest(toJsonValues(t), t.dims)];
  }));
}

/** Outputs for the prediction log, nested by shape. */
export function outputsOf(outputs: Record<string, Tensor>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([n, t]) => [n, t.dims.length === 2 && t.dims[1] === 1 ? toJsonValues(t) : nest(toJsonValues(t), t.dims)]));
}

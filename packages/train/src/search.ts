import { invalid } from './data.js';
import { Rng } from './rng.js';

/** A parameter value. */
export type ParamValue = number | string | boolean;

/** A search-space dimension. `step` discretizes floats; ints have step 1 unless given. */
export type Distribution =
  | { type: 'float'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'int'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'categorical'; choices: readonly ParamValue[] };

/** Lifecycle state of a trial. */
export type TrialState = 'running' | 'complete' | 'pruned' | 'failed';

/** A trial's record. */
export interface FrozenTrial {
  readonly number: number;
  state: TrialState;
  value: number | undefined;
  readonly params: Record<string, ParamValue>;
  readonly distributions: Record<string, Distribution>;
  /** Reported intermediate values by step. */
  readonly intermediate: Map<number, number>;
  /** Pruner/sampler bookkeeping (e.g. successive-halving rungs, grid ids). */
  readonly system: Record<string, number>;
  error?: string;
}

/** Chooses parameter values. */
export interface Sampler {
  sample(study: Study, trial: FrozenTrial, name: string, dist: Distribution): ParamValue;
}

/** Decides whether a running trial should stop early. */
export interface Pruner {
  prune(study: Study, trial: FrozenTrial): boolean;
}

/** Thrown by an objective (usually after `trial.shouldPrune()`) to stop a trial as pruned. */
export class TrialPruned extends Error {
  constructor(message = 'trial pruned') {
    super(message);
    this.name = 'TrialPruned';
  }
}

/** Hooks for tracking integrations; see `trackStudy`. */
export interface StudyHooks {
  onTrialStart?(study: Study, trial: FrozenTrial): void | Promise<void>;
  onReport?(study: Study, trial: FrozenTrial, value: number, step: number): void | Promise<void>;
  onTrialEnd?(study: Study, trial: FrozenTrial): void | Promise<void>;
  onStudyEnd?(study: Study): void | Promise<void>;
}

function validate(name: string, d: Distribution): void {
  if (d.type === 'categorical') {
    if (!Array.isArray(d.choices) || d.choices.length === 0) invalid(`parameter '${name}': choices must be a non-empty array`);
    return;
  }
  if (!(Number.isFinite(d.low) && Number.isFinite(d.high)) || d.low > d.high) invalid(`parameter '${name}': need finite low <= high, got [${d.low}, ${d.high}]`);
  if (d.log && d.low <= 0) invalid(`parameter '${name}': a log scale needs low > 0, got ${d.low}`);
  if (d.log && d.step !== undefined && d.type === 'float') invalid(`parameter '${name}': step and log cannot be combined`);
  if (d.step !== undefined && !(d.step > 0)) invalid(`parameter '${name}': step must be positive`);
  if (d.type === 'int' && !(Number.isInteger(d.low) && Number.isInteger(d.high))) invalid(`parameter '${name}': int bounds must be integers`);
}

/** The handle an objective uses to draw parameters and report progress. */
export class Trial {
  constructor(private readonly study: Study, readonly record: FrozenTrial) {}

  get number(): number {
    return this.record.number;
  }

  get params(): Record<string, ParamValue> {
    return this.record.params;
  }

  /** A value of `dist` for `name` (the same value when asked again in this trial). */
  suggest(name: string, dist: Distribution): ParamValue {
    if (name in this.record.params) return this.record.params[name]!;
    validate(name, dist);
    const value = dist.type !== 'categorical' && dist.low === dist.high ? dist.low : this.study.sampler.sample(this.study, this.record, name, dist);
    this.record.params[name] = value;
    this.record.distributions[name] = dist;
    return value;
  }

  suggestFloat(name: string, low: number, high: number, options: { log?: boolean; step?: number } = {}): number {
    return this.suggest(name, { type: 'float', low, high, ...options }) as number;
  }

  suggestInt(name: string, low: number, high: number, options: { log?: boolean; step?: number } = {}): number {
    return this.suggest(name, { type: 'int', low, high, ...options }) as number;
  }

  suggestCategorical<T extends ParamValue>(name: string, choices: readonly T[]): T {
    return this.suggest(name, { type: 'categorical', choices }) as T;
  }

  /**
   * Records an intermediate objective value at `step` (e.g. validation loss after `step` boosting
   * rounds). Synchronous, so it can run inside a training callback; tracking hooks it triggers
   * are awaited when the trial ends (or by awaiting the returned promise).
   */
  report(value: number, step: number): Promise<void> {
    if (!Number.isInteger(step) || step < 0) invalid(`step must be a non-negative integer, got ${step}`);
    if (this.record.intermediate.has(step)) return Promise.resolve();
    this.record.intermediate.set(step, value);
    const pending = Promise.resolve(this.study.hooks.onReport?.(this.study, this.record, value, step));
    pending.catch(() => undefined);
    this.study.pending.push(pending);
    return pending;
  }

  /** Asks the study's pruner whether to stop now; throw {@link TrialPruned} when true. */
  shouldPrune(): boolean {
    return this.study.pruner.prune(this.study, this.record);
  }
}

/** Options of {@link Study}. */
export interface StudyOptions {
  direction?: 'minimize' | 'maximize';
  sampler?: Sampler;
  pruner?: Pruner;
  hooks?: StudyHooks;
  name?: string;
}

/**
 * A hyperparameter search (Optuna's study model): `optimize` runs trials sequentially, each
 * asking the sampler for parameters through {@link Trial}; trials can be pruned.
 * @example
 * const study = new Study({ direction: 'minimize', sampler: new TpeSampler({ seed: 1 }) });
 * await study.optimize((t) => (t.suggestFloat('x', -10, 10) - 2) ** 2, { nTrials: 50 });
 * study.bestTrial.params; // { x: ≈2 }
 */
export class Study {
  readonly direction: 'minimize' | 'maximize';
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  readonly hooks: StudyHooks;
  readonly name: string;
  readonly trials: FrozenTrial[] = [];
  /** Set by a sampler (grid) when the space is exhausted. */
  stopped = false;
  /** Hook calls started by `Trial.report`, awaited before a trial ends. */
  readonly pending: Promise<void>[] = [];

  constructor(options: StudyOptions = {}) {
    this.direction = options.direction ?? 'minimize';
    if (this.direction !== 'minimize' && this.direction !== 'maximize') invalid(`direction must be 'minimize' or 'maximize'`);
    this.sampler = options.sampler ?? new TpeSampler();
    this.pruner = options.pruner ?? new NopPruner();
    this.hooks = options.hooks ?? {};
    this.name = options.name ?? 'study';
  }

  /** Starts a trial (for ask/tell use). */
  async ask(): Promise<Trial> {
    const record: FrozenTrial = { number: this.trials.length, state: 'running', value: undefined, params: {}, distributions: {}, intermediate: new Map(), system: {} };
    this.trials.push(record);
    await this.hooks.onTrialStart?.(this, record);
    return new Trial(this, record);
  }

  /** Finishes a trial with its objective value, or as pruned/failed. */
  async tell(trial: Trial, result: number | 'pruned' | 'failed', error?: string): Promise<void> {
    const r = trial.record;
    if (r.state !== 'running') invalid(`trial ${r.number} is already ${r.state}`);
    await Promise.all(this.pending.splice(0));
    if (typeof result === 'number') {
      if (Number.isNaN(result)) {
        r.state = 'failed';
        r.error = 'objective returned NaN';
      } else {
        r.state = 'complete';
        r.value = result;
      }
    } else {
      r.state = result;
      if (error) r.error = error;
      if (result === 'pruned' && r.intermediate.size) r.value = r.intermediate.get(lastStep(r)!)!;
    }
    await this.hooks.onTrialEnd?.(this, r);
  }

  /** Runs `nTrials` trials (fewer if a grid is exhausted). Objective errors other than {@link TrialPruned} fail the trial and are rethrown unless `catchErrors`. */
  async optimize(objective: (trial: Trial) => number | Promise<number>, options: { nTrials: number; catchErrors?: boolean }): Promise<void> {
    if (!Number.isInteger(options.nTrials) || options.nTrials < 1) invalid(`nTrials must be a positive integer, got ${options.nTrials}`);
    try {
      for (let i = 0; i < options.nTrials && !this.stopped; i++) {
        const trial = await this.ask();
        let value: number;
        try {
          value = await objective(trial);
        } catch (e) {
          if (e instanceof TrialPruned) {
            await this.tell(trial, 'pruned');
            continue;
          }
          await this.tell(trial, 'failed', e instanceof Error ? e.message : String(e));
          if (options.catchErrors) continue;
          throw e;
        }
        await this.tell(trial, value);
      }
    } finally {
      await this.hooks.onStudyEnd?.(this);
    }
  }

  /** Completed trials. */
  get completeTrials(): FrozenTrial[] {
    return this.trials.filter((t) => t.state === 'complete');
  }

  /** The best completed trial. @throws RESOURCE_DOES_NOT_EXIST-like INVALID_PARAMETER_VALUE when none completed. */
  get bestTrial(): FrozenTrial {
    const done = this.completeTrials;
    if (done.length === 0) invalid('no trial has completed yet');
    return done.reduce((a, b) => (this.better(b.value!, a.value!) ? b : a));
  }

  /** True when `a` is strictly better than `b` in this study's direction. */
  better(a: number, b: number): boolean {
    return this.direction === 'minimize' ? a < b : a > b;
  }
}

function lastStep(t: FrozenTrial): number | undefined {
  let m: number | undefined;
  for (const s of t.intermediate.keys()) if (m === undefined || s > m) m = s;
  return m;
}

/** Independent uniform sampling (log-uniform for log scales). */
export class RandomSampler implements Sampler {
  readonly rng: Rng;
  constructor(options: { seed?: number } = {}) {
    this.rng = new Rng(options.seed ?? 0);
  }

  sample(_study: Study, _trial: FrozenTrial, _name: string, dist: Distribution): ParamValue {
    return sampleUniform(this.rng, dist);
  }
}

function sampleUniform(rng: Rng, d: Distribution): ParamValue {
  if (d.type === 'categorical') return d.choices[rng.int(d.choices.length)]!;
  const step = d.step ?? (d.type === 'int' ? 1 : undefined);
  if (d.log) {
    const lo = Math.log(d.type === 'int' ? d.low - 0.5 : d.low);
    const hi = Math.log(d.type === 'int' ? d.high + 0.5 : d.high);
    return fromInternal(d, lo + rng.random() * (hi - lo));
  }
  if (step === undefined) return d.low + rng.random() * (d.high - d.low);
  const n = Math.floor((d.high - d.low) / step + 1e-9);
  return roundTo(d, d.low + rng.int(n + 1) * step);
}

function roundTo(d: Distribution & { type: 'float' | 'int' }, v: number): number {
  const step = d.step ?? (d.type === 'int' ? 1 : undefined);
  if (step === undefined) return Math.min(d.high, Math.max(d.low, v));
  const k = Math.round((v - d.low) / step);
  const n = Math.floor((d.high - d.low) / step + 1e-9);
  const r = d.low + Math.min(n, Math.max(0, k)) * step;
  return d.type === 'int' ? Math.round(r) : Number(r.toPrecision(15));
}

/** Maps a value in the internal (possibly log) space back to the distribution's domain. */
function fromInternal(d: Distribution & { type: 'float' | 'int' }, v: number): number {
  return roundTo(d, d.log ? Math.exp(v) : v);
}

/**
 * Exhaustive grid search over `searchSpace` (name → values), visiting the points in a seeded
 * random order without repeats (Optuna's GridSampler); the study stops when all are visited.
 */
export class GridSampler implements Sampler {
  private readonly names: string[];
  private readonly order: number[];
  private next = 0;
  readonly size: number;

  constructor(private readonly searchSpace: Record<string, readonly ParamValue[]>, options: { seed?: number } = {}) {
    this.names = Object.keys(searchSpace).sort();
    for (const n of this.names) if (!searchSpace[n]!.length) invalid(`grid parameter '${n}' has no values`);
    this.size = this.names.reduce((a, n) => a * searchSpace[n]!.length, 1);
    this.order = new Rng(options.seed ?? 0).shuffle(Array.from({ length: this.size }, (_, i) => i));
  }

  sample(study: Study, trial: FrozenTrial, name: string): ParamValue {
    if (!(name in this.searchSpace)) invalid(`parameter '${name}' is not in the grid; add it to the search space`);
    if (trial.system.grid_id === undefined) {
      trial.system.grid_id = this.order[this.next++]!;
      if (this.next >= this.size) study.stopped = true;
    }
    let id = trial.system.grid_id;
    const values: Record<string, ParamValue> = {};
    for (let i = this.names.length - 1; i >= 0; i--) {
      const n = this.names[i]!;
      const vs = this.searchSpace[n]!;
      values[n] = vs[id % vs.length]!;
      id = Math.floor(id / vs.length);
    }
    return values[name]!;
  }
}

/** Optuna's default gamma: the number of "good" trials among n. */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Optuna's default observation weights: a ramp for old trials, flat for the newest 25. */
export function defaultWeights(n: number): number[] {
  if (n === 0) return [];
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = Array.from({ length: n - 25 }, (_, i) => (n - 25 === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (n - 26)));
  return [...ramp, ...new Array<number>(25).fill(1)];
}

/** TPE options; defaults are Optuna's. */
export interface TpeOptions {
  seed?: number;
  nStartupTrials?: number;
  nEiCandidates?: number;
  gamma?: (n: number) => number;
  weights?: (n: number) => number[];
  priorWeight?: number;
  considerMagicClip?: boolean;
  considerEndpoints?: boolean;
}

interface Parzen {
  weights: number[];
  mus: number[];
  sigmas: number[];
  low: number;
  high: number;
}

/**
 * Tree-structured Parzen Estimator (univariate, Optuna's defaults): the first `nStartupTrials`
 * are random; then per parameter, trials are split into the best gamma(n) and the rest, a Parzen
 * mixture (truncated normals, or smoothed categorical weights, plus a prior) is fit to each, and
 * of `nEiCandidates` draws from the good mixture the one maximizing l(x)/g(x) is chosen.
 * Pruned trials rank after completed ones (by steps reached, then last value).
 */
export class TpeSampler implements Sampler {
  readonly rng: Rng;
  private readonly random: RandomSampler;
  private readonly o: Required<TpeOptions>;

  constructor(options: TpeOptions = {}) {
    this.o = {
      seed: options.seed ?? 0, nStartupTrials: options.nStartupTrials ?? 10, nEiCandidates: options.nEiCandidates ?? 24,
      gamma: options.gamma ?? defaultGamma, weights: options.weights ?? defaultWeights, priorWeight: options.priorWeight ?? 1,
      considerMagicClip: options.considerMagicClip ?? true, considerEndpoints: options.considerEndpoints ?? false,
    };
    this.rng = new Rng(this.o.seed);
    this.random = new RandomSampler({ seed: this.o.seed + 1 });
  }

  sample(study: Study, trial: FrozenTrial, name: string, dist: Distribution): ParamValue {
    const history = study.trials.filter((t) => t !== trial && (t.state === 'complete' || t.state === 'pruned'));
    if (history.length < this.o.nStartupTrials) return this.random.sample(study, trial, name, dist);
    const sign = study.direction === 'minimize' ? 1 : -1;
    const key = (t: FrozenTrial): [number, number, number] => t.state === 'complete'
      ? [0, 0, sign * t.value!]
      : [1, -(lastStep(t) ?? -1), t.value === undefined ? Infinity : sign * t.value];
    const ranked = history.slice().sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2] || a.number - b.number;
    });
    const nBelow = this.o.gamma(ranked.length);
    // Observations in trial-number order, as Optuna keeps them (weights ramp over age).
    const below = ranked.slice(0, nBelow).filter((t) => name in t.params).sort((a, b) => a.number - b.number);
    const above = ranked.slice(nBelow).filter((t) => name in t.params).sort((a, b) => a.number - b.number);
    if (dist.type === 'categorical') {
      const idx = (t: FrozenTrial) => dist.choices.indexOf(t.params[name]!);
      const l = this.categorical(below.map(idx), dist.choices.length);
      const g = this.categorical(above.map(idx), dist.choices.length);
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < this.o.nEiCandidates; c++) {
        const comp = pick(this.rng, l.weights);
        const x = pick(this.rng, l.probs[comp]!);
        const score = Math.log(mixProb(l, x)) - Math.log(mixProb(g, x));
        if (score > bestScore) {
          bestScore = score;
          best = x;
        }
      }
      return dist.choices[best]!;
    }
    const step = dist.log ? undefined : dist.step ?? (dist.type === 'int' ? 1 : undefined);
    let low = dist.log ? Math.log(dist.type === 'int' ? dist.low - 0.5 : dist.low) : dist.low;
    let high = dist.log ? Math.log(dist.type === 'int' ? dist.high + 0.5 : dist.high) : dist.high;
    if (step !== undefined) {
      low -= step / 2;
      high += step / 2;
    }
    const toInternal = (v: number) => (dist.log ? Math.log(v) : v);
    const l = this.numerical(below.map((t) => toInternal(t.params[name] as number)), low, high);
    const g = this.numerical(above.map((t) => toInternal(t.params[name] as number)), low, high);
    let best = (low + high) / 2;
    let bestScore = -Infinity;
    for (let c = 0; c < this.o.nEiCandidates; c++) {
      const k = pick(this.rng, l.weights);
      const x = truncNormalSample(this.rng, l.mus[k]!, l.sigmas[k]!, low, high);
      const score = logMixPdf(l, x) - logMixPdf(g, x);
      if (score > bestScore) {
        bestScore = score;
        best = x;
      }
    }
    return fromInternal(dist, best);
  }

  private mixtureWeights(n: number): number[] {
    const w = [...this.o.weights(n), this.o.priorWeight];
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / s);
  }

  private numerical(obs: number[], low: number, high: number): Parzen {
    const n = obs.length;
    const range = high - low;
    const sigmas = new Array<number>(n);
    if (n > 0) {
      const order = obs.map((_, i) => i).sort((a, b) => obs[a]! - obs[b]!);
      const sorted = [low, ...order.map((i) => obs[i]!), high];
      const s = order.map((_, j) => Math.max(sorted[j + 1]! - sorted[j]!, sorted[j + 2]! - sorted[j + 1]!));
      if (!this.o.considerEndpoints && sorted.length >= 4) {
        s[0] = sorted[2]! - sorted[1]!;
        s[s.length - 1] = sorted[sorted.length - 2]! - sorted[sorted.length - 3]!;
      }
      order.forEach((i, j) => (sigmas[i] = s[j]!));
    }
    const minSigma = this.o.considerMagicClip ? range / Math.min(100, 1 + n + 1) : 1e-12;
    const clipped = sigmas.map((s) => Math.min(range, Math.max(minSigma, s)));
    return { weights: this.mixtureWeights(n), mus: [...obs, (low + high) / 2], sigmas: [...clipped, range], low, high };
  }

  private categorical(obs: number[], nChoices: number): { weights: number[]; probs: number[][] } {
    const n = obs.length;
    const probs = Array.from({ length: n + 1 }, () => new Array<number>(nChoices).fill(this.o.priorWeight / (n + 1)));
    obs.forEach((c, i) => (probs[i]![c]! += 1));
    for (const row of probs) {
      const s = row.reduce((a, b) => a + b, 0);
      for (let k = 0; k < nChoices; k++) row[k]! /= s;
    }
    return { weights: this.mixtureWeights(n), probs };
  }
}

function pick(rng: Rng, weights: readonly number[]): number {
  let u = rng.random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

function mixProb(m: { weights: number[]; probs: number[][] }, x: number): number {
  let p = 0;
  for (let k = 0; k < m.weights.length; k++) p += m.weights[k]! * m.probs[k]![x]!;
  return p;
}

const SQRT2 = Math.SQRT2;
/** Standard normal CDF via erfc (W. J. Cody's rational approximation is overkill; this has |err| < 1.2e-7). */
function normCdf(z: number): number {
  const x = Math.abs(z) / SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

function logMixPdf(m: Parzen, x: number): number {
  let p = 0;
  for (let k = 0; k < m.weights.length; k++) {
    const mu = m.mus[k]!;
    const s = m.sigmas[k]!;
    const z = (x - mu) / s;
    const mass = Math.max(normCdf((m.high - mu) / s) - normCdf((m.low - mu) / s), 1e-300);
    p += (m.weights[k]! * Math.exp(-0.5 * z * z)) / (s * Math.sqrt(2 * Math.PI) * mass);
  }
  return Math.log(Math.max(p, 1e-300));
}

function truncNormalSample(rng: Rng, mu: number, sigma: number, low: number, high: number): number {
  for (let i = 0; i < 1000; i++) {
    const x = mu + sigma * rng.normal();
    if (x >= low && x <= high) return x;
  }
  return Math.min(high, Math.max(low, mu));
}

/** Never prunes. */
export class NopPruner implements Pruner {
  prune(): boolean {
    return false;
  }
}

/** Median pruner options (Optuna's defaults). */
export interface MedianPrunerOptions {
  nStartupTrials?: number;
  nWarmupSteps?: number;
  intervalSteps?: number;
  nMinTrials?: number;
}

/**
 * Prunes a trial whose best intermediate value so far is worse than the median of completed
 * trials' values at the same step (Optuna's MedianPruner: n_startup_trials=5, n_warmup_steps=0,
 * interval_steps=1, n_min_trials=1).
 */
export class MedianPruner implements Pruner {
  private readonly o: Required<MedianPrunerOptions>;
  constructor(options: MedianPrunerOptions = {}) {
    this.o = { nStartupTrials: options.nStartupTrials ?? 5, nWarmupSteps: options.nWarmupSteps ?? 0, intervalSteps: options.intervalSteps ?? 1, nMinTrials: options.nMinTrials ?? 1 };
  }

  prune(study: Study, trial: FrozenTrial): boolean {
    const step = lastStep(trial);
    if (step === undefined || step < this.o.nWarmupSteps) return false;
    if (this.o.intervalSteps > 1) {
      const prev = [...trial.intermediate.keys()].filter((s) => s < step && s >= this.o.nWarmupSteps);
      const last = prev.length ? Math.max(...prev) : undefined;
      const bucket = (s: number) => Math.floor((s - this.o.nWarmupSteps) / this.o.intervalSteps);
      if (last !== undefined && bucket(last) === bucket(step)) return false;
    }
    const done = study.completeTrials;
    if (done.length === 0 || done.length < this.o.nStartupTrials) return false;
    const vals = [...trial.intermediate.values()];
    const best = study.direction === 'minimize' ? Math.min(...vals) : Math.max(...vals);
    if (Number.isNaN(best)) return true;
    const others = done.map((t) => t.intermediate.get(step)).filter((v): v is number => v !== undefined && !Number.isNaN(v)).sort((a, b) => a - b);
    if (others.length < this.o.nMinTrials || others.length === 0) return false;
    const median = percentile(others, 50);
    return study.direction === 'minimize' ? best > median : best < median;
  }
}

function percentile(sorted: number[], p: number): number {
  const pos = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Successive-halving options (Optuna's defaults: minResource 'auto', reductionFactor 4). */
export interface SuccessiveHalvingOptions {
  minResource?: number | 'auto';
  reductionFactor?: number;
  minEarlyStoppingRate?: number;
  bootstrapCount?: number;
}

/**
 * Asynchronous successive halving (Optuna's SuccessiveHalvingPruner). Rung r is reached at step
 * minResource·reductionFactor^(minEarlyStoppingRate + r); a trial continues past a rung only if its
 * value is in the top 1/reductionFactor of the values recorded at that rung. With 'auto',
 * minResource = max(1, ⌊last step of the first completed trial / 100⌋).
 */
export class SuccessiveHalvingPruner implements Pruner {
  private minResource: number | undefined;
  private readonly o: Required<Omit<SuccessiveHalvingOptions, 'minResource'>>;
  constructor(options: SuccessiveHalvingOptions = {}) {
    const mr = options.minResource ?? 'auto';
    if (mr !== 'auto' && !(Number.isInteger(mr) && mr > 0)) invalid(`minResource must be 'auto' or a positive integer, got ${mr}`);
    this.minResource = mr === 'auto' ? undefined : mr;
    this.o = { reductionFactor: options.reductionFactor ?? 4, minEarlyStoppingRate: options.minEarlyStoppingRate ?? 0, bootstrapCount: options.bootstrapCount ?? 0 };
    if (!(this.o.reductionFactor >= 2)) invalid('reductionFactor must be at least 2');
  }

  prune(study: Study, trial: FrozenTrial): boolean {
    const step = lastStep(trial);
    if (step === undefined) return false;
    let rung = Object.keys(trial.system).filter((k) => k.startsWith('completed_rung_')).length;
    const value = trial.intermediate.get(step)!;
    for (;;) {
      if (this.minResource === undefined) {
        const steps = study.completeTrials.map(lastStep).filter((s): s is number => s !== undefined);
        if (steps.length === 0) return false;
        this.minResource = Math.max(Math.floor(Math.max(...steps) / 100), 1);
      }
      const promotionStep = this.minResource * this.o.reductionFactor ** (this.o.minEarlyStoppingRate + rung);
      if (step < promotionStep) return false;
      if (Number.isNaN(value)) return true;
      const key = `completed_rung_${rung}`;
      const competing = study.trials.filter((t) => t !== trial && key in t.system).map((t) => t.system[key]!);
      trial.system[key] = value;
      competing.push(value);
      if (competing.length <= this.o.bootstrapCount) return true;
      let idx = Math.floor(competing.length / this.o.reductionFactor) - 1;
      if (idx === -1) idx = 0;
      competing.sort((a, b) => a - b);
      const promotable = study.direction === 'maximize' ? value >= competing[competing.length - 1 - idx]! : value <= competing[idx]!;
      if (!promotable) return true;
      rung++;
    }
  }
}

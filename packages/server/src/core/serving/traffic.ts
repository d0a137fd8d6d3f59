import { invalidParameter } from '@capstan/api';
import type { CanaryPlan, CanaryState, DeploymentSpec, ModelRef, Variant } from './model.js';

/** A point in [0, 1) from a routing key (FNV-1a), so the same key always lands on the same variant. */
export function keyPoint(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}

/** Chooses the variant for a point in [0, 1) by cumulative weight. */
export function pickVariant(variants: readonly Variant[], point: number): Variant {
  const total = variants.reduce((s, v) => s + v.weight, 0);
  let acc = 0;
  const target = point * total;
  for (const v of variants) {
    acc += v.weight;
    if (target < acc) return v;
  }
  return variants.filter((v) => v.weight > 0).at(-1) ?? variants[0]!;
}

/**
 * Checks a deployment spec: at least one variant, weights non-negative and summing to 100,
 * no version twice, a shadow fraction in (0, 1], sane batching.
 * @throws INVALID_PARAMETER_VALUE
 */
export function validateSpec(spec: DeploymentSpec): void {
  if (spec.variants.length === 0) throw invalidParameter('A deployment needs at least one model version.');
  if (spec.variants.length > 16) throw invalidParameter('A deployment can split traffic across at most 16 versions.');
  const seen = new Set<string>();
  for (const v of spec.variants) {
    if (!Number.isFinite(v.weight) || v.weight < 0 || v.weight > 100) throw invalidParameter(`Weight ${v.weight} of ${v.model}/${v.version} must be between 0 and 100.`);
    const k = `${v.model}/${v.version}`;
    if (seen.has(k)) throw invalidParameter(`Version ${k} is listed twice; give it one weight.`);
    seen.add(k);
  }
  const sum = spec.variants.reduce((s, v) => s + v.weight, 0);
  if (Math.abs(sum - 100) > 1e-9) throw invalidParameter(`Traffic weights must sum to 100; they sum to ${sum}.`);
  if (spec.shadow && !(spec.shadow.fraction > 0 && spec.shadow.fraction <= 1)) throw invalidParameter(`Shadow fraction ${spec.shadow.fraction} must be in (0, 1].`);
  if (spec.maxBatchRows !== undefined && !(Number.isInteger(spec.maxBatchRows) && spec.maxBatchRows >= 1 && spec.maxBatchRows <= 65536)) throw invalidParameter('maxBatchRows must be an integer between 1 and 65536.');
  if (spec.workers !== undefined && !(Number.isInteger(spec.workers) && spec.workers >= 1 && spec.workers <= 32)) throw invalidParameter('workers must be an integer between 1 and 32.');
  if (spec.execution !== undefined && !['auto', 'workers', 'inline'].includes(spec.execution)) throw invalidParameter(`execution must be auto, workers or inline; got '${String(spec.execution)}'.`);
  if (spec.stickyHeader !== undefined && spec.stickyHeader !== null && !/^[A-Za-z0-9-]{1,64}$/.test(spec.stickyHeader)) throw invalidParameter(`stickyHeader '${spec.stickyHeader}' is not a valid header name.`);
}

/**
 * Checks a canary plan.
 * @throws INVALID_PARAMETER_VALUE
 */
export function validateCanaryPlan(plan: CanaryPlan): void {
  if (plan.steps.length === 0 || plan.steps.length > 20) throw invalidParameter('A canary needs between 1 and 20 steps.');
  let last = 0;
  for (const s of plan.steps) {
    if (!(s > last && s <= 100)) throw invalidParameter(`Canary steps must increase within (0, 100]; got ${plan.steps.join(', ')}.`);
    last = s;
  }
  if (last !== 100) throw invalidParameter(`The last canary step must be 100 (full traffic); got ${last}.`);
  if (!(plan.stepSeconds > 0 && plan.stepSeconds <= 86400)) throw invalidParameter('stepSeconds must be in (0, 86400].');
  if (!(plan.maxErrorRate >= 0 && plan.maxErrorRate <= 1)) throw invalidParameter('maxErrorRate must be between 0 and 1.');
  if (!(plan.maxP99Ms > 0)) throw invalidParameter('maxP99Ms must be positive.');
  if (!(Number.isInteger(plan.minRequests) && plan.minRequests >= 0)) throw invalidParameter('minRequests must be a non-negative integer.');
  if (sameRef(plan.stable, plan.candidate)) throw invalidParameter('The canary candidate must differ from the stable version.');
}

/** The traffic split a canary step implies. */
export function canaryVariants(state: CanaryPlan & { step: number }): Variant[] {
  const w = state.steps[state.step] ?? 100;
  return [{ ...state.stable, weight: 100 - w }, { ...state.candidate, weight: w }];
}

/** What the candidate did during the current step. */
export interface StepStats {
  requests: number;
  errors: number;
  p99Ms: number;
}

/** The next move of a running canary. */
export type CanaryDecision =
  | { action: 'hold' }
  | { action: 'advance'; step: number }
  | { action: 'promote' }
  | { action: 'rollback'; reason: string };

/**
 * Judges a running canary: roll back as soon as the candidate breaks a threshold (once it has
 * served `minRequests` in the step), otherwise advance when the step's time is up, and promote
 * after the last step.
 */
export function evaluateCanary(state: CanaryState, stats: StepStats, now: number): CanaryDecision {
  if (state.status !== 'running') return { action: 'hold' };
  if (stats.requests >= Math.max(1, state.minRequests)) {
    const rate = stats.errors / stats.requests;
    if (rate > state.maxErrorRate) return { action: 'rollback', reason: `error rate ${(rate * 100).toFixed(2)}% > ${(state.maxErrorRate * 100).toFixed(2)}% over ${stats.requests} requests at step ${state.step + 1} (${state.steps[state.step]}%)` };
    if (stats.p99Ms > state.maxP99Ms) return { action: 'rollback', reason: `p99 latency ${stats.p99Ms.toFixed(2)} ms > ${state.maxP99Ms} ms over ${stats.requests} requests at step ${state.step + 1} (${state.steps[state.step]}%)` };
  }
  if (now - state.stepStartedAt < state.stepSeconds * 1000) return { action: 'hold' };
  if (stats.requests < state.minRequests) return { action: 'hold' };
  if (state.step + 1 >= state.steps.length) return { action: 'promote' };
  return { action: 'advance', step: state.step + 1 };
}

/** Counts and recent latencies of one version, reset at each canary step. */
export class VersionStats {
  requests = 0;
  errors = 0;
  private readonly latencies: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(capacity = 4096) {
    this.latencies = new Float64Array(capacity);
  }

  /** Records one request. */
  record(latencyMs: number, ok: boolean): void {
    this.requests++;
    if (!ok) this.errors++;
    this.latencies[this.next] = latencyMs;
    this.next = (this.next + 1) % this.latencies.length;
    if (this.filled < this.latencies.length) this.filled++;
  }

  /** The step statistics (p99 over the most recent requests). */
  snapshot(): StepStats {
    const sorted = this.latencies.slice(0, this.filled).sort();
    const p99 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]! : 0;
    return { requests: this.requests, errors: this.errors, p99Ms: p99 };
  }

  /** Starts a new window. */
  reset(): void {
    this.requests = 0;
    this.errors = 0;
    this.next = 0;
    this.filled = 0;
  }
}

/** True when two refs name the same version. */
export function sameRef(a: ModelRef, b: ModelRef): boolean {
  return a.model === b.model && a.version === b.version;
}

/** A registered model version a deployment serves. */
export interface ModelRef {
  model: string;
  version: string;
}

/** One model version behind a deployment with its share of traffic (percent, summing to 100). */
export interface Variant extends ModelRef {
  weight: number;
}

/** A version that receives a copy of a share of the traffic; its answers are logged, never returned. */
export interface Shadow extends ModelRef {
  /** Share of requests mirrored, 0..1. */
  fraction: number;
}

/** How a canary moves traffic from the stable version to a candidate. */
export interface CanaryPlan {
  stable: ModelRef;
  candidate: ModelRef;
  /** Candidate weights (percent) per step, increasing, ending at 100. */
  steps: number[];
  /** Seconds each step holds before the next. */
  stepSeconds: number;
  /** Roll back when the candidate's error share in a step exceeds this (0..1). */
  maxErrorRate: number;
  /** Roll back when the candidate's p99 latency in a step exceeds this, in milliseconds. */
  maxP99Ms: number;
  /** Requests the candidate must have served in a step before its thresholds are judged. */
  minRequests: number;
}

/** A canary in progress or finished. */
export interface CanaryState extends CanaryPlan {
  step: number;
  stepStartedAt: number;
  status: 'running' | 'promoted' | 'rolled_back';
  reason?: string;
}

/** What a deployment serves and how. */
export interface DeploymentSpec {
  variants: Variant[];
  shadow?: Shadow | null;
  /** Request header whose value pins a caller to a variant (sticky A/B); random when absent. */
  stickyHeader?: string | null;
  canary?: CanaryState | null;
  /** Most rows merged into one model call. */
  maxBatchRows?: number;
  /** Worker threads per model version. */
  workers?: number;
  /**
   * Where models run: `workers` (threads, off the event loop), `inline` (on the HTTP thread, for
   * models that take microseconds), or `auto` (default: inline when a probe call is that fast).
   */
  execution?: ExecutionMode;
}

/** Where a model's calls run; see {@link DeploymentSpec.execution}. */
export type ExecutionMode = 'auto' | 'workers' | 'inline';

/** A deployment as stored. */
export interface Deployment {
  name: string;
  spec: DeploymentSpec;
  revision: number;
  createdAt: number;
  updatedAt: number;
  createdBy: string;
}

/** What each change to a deployment was. */
export type DeploymentAction = 'create' | 'update' | 'canary_start' | 'canary_step' | 'canary_promote' | 'canary_rollback' | 'rollback' | 'delete';

/** One entry of a deployment's history: who changed what, when, and the spec that resulted. */
export interface DeploymentChange {
  deployment: string;
  revision: number;
  time: number;
  user: string;
  action: DeploymentAction;
  summary: string;
  spec: DeploymentSpec;
}

/** One logged prediction (or shadow prediction), for monitoring. */
export interface PredictionRecord {
  id: string;
  deployment: string;
  model: string;
  version: string;
  time: number;
  latencyMs: number;
  status: 'ok' | 'error';
  shadow: boolean;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  error?: string;
}

/** `model/version`, the label of a version in headers, logs and metrics. */
export function refLabel(ref: ModelRef): string {
  return `${ref.model}/${ref.version}`;
}

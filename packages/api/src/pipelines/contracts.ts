import { z } from 'zod';
import { field as f } from '../fields.js';
import type { HttpMethod, RouteContract } from '../mlflow/contracts.js';
import type { PipelineSpec } from './spec.js';

/** States of a pipeline run. */
export type PipelineRunStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';
/**
 * States of a step execution, after ML Metadata: NEW → RUNNING → COMPLETE | CACHED | FAILED |
 * CANCELED, plus WAITING (an approval) and SKIPPED (a false condition or a skipped upstream).
 */
export type ExecutionState = 'NEW' | 'RUNNING' | 'WAITING' | 'COMPLETE' | 'CACHED' | 'FAILED' | 'CANCELED' | 'SKIPPED';

/** A stored pipeline definition. */
export interface WirePipeline {
  name: string;
  description?: string;
  digest: string;
  spec: PipelineSpec;
  createdAt: number;
  updatedAt: number;
}

/** An artifact (ML Metadata): a file, directory or value reference with a content digest. */
export interface WireArtifact {
  id: number;
  type: string;
  uri: string;
  name: string;
  digest: string;
  size?: number;
  state: 'LIVE' | 'DELETED' | 'ABANDONED';
  createdAt: number;
}

/** One step execution (one attempt of one node; a ParallelFor element is its own node). */
export interface WireStepExecution {
  id: number;
  step: string;
  node: string;
  iteration?: number;
  attempt: number;
  state: ExecutionState;
  cacheKey?: string;
  cachedFrom?: number;
  trackingRunId?: string;
  params?: Record<string, unknown>;
  values?: Record<string, unknown>;
  outputs?: { name: string; artifact: WireArtifact }[];
  startedAt?: number;
  endedAt?: number;
  error?: string;
  worker?: string;
}

/** A pipeline run. */
export interface WirePipelineRun {
  runId: string;
  pipeline: string;
  pipelineDigest: string;
  status: PipelineRunStatus;
  params: Record<string, unknown>;
  trigger?: { kind: string; detail?: string };
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  error?: string;
  trackingRunId?: string;
  steps?: WireStepExecution[];
}

/** One line of a step's output: time (ms), stream (`sys`: Capstan's own notes), text. */
export interface WireStepLogLine {
  t: number;
  s: 'out' | 'err' | 'sys';
  l: string;
}

/** A page of one step attempt's log. */
export interface WireStepLog {
  runId: string;
  step: string;
  attempt: number;
  /** Every attempt of the step, oldest first. */
  attempts: number[];
  /** State of this attempt; lines may still arrive while it is RUNNING. */
  state: ExecutionState;
  lines: WireStepLogLine[];
  /** Offset to ask for next (the index after the last line returned). */
  next: number;
  /** True when the attempt has ended and every line up to `next` has been read. */
  complete: boolean;
}

/** An approval request and its decision. */
export interface WireApproval {
  runId: string;
  step: string;
  state: 'PENDING' | 'APPROVED' | 'REJECTED';
  message?: string;
  requestedAt: number;
  timeoutAt: number;
  decidedBy?: string;
  decidedAt?: number;
  comment?: string;
}

/** A lineage graph: artifacts, executions (with their parameters) and the edges between them. */
export interface WireLineage {
  root: WireArtifact;
  direction: 'upstream' | 'downstream';
  artifacts: WireArtifact[];
  executions: (WireStepExecution & { runId: string; pipeline: string })[];
  events: { artifactId: number; executionId: number; type: 'INPUT' | 'OUTPUT'; path: string }[];
}

function route<Res>() {
  return <Req extends z.ZodType>(method: HttpMethod, path: string, request: Req): RouteContract<Req, Res> => ({ method, path, request });
}

const runStatus = z.enum(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED']);
const decision = z.object({ runId: f.requiredString(), step: f.requiredString(), by: z.string().min(1).max(256).optional(), comment: z.string().max(10_000).optional() });

/** Native pipeline routes, relative to `/api/v1`. */
export const pipelines = {
  /** Creates or replaces a pipeline definition (validated before anything is stored). */
  put: route<{ pipeline: WirePipeline }>()('POST', '/pipelines', z.object({ spec: z.unknown().optional(), yaml: z.string().max(1_000_000).optional(), baseDir: z.string().optional() })),
  list: route<{ pipelines: WirePipeline[] }>()('GET', '/pipelines', z.object({})),
  get: route<{ pipeline: WirePipeline }>()('GET', '/pipelines/{name}', z.object({ name: f.requiredString() })),
  /** Starts a run; `wait` returns when it ends. */
  run: route<{ run: WirePipelineRun }>()('POST', '/pipelines/{name}/runs', z.object({
    name: f.requiredString(),
    params: z.record(z.string(), z.unknown()).default({}),
    wait: f.bool().optional(),
  })),
  listRuns: route<{ runs: WirePipelineRun[] }>()('GET', '/pipeline-runs', z.object({
    pipeline: z.string().optional(),
    status: runStatus.optional(),
    maxResults: f.int64().pipe(z.number().int().min(1).max(1000)).optional(),
  })),
  getRun: route<{ run: WirePipelineRun }>()('GET', '/pipeline-runs/{runId}', z.object({ runId: f.requiredString() })),
  cancelRun: route<{ run: WirePipelineRun }>()('POST', '/pipeline-runs/{runId}/cancel', z.object({ runId: f.requiredString() })),
  listApprovals: route<{ approvals: WireApproval[] }>()('GET', '/pipeline-approvals', z.object({ state: z.enum(['PENDING', 'APPROVED', 'REJECTED']).optional(), runId: z.string().optional() })),
  /** Lines of a step attempt's output from `offset` (tail by asking again with `next`). */
  stepLogs: route<WireStepLog>()('GET', '/pipeline-runs/{runId}/steps/{step}/logs', z.object({
    runId: f.requiredString(),
    step: f.requiredString(),
    attempt: f.int64().pipe(z.number().int().min(1)).optional(),
    offset: f.int64().pipe(z.number().int().min(0)).default(0),
    limit: f.int64().pipe(z.number().int().min(1).max(10_000)).default(1000),
  })),
  approve: route<{ approval: WireApproval }>()('POST', '/pipeline-runs/{runId}/steps/{step}/approve', decision),
  reject: route<{ approval: WireApproval }>()('POST', '/pipeline-runs/{runId}/steps/{step}/reject', decision),
  /**
   * Lineage of one artifact: by `uri`, by `digest`, or a registered model version
   * (`model` + `version`). `upstream`: what produced it; `downstream`: what depends on it.
   */
  lineage: route<WireLineage>()('GET', '/pipeline-lineage', z.object({
    uri: z.string().optional(),
    digest: z.string().optional(),
    model: z.string().optional(),
    version: f.int64().optional(),
    direction: z.enum(['upstream', 'downstream']).default('upstream'),
  })),
} as const;

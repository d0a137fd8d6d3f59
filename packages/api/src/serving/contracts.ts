import { z } from 'zod';
import type { HttpMethod, RouteContract } from '../mlflow/contracts.js';

function route<Res>() {
  return <Req extends z.ZodType>(method: HttpMethod, path: string, request: Req): RouteContract<Req, Res> => ({ method, path, request });
}

/** A model version behind a deployment, with its traffic share in percent. */
export interface WireVariant { model: string; version: string; weight: number }
/** A canary as stored in a deployment. */
export interface WireCanary {
  stable: { model: string; version: string };
  candidate: { model: string; version: string };
  steps: number[];
  stepSeconds: number;
  maxErrorRate: number;
  maxP99Ms: number;
  minRequests: number;
  step: number;
  stepStartedAt: number;
  status: 'running' | 'promoted' | 'rolled_back';
  reason?: string;
}
/** What a deployment serves. */
export interface WireDeploymentSpec {
  variants: WireVariant[];
  shadow?: { model: string; version: string; fraction: number } | null;
  stickyHeader?: string | null;
  canary?: WireCanary | null;
  maxBatchRows?: number;
  workers?: number;
  execution?: 'auto' | 'workers' | 'inline';
}
/** A deployment. */
export interface WireDeployment { name: string; spec: WireDeploymentSpec; revision: number; createdAt: number; updatedAt: number; createdBy: string }
/** Live numbers of one version on the answering server. */
export interface WireVersionStatus {
  model: string; version: string; weight: number; shadow: boolean; queued: number; inFlight: number;
  /** Where this version's calls run on the answering server. */
  execution?: 'workers' | 'inline';
  stats: { requests: number; errors: number; p99Ms: number };
}
/** One change in a deployment's history. */
export interface WireDeploymentChange { deployment: string; revision: number; time: number; user: string; action: string; summary: string; spec: WireDeploymentSpec }
/** Traffic of one version in one time bucket. */
export interface WireTimelinePoint { time: number; version: string; shadow: boolean; requests: number; errors: number; rate: number; p50Ms: number; p99Ms: number }
/** One logged prediction. */
export interface WirePrediction {
  id: string; deployment: string; model: string; version: string; time: number; latencyMs: number;
  status: 'ok' | 'error'; shadow: boolean; inputs: Record<string, unknown>; outputs: Record<string, unknown> | null; error?: string;
}

const version = z.union([z.string(), z.number().int().nonnegative()]).transform(String);
const selector = {
  modelUri: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  version: version.optional(),
};
const variant = z.object({ ...selector, weight: z.number().min(0).max(100).optional() }).strict();
const spec = {
  variants: z.array(variant).min(1).max(16),
  shadow: z.object({ ...selector, fraction: z.number().gt(0).max(1).optional() }).strict().nullable().optional(),
  stickyHeader: z.string().max(64).nullable().optional(),
  maxBatchRows: z.number().int().min(1).max(65536).optional(),
  workers: z.number().int().min(1).max(32).optional(),
  execution: z.enum(['auto', 'workers', 'inline']).optional(),
};
const name = z.string().min(1).max(63);

/** The native serving API under `/api/v1`. */
export const serving = {
  createDeployment: route<{ deployment: WireDeployment }>()('POST', '/deployments', z.object({ name, ...spec }).strict()),
  listDeployments: route<{ deployments: WireDeployment[] }>()('GET', '/deployments', z.object({})),
  getDeployment: route<{ deployment: WireDeployment; status: WireVersionStatus[] | null }>()('GET', '/deployments/{name}', z.object({ name })),
  updateDeployment: route<{ deployment: WireDeployment }>()('PATCH', '/deployments/{name}', z.object({ name, ...spec }).strict()),
  deleteDeployment: route<Record<string, never>>()('DELETE', '/deployments/{name}', z.object({ name })),
  deploymentHistory: route<{ changes: WireDeploymentChange[] }>()('GET', '/deployments/{name}/history', z.object({ name, limit: z.coerce.number().int().min(1).max(1000).optional() })),
  startCanary: route<{ deployment: WireDeployment }>()('POST', '/deployments/{name}/canary', z.object({
    name, ...selector,
    steps: z.array(z.number().gt(0).max(100)).min(1).max(20).optional(),
    stepSeconds: z.number().gt(0).max(86400).optional(),
    maxErrorRate: z.number().min(0).max(1).optional(),
    maxP99Ms: z.number().gt(0).optional(),
    minRequests: z.number().int().min(0).optional(),
  }).strict()),
  promoteCanary: route<{ deployment: WireDeployment }>()('POST', '/deployments/{name}/promote', z.object({ name })),
  rollback: route<{ deployment: WireDeployment }>()('POST', '/deployments/{name}/rollback', z.object({ name, reason: z.string().max(1000).optional() })),
  predictions: route<{ predictions: WirePrediction[] }>()('GET', '/deployments/{name}/predictions', z.object({
    name,
    since: z.coerce.number().int().optional(),
    until: z.coerce.number().int().optional(),
    limit: z.coerce.number().int().min(1).max(10000).optional(),
    includeShadow: z.enum(['true', 'false']).optional(),
  })),
  timeline: route<{ bucketMs: number; points: WireTimelinePoint[] }>()('GET', '/deployments/{name}/timeline', z.object({
    name,
    since: z.coerce.number().int(),
    until: z.coerce.number().int(),
    buckets: z.coerce.number().int().min(1).max(1000).optional(),
  })),
} as const;

import { z } from 'zod';
import type { HttpMethod, RouteContract } from '../mlflow/contracts.js';
import { field as f } from '../fields.js';

function route<Res>() {
  return <Req extends z.ZodType>(method: HttpMethod, path: string, request: Req): RouteContract<Req, Res> => ({ method, path, request });
}

/** Kinds of recorded registry changes. */
export const REGISTRY_CHANGE_KINDS = [
  'model_created', 'model_renamed', 'model_deleted', 'model_description',
  'version_created', 'version_deleted', 'version_description',
  'alias_set', 'alias_deleted', 'stage_changed',
] as const;

/** One registry change: who did what and when, with the value before and after (e.g. the version an alias pointed at). */
export interface WireRegistryChange {
  id: number;
  time: number;
  user: string;
  model: string;
  version: number | null;
  kind: (typeof REGISTRY_CHANGE_KINDS)[number];
  alias: string | null;
  before: string | null;
  after: string | null;
}

/** Native registry routes, relative to `/api/v1`. */
export const registryHistory = {
  /** A model's changes, newest first; page back with `before` (the smallest id seen). */
  history: route<{ changes: WireRegistryChange[] }>()('GET', '/registry/models/{name}/history', z.object({
    name: f.requiredString(),
    version: f.int64().pipe(z.number().int().min(1)).optional(),
    kind: z.enum(REGISTRY_CHANGE_KINDS).optional(),
    before: f.int64().pipe(z.number().int().min(1)).optional(),
    maxResults: f.int64().pipe(z.number().int().min(1).max(1000)).default(100),
  })),
} as const;

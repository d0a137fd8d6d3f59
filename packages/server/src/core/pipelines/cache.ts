import { createHash } from 'node:crypto';

/** Bump when the cache key's shape changes, so old entries stop matching. */
export const CACHE_FORMAT = 1;

/** JSON with object keys sorted at every level (RFC 8785-style), so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 hex of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Content digest of a JSON value passed between steps. */
export function valueDigest(value: unknown): string {
  return `sha256:${sha256(canonicalJson(value))}`;
}

/** Everything a step's result depends on. */
export interface CacheKeyParts {
  pipeline: string;
  step: string;
  /** The step's declared version (and, for function steps, the code hash). */
  version: string;
  kind: string;
  /** The command after parameters and `item` were filled in (inputs/outputs still placeholders). */
  command?: string[];
  fn?: { module: string; step: string };
  env?: Record<string, string>;
  params: Record<string, unknown>;
  /** Input name → content digest (a list for collected inputs). */
  inputs: Record<string, string | string[]>;
  outputs: Record<string, string>;
}

/** The content key of a step: SHA-256 of the canonical JSON of its parts. */
export function cacheKey(parts: CacheKeyParts): string {
  return sha256(canonicalJson({ format: CACHE_FORMAT, ...parts }));
}

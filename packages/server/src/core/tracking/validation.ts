import { invalidParameter } from '@capstan/api';
import type { KeyValue, Metric } from '../model.js';

/** Server-side limits, as MLflow 3 enforces them (documented in docs/limits.md). */
export const LIMITS = {
  keyLength: 250,
  paramValueLength: 6000,
  runTagValueLength: 8000,
  experimentNameLength: 500,
  experimentTagValueLength: 5000,
  registryTagValueLength: 5000,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchTotal: 1000,
  batchBodyBytes: 1_000_000,
  searchRunsMax: 50_000,
  searchRunsDefault: 1000,
  searchExperimentsMax: 50_000,
  searchExperimentsDefault: 1000,
  searchRegisteredModelsMax: 1000,
  searchRegisteredModelsDefault: 100,
  searchModelVersionsMax: 200_000,
  searchModelVersionsDefault: 10_000,
  searchLoggedModelsDefault: 100,
  searchLoggedModelsMax: 1000,
  historyBulkRuns: 100,
  historyBulkResults: 25_000,
  historyIntervalMax: 2500,
  datasetNameLength: 500,
  datasetDigestLength: 36,
  datasetSourceLength: 65_535,
  datasetSchemaLength: 1_048_575,
  datasetProfileLength: 16_777_215,
  inputTagKeyLength: 255,
  inputTagValueLength: 500,
} as const;

const KEY_PATTERN = /^[/\w.\- :]*$/;

/**
 * Checks a metric, param or tag key: allowed characters, length, and that it is a normalised
 * relative path (no `..`, no leading `/`).
 * @throws INVALID_PARAMETER_VALUE naming the key and the rule it breaks.
 */
export function validateKey(kind: 'metric' | 'param' | 'tag', key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw invalidParameter(`Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/).`);
  }
  const parts = key.split('/');
  if (key.startsWith('/') || parts.some((p) => p === '..' || p === '.' || p === '')) {
    throw invalidParameter(`Invalid ${kind} name: '${key}'. Names must be normalized relative paths: not empty, not absolute, no empty, '.' or '..' segments, no trailing slash.`);
  }
  if (key.length > LIMITS.keyLength) {
    throw invalidParameter(`'${key.slice(0, 40)}...' exceeds the maximum length of ${LIMITS.keyLength} for a ${kind} key (got ${key.length}).`);
  }
}

/** @throws INVALID_PARAMETER_VALUE when `value` is longer than `limit`. */
export function validateLength(what: string, value: string, limit: number): void {
  if (value.length > limit) {
    throw invalidParameter(`${what} '${value.slice(0, 40)}...' had length ${value.length}, which exceeded length limit of ${limit}`);
  }
}

/** @throws INVALID_PARAMETER_VALUE for a negative timestamp. */
export function validateMetric(m: Metric): void {
  validateKey('metric', m.key);
  if (!Number.isSafeInteger(m.timestamp) || m.timestamp < 0) {
    throw invalidParameter(`Metric '${m.key}' has an invalid timestamp ${m.timestamp}: it must be a non-negative integer (milliseconds since the epoch).`);
  }
  if (!Number.isSafeInteger(m.step)) throw invalidParameter(`Metric '${m.key}' has an invalid step ${m.step}: it must be an integer.`);
}

/** Checks one param. */
export function validateParam(p: KeyValue): void {
  validateKey('param', p.key);
  validateLength('Param value', p.value, LIMITS.paramValueLength);
}

/** Checks one run tag. */
export function validateRunTag(t: KeyValue): void {
  validateKey('tag', t.key);
  validateLength('Tag value', t.value, LIMITS.runTagValueLength);
}

/**
 * Checks the size limits of a log-batch request and its duplicate params.
 * @throws INVALID_PARAMETER_VALUE with MLflow's wording.
 */
export function validateBatchLimits(batch: { metrics: unknown[]; params: KeyValue[]; tags: unknown[] }): void {
  const over = (limit: number, n: number, entity: string) => {
    if (n > limit) {
      throw invalidParameter(`A batch logging request can contain at most ${limit} ${entity}. Got ${n} ${entity}. Please split up ${entity} across multiple requests and try again.`);
    }
  };
  over(LIMITS.batchMetrics, batch.metrics.length, 'metrics');
  over(LIMITS.batchParams, batch.params.length, 'params');
  over(LIMITS.batchTags, batch.tags.length, 'tags');
  over(LIMITS.batchTotal, batch.metrics.length + batch.params.length + batch.tags.length, 'metrics, params, and tags');
  const seen = new Map<string, string>();
  const duplicates = new Set<string>();
  for (const p of batch.params) {
    const prev = seen.get(p.key);
    if (prev !== undefined && prev !== p.value) duplicates.add(p.key);
    seen.set(p.key, p.value);
  }
  if (duplicates.size) {
    throw invalidParameter(`Duplicate parameter keys have been submitted: [${[...duplicates].map((k) => `'${k}'`).join(', ')}]. Please ensure the request contains only one param value per param key.`);
  }
}

/**
 * Resolves `max_results` against a default and a maximum.
 * @throws INVALID_PARAMETER_VALUE when out of range.
 */
export function maxResults(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw invalidParameter(`Invalid value ${value} for parameter 'max_results' supplied. It must be at least 1 and at most ${max}.`);
  }
  return value;
}

/** Run and experiment id shapes (MLflow's `_validate_run_id` / `_validate_experiment_id`). */
export function validateRunId(runId: string): void {
  if (!/^[a-zA-Z0-9][\w-]{0,255}$/.test(runId)) throw invalidParameter(`Invalid run ID: '${runId}'`);
}

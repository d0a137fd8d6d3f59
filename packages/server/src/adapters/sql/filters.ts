import { invalidParameter } from '@capstan/api';
import type { Comparison, OrderBy } from '../../core/search/ast.js';
import type { SqlDialect, SqlValue } from './driver.js';

/** A WHERE or ORDER BY fragment with its parameters. */
export interface Fragment {
  sql: string;
  params: SqlValue[];
}

/**
 * How one searchable entity maps onto tables: its alias, attribute columns, and the correlated
 * subqueries for metrics, params, tags and datasets.
 */
export interface EntityMapping {
  /** Attribute key → column expression. */
  attributes: Record<string, string>;
  /** Attribute keys compared as numbers. */
  numeric: ReadonlySet<string>;
  /**
   * When true, `tag.k != 'v'` also matches rows without tag `k` (MLflow's registry semantics,
   * which its client relies on to hide prompts); otherwise a missing key never matches.
   */
  missingTagMatchesNotEqual?: boolean;
  /** Tables holding key/value rows, correlated by the given condition. */
  keyValue: Partial<Record<'metric' | 'param' | 'tag', { table: string; join: string; joinParams?: SqlValue[]; valueColumn?: string }>>;
  /** Correlated subquery for `dataset.<field>` comparisons, with `{col}` for the compared column. */
  dataset?: { from: string; columns: Record<string, string> };
}

function comparisonSql(dialect: SqlDialect, column: string, c: Comparison, params: SqlValue[]): string {
  switch (c.comparator) {
    case 'LIKE':
      params.push(String(c.value));
      return dialect.like(column);
    case 'ILIKE':
      params.push(String(c.value));
      return dialect.ilike(column);
    case 'IN':
    case 'NOT IN': {
      const values = Array.isArray(c.value) ? c.value : [String(c.value)];
      if (values.length === 0) return c.comparator === 'IN' ? '1 = 0' : '1 = 1';
      params.push(...values);
      return `${column} ${c.comparator} (${values.map(() => '?').join(', ')})`;
    }
    default:
      params.push(c.value as SqlValue);
      return `${column} ${c.comparator} ?`;
  }
}

/** Translates an AND-ed filter into a WHERE fragment (`1 = 1` when empty). */
export function whereSql(dialect: SqlDialect, mapping: EntityMapping, filter: readonly Comparison[]): Fragment {
  const params: SqlValue[] = [];
  const parts: string[] = [];
  for (const c of filter) {
    if (c.type === 'attribute') {
      const column = mapping.attributes[c.key];
      if (!column) throw invalidParameter(`Invalid attribute key '${c.key}' specified.`);
      parts.push(comparisonSql(dialect, column, c, params));
    } else if (c.type === 'dataset') {
      const ds = mapping.dataset;
      const column = ds?.columns[c.key];
      if (!ds || !column) throw invalidParameter(`Invalid dataset key '${c.key}' specified.`);
      const inner = comparisonSql(dialect, column, c, params);
      parts.push(`EXISTS (SELECT 1 ${ds.from} AND ${inner})`);
    } else {
      const kv = mapping.keyValue[c.type];
      if (!kv) throw invalidParameter(`Filtering on ${c.type}s is not supported here.`);
      const valueColumn = kv.valueColumn ?? 'x.value';
      const extra = c.type === 'metric' ? ' AND x.is_nan = 0' : '';
      params.push(...(kv.joinParams ?? []), c.key);
      if (c.type === 'tag' && c.comparator === '!=' && mapping.missingTagMatchesNotEqual) {
        const inner = comparisonSql(dialect, valueColumn, { ...c, comparator: '=' }, params);
        parts.push(`NOT EXISTS (SELECT 1 FROM ${kv.table} x WHERE ${kv.join} AND x.key = ? AND ${inner})`);
        continue;
      }
      const inner = comparisonSql(dialect, valueColumn, c, params);
      parts.push(`EXISTS (SELECT 1 FROM ${kv.table} x WHERE ${kv.join} AND x.key = ?${extra} AND ${inner})`);
    }
  }
  return { sql: parts.length ? parts.join(' AND ') : '1 = 1', params };
}

/**
 * Translates order-by items into ORDER BY terms; values a row lacks (and NaN metrics) sort last
 * in both directions. `tiebreak` is appended as is.
 */
export function orderSql(mapping: EntityMapping, orderBy: readonly OrderBy[], tiebreak: string): Fragment {
  const params: SqlValue[] = [];
  const terms: string[] = [];
  for (const o of orderBy) {
    const dir = o.ascending ? 'ASC' : 'DESC';
    if (o.type === 'attribute') {
      const column = mapping.attributes[o.key];
      if (!column) throw invalidParameter(`Invalid order_by attribute '${o.key}'.`);
      terms.push(`(${column} IS NULL) ASC`, `${column} ${dir}`);
      continue;
    }
    const kv = o.type === 'dataset' ? undefined : mapping.keyValue[o.type];
    if (!kv) throw invalidParameter(`Ordering by ${o.type}s is not supported here.`);
    const valueColumn = kv.valueColumn ?? 'x.value';
    const pick = o.type === 'metric' && kv.table !== 'latest_metrics' ? ' ORDER BY x.step DESC, x.timestamp DESC' : '';
    const sub = (column: string) => {
      params.push(...(kv.joinParams ?? []), o.key);
      return `(SELECT ${column} FROM ${kv.table} x WHERE ${kv.join} AND x.key = ?${pick} LIMIT 1)`;
    };
    terms.push(`(${sub(valueColumn)} IS NULL) ASC`);
    if (o.type === 'metric') terms.push(`${sub('x.is_nan')} ASC`);
    terms.push(`${sub(valueColumn)} ${dir}`);
  }
  terms.push(tiebreak);
  return { sql: terms.join(', '), params };
}

/** Run search: runs `r`, latest metrics, params, tags, dataset inputs. */
export const RUNS: EntityMapping = {
  attributes: {
    run_id: 'r.run_uuid',
    run_name: 'r.name',
    status: 'r.status',
    user_id: 'r.user_id',
    artifact_uri: 'r.artifact_uri',
    lifecycle_stage: 'r.lifecycle_stage',
    start_time: 'r.start_time',
    end_time: 'r.end_time',
    experiment_id: 'r.experiment_id',
  },
  numeric: new Set(['start_time', 'end_time']),
  keyValue: {
    metric: { table: 'latest_metrics', join: 'x.run_uuid = r.run_uuid' },
    param: { table: 'params', join: 'x.run_uuid = r.run_uuid' },
    tag: { table: 'tags', join: 'x.run_uuid = r.run_uuid' },
  },
  dataset: {
    from: `FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id
           LEFT JOIN input_tags it ON it.input_uuid = i.input_uuid AND it.key = 'mlflow.data.context'
           WHERE i.destination_id = r.run_uuid AND i.source_type = 'DATASET'`,
    columns: { name: 'd.name', digest: 'd.digest', context: 'it.value' },
  },
};

/** Experiment search: experiments `e` and their tags. */
export const EXPERIMENTS: EntityMapping = {
  attributes: {
    name: 'e.name',
    experiment_id: 'e.experiment_id',
    creation_time: 'e.creation_time',
    last_update_time: 'e.last_update_time',
  },
  numeric: new Set(['creation_time', 'last_update_time', 'experiment_id']),
  keyValue: { tag: { table: 'experiment_tags', join: 'x.experiment_id = e.experiment_id' } },
};

/** Registered model search: `m` and its tags. */
export const REGISTERED_MODELS: EntityMapping = {
  attributes: {
    name: 'm.name',
    creation_timestamp: 'm.creation_timestamp',
    last_updated_timestamp: 'm.last_updated_timestamp',
  },
  numeric: new Set(['creation_timestamp', 'last_updated_timestamp']),
  missingTagMatchesNotEqual: true,
  keyValue: { tag: { table: 'registered_model_tags', join: 'x.name = m.name' } },
};

/** Model version search: `v` and its tags. */
export const MODEL_VERSIONS: EntityMapping = {
  attributes: {
    name: 'v.name',
    version_number: 'v.version',
    run_id: 'v.run_id',
    source_path: 'v.source',
    creation_timestamp: 'v.creation_timestamp',
    last_updated_timestamp: 'v.last_updated_timestamp',
    current_stage: 'v.current_stage',
  },
  numeric: new Set(['version_number', 'creation_timestamp', 'last_updated_timestamp']),
  missingTagMatchesNotEqual: true,
  keyValue: { tag: { table: 'model_version_tags', join: 'x.name = v.name AND x.version = v.version' } },
};

/** Logged model search: `lm`, its params, tags and metrics (optionally scoped to datasets). */
export function loggedModelsMapping(datasetScope: Fragment): EntityMapping {
  return {
    attributes: {
      name: 'lm.name',
      model_id: 'lm.model_id',
      model_type: 'lm.model_type',
      status: 'lm.status',
      source_run_id: 'lm.source_run_id',
      experiment_id: 'lm.experiment_id',
      creation_timestamp: 'lm.creation_timestamp_ms',
      last_updated_timestamp: 'lm.last_updated_timestamp_ms',
    },
    numeric: new Set(['creation_timestamp', 'last_updated_timestamp']),
    keyValue: {
      metric: { table: 'logged_model_metrics', join: `x.model_id = lm.model_id${datasetScope.sql}`, joinParams: datasetScope.params },
      param: { table: 'logged_model_params', join: 'x.model_id = lm.model_id' },
      tag: { table: 'logged_model_tags', join: 'x.model_id = lm.model_id' },
    },
  };
}

import type { WireRun } from '@capstan/client';
import { numberOf } from '../../lib/format';

/** A run flattened for tables: attributes plus metric, param and tag maps. */
export interface RunRow {
  id: string;
  name: string;
  experimentId: string;
  status: string;
  user: string;
  start: number;
  end?: number;
  metrics: Map<string, number | string>;
  params: Map<string, string>;
  tags: Map<string, string>;
}

/** Flattens a wire run. */
export function toRow(run: WireRun): RunRow {
  const metrics = new Map<string, number | string>();
  for (const m of run.data.metrics ?? []) metrics.set(m.key, numberOf(m.value) ?? m.value);
  return {
    id: run.info.run_id,
    name: run.info.run_name || run.info.run_id.slice(0, 8),
    experimentId: run.info.experiment_id,
    status: run.info.status,
    user: run.info.user_id,
    start: run.info.start_time,
    ...(run.info.end_time ? { end: run.info.end_time } : {}),
    metrics,
    params: new Map((run.data.params ?? []).map((p) => [p.key, p.value])),
    tags: new Map((run.data.tags ?? []).map((t) => [t.key, t.value])),
  };
}

/** Kinds of run table columns. */
export type ColumnKind = 'attribute' | 'metric' | 'param' | 'tag';

/** A column choice: `a:start_time`, `m:loss`, `p:lr`, `t:team`. */
export interface ColumnRef {
  id: string;
  kind: ColumnKind;
  key: string;
}

const PREFIX: Record<string, ColumnKind> = { a: 'attribute', m: 'metric', p: 'param', t: 'tag' };
const LETTER: Record<ColumnKind, string> = { attribute: 'a', metric: 'm', param: 'p', tag: 't' };

/** The id of a column. */
export function columnId(kind: ColumnKind, key: string): string {
  return `${LETTER[kind]}:${key}`;
}

/** Parses one column id; `undefined` for an unknown prefix. */
export function parseColumn(id: string): ColumnRef | undefined {
  const colon = id.indexOf(':');
  const kind = PREFIX[id.slice(0, colon)];
  const key = id.slice(colon + 1);
  return colon > 0 && kind && key ? { id, kind, key } : undefined;
}

/** Attribute columns: label, width, and the `order_by` key when the server can sort by it. */
export const ATTRIBUTES: readonly { key: string; label: string; width: number; orderBy?: string }[] = [
  { key: 'status', label: 'Status', width: 100, orderBy: 'status' },
  { key: 'start_time', label: 'Created', width: 160, orderBy: 'start_time' },
  { key: 'duration', label: 'Duration', width: 96 },
  { key: 'user_id', label: 'User', width: 120, orderBy: 'user_id' },
  { key: 'end_time', label: 'Ended', width: 160, orderBy: 'end_time' },
  { key: 'run_id', label: 'Run ID', width: 280, orderBy: 'run_id' },
];

/** The attribute columns shown when the URL does not choose. */
export const DEFAULT_ATTRIBUTES = ['status', 'start_time', 'duration', 'user_id'];

/** The default sort: newest first. */
export const DEFAULT_SORT = 'a:start_time';

function quoteKey(key: string): string {
  return `\`${key.replaceAll('`', '')}\``;
}

/** The server-side `order_by` clause for a column, or `undefined` when it cannot be sorted. */
export function orderByOf(id: string, dir: 'asc' | 'desc'): string | undefined {
  const ref = parseColumn(id);
  if (!ref) return undefined;
  const d = dir.toUpperCase();
  switch (ref.kind) {
    case 'attribute': {
      const a = ref.key === 'run_name' ? 'run_name' : ATTRIBUTES.find((x) => x.key === ref.key)?.orderBy;
      return a ? `attributes.${a} ${d}` : undefined;
    }
    case 'metric': return `metrics.${quoteKey(ref.key)} ${d}`;
    case 'param': return `params.${quoteKey(ref.key)} ${d}`;
    case 'tag': return `tags.${quoteKey(ref.key)} ${d}`;
  }
}

/** Keys seen in a set of runs, per kind, sorted. */
export interface RunKeys {
  metrics: string[];
  params: string[];
  tags: string[];
}

/** Collects keys from rows into sets (incrementally, page by page). */
export function collectKeys(rows: readonly RunRow[], into: { metrics: Set<string>; params: Set<string>; tags: Set<string> }): RunKeys {
  for (const r of rows) {
    for (const k of r.metrics.keys()) into.metrics.add(k);
    for (const k of r.params.keys()) into.params.add(k);
    for (const k of r.tags.keys()) into.tags.add(k);
  }
  const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return { metrics: sorted(into.metrics), params: sorted(into.params), tags: sorted(into.tags) };
}

/** The columns shown by default: a few attributes, then up to five metrics and five params. */
export function defaultColumns(keys: RunKeys): string[] {
  return [
    ...DEFAULT_ATTRIBUTES.map((k) => columnId('attribute', k)),
    ...keys.metrics.slice(0, 5).map((k) => columnId('metric', k)),
    ...keys.params.slice(0, 5).map((k) => columnId('param', k)),
  ];
}

/** Tags MLflow sets itself (`mlflow.*`), listed apart from the user's. */
export function isSystemTag(key: string): boolean {
  return key.startsWith('mlflow.');
}

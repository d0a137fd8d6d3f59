import type { WireColumnProfile, WireDatasetSchema } from '@capstan/api';
import type { ColumnarSession } from '../../ports/columnar-engine.js';
import { ident, isNumericType, typeFamily } from './sql.js';

/** Quantiles every numeric profile reports. */
export const PROFILE_QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;
/** Rows of the reservoir sample quantiles are read from (exact below this many rows). */
export const QUANTILE_SAMPLE = 16_384;
/** Bins of numeric histograms. */
export const HISTOGRAM_BINS = 20;
/** Top values kept for text, boolean and time columns. */
export const TOP_VALUES = 10;
/** Text columns with at most this many distinct values get exact top-value counts in the shared pass. */
const EXACT_TOP_MAX_DISTINCT = 10_000;

/**
 * Profiles every column of a table in three passes over the data at most: one aggregate query for
 * counts, nulls, approximate distinct counts (HyperLogLog), ranges, moments, quantiles (from a
 * 16,384-row reservoir sample per column, exact below that) and string lengths; one for all numeric
 * histograms (20 equal-width bins, closed on the right) and exact low-cardinality top values; one
 * group-by per high-cardinality text column for its top values.
 */
export async function profileTable(session: ColumnarSession, table: string): Promise<{ rowCount: number; columns: WireColumnProfile[] }> {
  const columns = await session.columns(table);
  const t = ident(table);
  const exprs: string[] = ['count(*) AS n'];
  columns.forEach((col, j) => {
    const c = ident(col.name);
    exprs.push(`count(${c}) AS nn${j}`, `approx_count_distinct(${c}) AS d${j}`);
    const family = typeFamily(col.type);
    if (isNumericType(col.type)) {
      const x = `CAST(${c} AS DOUBLE)`;
      exprs.push(`min(${x}) AS min${j}`, `max(${x}) AS max${j}`, `avg(${x}) AS mean${j}`, `stddev_samp(${x}) AS std${j}`, `reservoir_quantile(${x}, [${PROFILE_QUANTILES.join(', ')}], ${QUANTILE_SAMPLE}) AS q${j}`);
    } else if (family === 'string') {
      exprs.push(`min(length(${c})) AS minlen${j}`, `max(length(${c})) AS maxlen${j}`, `avg(length(${c})) AS meanlen${j}`, `min(${c}) AS min${j}`, `max(${c}) AS max${j}`);
    } else if (family === 'date' || family === 'timestamp' || family === 'time') {
      exprs.push(`CAST(min(${c}) AS VARCHAR) AS min${j}`, `CAST(max(${c}) AS VARCHAR) AS max${j}`);
    }
  });
  const row = (await session.query(`SELECT ${exprs.join(', ')} FROM ${t}`))[0] ?? {};
  const rowCount = Number(row.n ?? 0);
  const profiles: WireColumnProfile[] = columns.map((col, j) => {
    const count = Number(row[`nn${j}`] ?? 0);
    const nullCount = rowCount - count;
    const p: WireColumnProfile = { name: col.name, type: col.type, count, nullCount, nullShare: rowCount ? nullCount / rowCount : 0, distinct: Math.min(count, Number(row[`d${j}`] ?? 0)) };
    const set = <K extends keyof WireColumnProfile>(key: K, value: unknown) => {
      if (value !== null && value !== undefined && (typeof value !== 'number' || Number.isFinite(value))) p[key] = value as WireColumnProfile[K];
    };
    set('min', row[`min${j}`]);
    set('max', row[`max${j}`]);
    set('mean', row[`mean${j}`]);
    set('std', row[`std${j}`]);
    set('minLength', row[`minlen${j}`]);
    set('maxLength', row[`maxlen${j}`]);
    set('meanLength', row[`meanlen${j}`]);
    const q = row[`q${j}`];
    if (Array.isArray(q) && q.every((v) => typeof v === 'number')) p.quantiles = Object.fromEntries(PROFILE_QUANTILES.map((level, i) => [String(level), q[i] as number]));
    return p;
  });

  const second: string[] = [];
  const highCardinality: number[] = [];
  columns.forEach((col, j) => {
    const c = ident(col.name);
    const p = profiles[j]!;
    if (isNumericType(col.type)) {
      if (typeof p.min !== 'number' || typeof p.max !== 'number') return;
      second.push(`histogram(CAST(${c} AS DOUBLE), [${binEdges(p.min, p.max).slice(1).map(String).join(', ')}]) AS h${j}`);
    } else if (p.distinct <= EXACT_TOP_MAX_DISTINCT) {
      second.push(`histogram(CAST(${c} AS VARCHAR)) AS h${j}`);
    } else {
      highCardinality.push(j);
    }
  });
  if (second.length > 0) {
    const hist = (await session.query(`SELECT ${second.join(', ')} FROM ${t}`))[0] ?? {};
    columns.forEach((col, j) => {
      const entries = mapEntries(hist[`h${j}`]);
      if (entries === null) return;
      const p = profiles[j]!;
      if (isNumericType(col.type) && typeof p.min === 'number' && typeof p.max === 'number') {
        const edges = binEdges(p.min, p.max);
        const counts = new Array<number>(edges.length - 1).fill(0);
        for (const [key, n] of entries) {
          const upper = Number(key);
          if (!Number.isFinite(upper)) continue;
          let best = 0;
          for (let b = 1; b < counts.length; b++) if (Math.abs(edges[b + 1]! - upper) < Math.abs(edges[best + 1]! - upper)) best = b;
          counts[best]! += n;
        }
        p.histogram = { edges, counts };
      } else {
        p.topValues = entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_VALUES).map(([value, count]) => ({ value, count }));
      }
    });
  }
  for (const j of highCardinality) {
    const c = ident(columns[j]!.name);
    const top = await session.query(`SELECT CAST(${c} AS VARCHAR) AS value, count(*) AS n FROM ${t} WHERE ${c} IS NOT NULL GROUP BY ${c} ORDER BY n DESC, value LIMIT ${TOP_VALUES}`);
    profiles[j]!.topValues = top.map((r) => ({ value: String(r.value), count: Number(r.n) }));
  }
  return { rowCount, columns: profiles };
}

/** Equal-width bin edges from `min` to `max` (one bin when they are equal); bins are closed on the right. */
function binEdges(min: number, max: number): number[] {
  if (!(max > min)) return [min, max];
  const width = (max - min) / HISTOGRAM_BINS;
  return Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => (i === HISTOGRAM_BINS ? max : min + i * width));
}

/** `histogram()` results as [key, count] pairs (the engine returns maps as `{key, value}` lists). */
function mapEntries(value: unknown): [string, number][] | null {
  if (!Array.isArray(value)) return null;
  return value.flatMap((e) => (e && typeof e === 'object' && 'key' in e && e.key !== null ? [[String((e as { key: unknown }).key), Number((e as { value: unknown }).value)] as [string, number]] : []));
}

/** The schema a profile implies: each column's type, nullable when it holds a null. */
export function inferSchema(profile: { columns: WireColumnProfile[] }): WireDatasetSchema {
  return { columns: profile.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullCount > 0 })) };
}

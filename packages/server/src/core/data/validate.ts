import type { WireCheckResult, WireDatasetSchema } from '@capstan/api';
import type { ColumnarSession, EngineColumn } from '../../ports/columnar-engine.js';
import { computeDrift } from '../monitoring/drift/compute-drift.js';
import type { Column } from '../monitoring/drift/types.js';
import { ident, isNumericType, literal, typeFamily, valueLiteral } from './sql.js';
import type { Check, Suite } from './suite.js';

/** What {@link runSuite} needs besides the suite. */
export interface SuiteContext {
  session: ColumnarSession;
  /** The validated table's name in the session. */
  table: string;
  /** The stored (or inferred) schema, for `schema` checks without columns. */
  schema: () => Promise<WireDatasetSchema>;
  /** Milliseconds since the epoch, for freshness. */
  now: number;
}

/** The checks' results, in suite order, and the table's row count. */
export interface SuiteOutcome {
  rowCount: number;
  results: WireCheckResult[];
}

interface Plan {
  /** Aggregate expressions (alias → SQL) evaluated in one pass over the table. */
  aggregates: Map<string, string>;
  /** Evaluates the check once aggregates are known. */
  finish: (agg: Record<string, unknown>) => Promise<WireCheckResult>;
}

/**
 * Runs a parsed suite over `ctx.table`: every row-level and aggregate check becomes expressions of
 * one aggregate query (one pass over the data); uniqueness, referential integrity and drift run
 * their own queries; failing row-level checks sample up to `suite.sampleSize` failing rows. A
 * check naming a missing column fails with an error saying which columns exist; a check the engine
 * cannot evaluate (a bad regex, a column that is not a time) fails with the engine's reason.
 */
export async function runSuite(suite: Suite, ctx: SuiteContext): Promise<SuiteOutcome> {
  const columns = await ctx.session.columns(ctx.table);
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const plans: (Plan | WireCheckResult)[] = suite.checks.map((check, i) => {
    const missing = referencedColumns(check).filter((c) => !types.has(c));
    if (missing.length > 0) {
      return failed(suite.raw[i]!, check, `column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} not found in the data (columns: ${columns.map((c) => c.name).join(', ')})`);
    }
    return plan(check, i, suite, ctx, types, columns);
  });
  const aggregates = new Map<string, string>([['n', 'count(*)']]);
  for (const p of plans) if ('aggregates' in p) for (const [k, v] of p.aggregates) aggregates.set(k, v);
  const agg = await evaluate(ctx, aggregates);
  const rowCount = Number(agg.n ?? 0);
  const results: WireCheckResult[] = [];
  for (const p of plans) {
    if (!('aggregates' in p)) {
      results.push(p);
      continue;
    }
    const errors = [...p.aggregates.keys()].map((k) => agg[`${k}__error`]).filter((e) => typeof e === 'string');
    if (errors.length > 0) {
      const i = results.length;
      results.push(failed(suite.raw[i]!, suite.checks[i]!, errors[0] as string));
      continue;
    }
    try {
      results.push(await p.finish(agg));
    } catch (e) {
      const i = results.length;
      results.push(failed(suite.raw[i]!, suite.checks[i]!, messageOf(e)));
    }
  }
  return { rowCount, results };
}

/** Runs all aggregates in one query; when it fails, each on its own so one bad check cannot hide the others. */
async function evaluate(ctx: SuiteContext, aggregates: Map<string, string>): Promise<Record<string, unknown>> {
  const select = (entries: [string, string][]) => `SELECT ${entries.map(([k, v]) => `${v} AS ${ident(k)}`).join(', ')} FROM ${ident(ctx.table)}`;
  try {
    return (await ctx.session.query(select([...aggregates])))[0] ?? {};
  } catch {
    const out: Record<string, unknown> = {};
    for (const entry of aggregates) {
      try {
        Object.assign(out, (await ctx.session.query(select([entry])))[0] ?? {});
      } catch (e) {
        out[`${entry[0]}__error`] = messageOf(e);
      }
    }
    return out;
  }
}

function referencedColumns(check: Check): string[] {
  switch (check.type) {
    case 'compound_unique': return check.columns;
    case 'schema': case 'row_count': case 'drift': return check.type === 'drift' ? check.columns ?? [] : [];
    default: return [check.column];
  }
}

function title(check: Check): string {
  const m = 'mostly' in check && check.mostly < 1 ? ` mostly ${check.mostly}` : '';
  const range = (min?: unknown, max?: unknown) => `${min ?? '-inf'}..${max ?? '+inf'}`;
  switch (check.type) {
    case 'not_null': case 'unique': return `${check.type}(${check.column})${m}`;
    case 'compound_unique': return `compound_unique(${check.columns.join(', ')})${m}`;
    case 'accepted_values': return `accepted_values(${check.column}) in [${check.values.slice(0, 8).join(', ')}${check.values.length > 8 ? ', …' : ''}]${m}`;
    case 'range': return `range(${check.column}) ${range(check.min, check.max)}${m}`;
    case 'column_type': return `column_type(${check.column}) is ${check.types.join(' | ')}`;
    case 'schema': return `schema ${check.columns ? 'matches the suite' : 'matches the stored schema'}${check.exact ? ' exactly' : ''}`;
    case 'row_count': return `row_count ${range(check.min, check.max)}`;
    case 'regex': return `regex(${check.column}) ~ /${check.pattern}/${m}`;
    case 'string_length': return `string_length(${check.column}) ${range(check.min, check.max)}${m}`;
    case 'statistic': return `${check.stat}${check.stat === 'quantile' ? `(${check.q})` : ''}(${check.column}) ${range(check.min, check.max)}`;
    case 'distinct_count': return `distinct_count(${check.column}) ${range(check.min, check.max)}`;
    case 'referential_integrity': return `referential_integrity(${check.column}) in ${check.dataset}${check.version ? `@${check.version}` : ''}.${check.refColumn}${m}`;
    case 'freshness': return `freshness(${check.column}) within ${check.maxAge}`;
    case 'drift': return `drift vs ${check.dataset}@${check.reference}`;
  }
}

function failed(raw: Record<string, unknown>, check: Check, error: string): WireCheckResult {
  return { check: raw, title: title(check), success: false, error };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function within(value: number, min: number | undefined, max: number | undefined): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}

function plan(check: Check, i: number, suite: Suite, ctx: SuiteContext, types: Map<string, string>, columns: EngineColumn[]): Plan | WireCheckResult {
  const raw = suite.raw[i]!;
  const base = { check: raw, title: title(check) };
  const k = (name: string) => `c${i}_${name}`;
  const t = ident(ctx.table);
  const num = (agg: Record<string, unknown>, name: string) => Number(agg[k(name)] ?? 0);
  const sample = async (where: string): Promise<Record<string, unknown>[]> =>
    suite.sampleSize > 0 ? ctx.session.query(`SELECT * FROM ${t} WHERE ${where} LIMIT ${suite.sampleSize}`) : [];
  /** A row-level check: `bad` is the predicate of a failing row, `counted` of a row that counts. */
  const rowLevel = (counted: string, bad: string, mostly: number): Plan => ({
    aggregates: new Map([[k('elements'), `count_if(${counted})`], [k('unexpected'), `count_if(${bad})`]]),
    finish: async (agg) => {
      const elements = num(agg, 'elements');
      const unexpected = num(agg, 'unexpected');
      const share = elements === 0 ? 0 : unexpected / elements;
      const success = unexpected <= (1 - mostly) * elements + 1e-9;
      return { ...base, success, elementCount: elements, unexpectedCount: unexpected, unexpectedShare: share, ...(unexpected > 0 ? { sample: await sample(bad) } : {}) };
    },
  });
  const bounded = (expr: string, min: number | undefined, max: number | undefined, extra: Record<string, string> = {}): Plan => ({
    aggregates: new Map([[k('value'), expr], ...Object.entries(extra).map(([n, e]) => [k(n), e] as [string, string])]),
    finish: async (agg) => {
      const value = agg[k('value')];
      const observed = value === null || value === undefined ? null : Number(value);
      const success = observed !== null && Number.isFinite(observed) && within(observed, min, max);
      return { ...base, success, observed, ...(observed === null ? { details: 'no non-null values' } : {}) };
    },
  });

  switch (check.type) {
    case 'not_null': {
      const c = ident(check.column);
      return rowLevel('TRUE', `${c} IS NULL`, check.mostly);
    }
    case 'accepted_values': {
      const c = ident(check.column);
      const numeric = isNumericType(types.get(check.column)!) && check.values.every((v) => typeof v === 'number');
      const list = check.values.map((v) => (numeric ? valueLiteral(v) : literal(String(v)))).join(', ');
      const target = numeric ? c : `CAST(${c} AS VARCHAR)`;
      return rowLevel(`${c} IS NOT NULL`, `${c} IS NOT NULL AND ${target} NOT IN (${list})`, check.mostly);
    }
    case 'range': {
      const c = ident(check.column);
      const conds = [
        ...(check.min === undefined ? [] : [`${c} ${check.strictMin ? '>' : '>='} ${valueLiteral(check.min)}`]),
        ...(check.max === undefined ? [] : [`${c} ${check.strictMax ? '<' : '<='} ${valueLiteral(check.max)}`]),
      ];
      return rowLevel(`${c} IS NOT NULL`, `${c} IS NOT NULL AND NOT (${conds.join(' AND ')})`, check.mostly);
    }
    case 'regex': {
      const c = ident(check.column);
      return rowLevel(`${c} IS NOT NULL`, `${c} IS NOT NULL AND NOT regexp_matches(CAST(${c} AS VARCHAR), ${literal(check.pattern)})`, check.mostly);
    }
    case 'string_length': {
      const c = ident(check.column);
      const len = `length(CAST(${c} AS VARCHAR))`;
      const conds = [...(check.min === undefined ? [] : [`${len} >= ${check.min}`]), ...(check.max === undefined ? [] : [`${len} <= ${check.max}`])];
      return rowLevel(`${c} IS NOT NULL`, `${c} IS NOT NULL AND NOT (${conds.join(' AND ')})`, check.mostly);
    }
    case 'unique':
    case 'compound_unique': {
      const cols = check.type === 'unique' ? [check.column] : check.columns;
      const list = cols.map(ident).join(', ');
      const notNull = cols.map((c) => `${ident(c)} IS NOT NULL`).join(' AND ');
      return {
        aggregates: new Map([[k('elements'), `count_if(${notNull})`]]),
        finish: async (agg) => {
          const elements = num(agg, 'elements');
          const dup = await ctx.session.query(`SELECT coalesce(sum(n), 0) AS rows, count(*) AS keys FROM (SELECT count(*) AS n FROM ${t} WHERE ${notNull} GROUP BY ${list} HAVING count(*) > 1)`);
          const unexpected = Number(dup[0]?.rows ?? 0);
          const success = unexpected <= (1 - check.mostly) * elements + 1e-9;
          const where = `(${list}) IN (SELECT (${list}) FROM ${t} WHERE ${notNull} GROUP BY ${list} HAVING count(*) > 1)`;
          const rows = unexpected > 0 && suite.sampleSize > 0
            ? await ctx.session.query(`SELECT * FROM ${t} WHERE ${cols.length === 1 ? `${list} IN (SELECT ${list} FROM ${t} WHERE ${notNull} GROUP BY ${list} HAVING count(*) > 1)` : where} ORDER BY ${list} LIMIT ${suite.sampleSize}`)
            : [];
          return {
            ...base, success, elementCount: elements, unexpectedCount: unexpected, unexpectedShare: elements ? unexpected / elements : 0,
            observed: { duplicatedKeys: Number(dup[0]?.keys ?? 0) }, ...(rows.length ? { sample: rows } : {}),
          };
        },
      };
    }
    case 'column_type': {
      const actual = types.get(check.column)!;
      const ok = check.types.some((want) => typeMatches(actual, want));
      return { ...base, success: ok, observed: actual, ...(ok ? {} : { details: `'${check.column}' is ${actual}, expected ${check.types.join(' or ')}` }) };
    }
    case 'row_count':
      return bounded('count(*)', check.min, check.max);
    case 'distinct_count':
      return bounded(`count(DISTINCT ${ident(check.column)})`, check.min, check.max);
    case 'statistic': {
      const c = ident(check.column);
      const expr = {
        mean: `avg(${c})`, std: `stddev_samp(${c})`, min: `min(${c})`, max: `max(${c})`, median: `quantile_cont(${c}, 0.5)`, sum: `sum(${c})`,
        quantile: `quantile_cont(${c}, ${check.q ?? 0.5})`,
      }[check.stat];
      return bounded(`CAST(${expr} AS DOUBLE)`, check.min, check.max);
    }
    case 'freshness': {
      const c = ident(check.column);
      return {
        aggregates: new Map([[k('latest'), `epoch_ms(max(CAST(${c} AS TIMESTAMP)))`]]),
        finish: async (agg) => {
          const latest = agg[k('latest')];
          if (latest === null || latest === undefined) return { ...base, success: false, details: `'${check.column}' has no values` };
          const ageMs = ctx.now - Number(latest);
          return { ...base, success: ageMs <= check.maxAgeMs, observed: { latest: new Date(Number(latest)).toISOString(), ageSeconds: Math.round(ageMs / 1000) } };
        },
      };
    }
    case 'referential_integrity': {
      const c = ident(check.column);
      const bad = `${c} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${ident(check.table)} AS r WHERE r.${ident(check.refColumn)} = ${t}.${c})`;
      return {
        aggregates: new Map([[k('elements'), `count(${c})`]]),
        finish: async (agg) => {
          const refColumns = await ctx.session.columns(check.table);
          if (!refColumns.some((rc) => rc.name === check.refColumn)) {
            return { ...base, success: false, error: `column '${check.refColumn}' not found in ${check.dataset} (columns: ${refColumns.map((rc) => rc.name).join(', ')})` };
          }
          const elements = num(agg, 'elements');
          const unexpected = Number((await ctx.session.query(`SELECT count(*) AS n FROM ${t} WHERE ${bad}`))[0]?.n ?? 0);
          const success = unexpected <= (1 - check.mostly) * elements + 1e-9;
          return { ...base, success, elementCount: elements, unexpectedCount: unexpected, unexpectedShare: elements ? unexpected / elements : 0, ...(unexpected > 0 ? { sample: await sample(bad) } : {}) };
        },
      };
    }
    case 'schema':
      return schemaPlan(check, base, ctx, columns, k);
    case 'drift':
      return {
        aggregates: new Map(),
        finish: async () => {
          const refColumns = await ctx.session.columns(check.table);
          const refNames = new Set(refColumns.map((c) => c.name));
          const names = check.columns ?? columns.filter((c) => refNames.has(c.name) && (isNumericType(c.type) || typeFamily(c.type) === 'string' || typeFamily(c.type) === 'boolean')).map((c) => c.name);
          const absent = names.filter((n) => !refNames.has(n));
          if (absent.length > 0) return { ...base, success: false, error: `column${absent.length > 1 ? 's' : ''} ${absent.join(', ')} not found in the reference ${check.dataset}@${check.reference}` };
          const [reference, current]: [Column[], Column[]] = [await ctx.session.readColumns(check.table, names), await ctx.session.readColumns(ctx.table, names)];
          const report = computeDrift(reference, current, {
            ...(check.stattest === undefined ? {} : { stattest: check.stattest }),
            ...(check.threshold === undefined ? {} : { threshold: check.threshold }),
            ...(check.driftShare === undefined ? {} : { driftShare: check.driftShare }),
          });
          const drifted = Object.entries(report.columns).filter(([, c]) => c.drift_detected).map(([n]) => n);
          return {
            ...base, success: !report.dataset_drift,
            observed: { shareOfDriftedColumns: report.share_of_drifted_columns, driftedColumns: drifted, columns: report.columns },
            details: `${report.number_of_drifted_columns} of ${report.number_of_columns} columns drifted (dataset drift at ${report.drift_share})`,
          };
        },
      };
  }
}

function schemaPlan(check: Extract<Check, { type: 'schema' }>, base: { check: Record<string, unknown>; title: string }, ctx: SuiteContext, columns: EngineColumn[], k: (n: string) => string): Plan {
  const actual = new Map(columns.map((c) => [c.name, c.type]));
  let expected: { name: string; type?: string; nullable?: boolean }[] | undefined = check.columns;
  const aggregates = new Map<string, string>();
  const nonNullable = (expected ?? []).filter((c) => c.nullable === false && actual.has(c.name));
  for (const [j, c] of nonNullable.entries()) aggregates.set(k(`nulls${j}`), `count_if(${ident(c.name)} IS NULL)`);
  return {
    aggregates,
    finish: async (agg) => {
      let nullCounts = new Map(nonNullable.map((c, j) => [c.name, Number(agg[k(`nulls${j}`)] ?? 0)]));
      if (!expected) {
        expected = (await ctx.schema()).columns;
        const strict = expected.filter((c) => c.nullable === false && actual.has(c.name));
        if (strict.length > 0) {
          const row = (await ctx.session.query(`SELECT ${strict.map((c, j) => `count_if(${ident(c.name)} IS NULL) AS n${j}`).join(', ')} FROM ${ident(ctx.table)}`))[0] ?? {};
          nullCounts = new Map(strict.map((c, j) => [c.name, Number(row[`n${j}`] ?? 0)]));
        }
      }
      const names = new Set(expected.map((c) => c.name));
      const missing = expected.filter((c) => !actual.has(c.name)).map((c) => c.name);
      const extra = check.exact ? columns.filter((c) => !names.has(c.name)).map((c) => c.name) : [];
      const retyped = expected.filter((c) => c.type && actual.has(c.name) && !typeMatches(actual.get(c.name)!, c.type)).map((c) => ({ column: c.name, expected: c.type, actual: actual.get(c.name) }));
      const nulls = [...nullCounts].filter(([, n]) => n > 0).map(([column, n]) => ({ column, nulls: n }));
      const success = missing.length === 0 && extra.length === 0 && retyped.length === 0 && nulls.length === 0;
      const problems = [
        ...(missing.length ? [`missing columns: ${missing.join(', ')}`] : []),
        ...(extra.length ? [`unexpected columns: ${extra.join(', ')}`] : []),
        ...retyped.map((r) => `'${r.column}' is ${r.actual}, expected ${r.expected}`),
        ...nulls.map((n) => `'${n.column}' has ${n.nulls} nulls but is not nullable`),
      ];
      return { ...base, success, observed: { missing, extra, retyped, nulls }, ...(problems.length ? { details: problems.join('; ') } : {}) };
    },
  };
}

/** True when a DuckDB type satisfies an expected type: the same name, or a family (integer, float, number, string, boolean, date, timestamp). */
export function typeMatches(actual: string, expected: string): boolean {
  const want = expected.trim().toLowerCase();
  const family = typeFamily(actual);
  if (want === 'number' || want === 'numeric') return family === 'integer' || family === 'float';
  if (['integer', 'int', 'float', 'string', 'text', 'boolean', 'bool', 'date', 'timestamp', 'time'].includes(want)) {
    const alias: Record<string, string> = { int: 'integer', text: 'string', bool: 'boolean' };
    return family === (alias[want] ?? want);
  }
  return actual.trim().toUpperCase() === expected.trim().toUpperCase();
}

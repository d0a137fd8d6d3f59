import { invalidParameter } from '@capstan/api';

/** A check on one column, holding the share of rows that must pass (`mostly`, default 1). */
interface ColumnCheck {
  column: string;
  mostly: number;
}

/** One parsed check. Row-level checks ignore nulls, except `not_null`. */
export type Check =
  | ({ type: 'not_null' } & ColumnCheck)
  | ({ type: 'unique' } & ColumnCheck)
  | { type: 'compound_unique'; columns: string[]; mostly: number }
  | ({ type: 'accepted_values'; values: (string | number | boolean)[] } & ColumnCheck)
  | ({ type: 'range'; min?: number | string; max?: number | string; strictMin: boolean; strictMax: boolean } & ColumnCheck)
  | { type: 'column_type'; column: string; types: string[] }
  | { type: 'schema'; columns?: { name: string; type?: string; nullable?: boolean }[]; exact: boolean }
  | { type: 'row_count'; min?: number; max?: number }
  | ({ type: 'regex'; pattern: string } & ColumnCheck)
  | ({ type: 'string_length'; min?: number; max?: number } & ColumnCheck)
  | { type: 'statistic'; column: string; stat: Statistic; q?: number; min?: number; max?: number }
  | { type: 'distinct_count'; column: string; min?: number; max?: number }
  | ({ type: 'referential_integrity'; dataset: string; version?: number; files?: string; refColumn: string; table: string } & ColumnCheck)
  | { type: 'freshness'; column: string; maxAgeMs: number; maxAge: string | number }
  | { type: 'drift'; dataset?: string; reference: number; files?: string; columns?: string[]; stattest?: string; threshold?: number; driftShare?: number; table: string };

/** Aggregates a `statistic` check can bound. */
export const STATISTICS = ['mean', 'std', 'min', 'max', 'median', 'sum', 'quantile'] as const;
/** One of {@link STATISTICS}. */
export type Statistic = (typeof STATISTICS)[number];

/** Every check type a suite may use. */
export const CHECK_TYPES = [
  'not_null', 'unique', 'compound_unique', 'accepted_values', 'range', 'column_type', 'schema', 'row_count', 'regex',
  'string_length', 'statistic', 'distinct_count', 'referential_integrity', 'freshness', 'drift',
] as const;

const ALIASES: Record<string, (typeof CHECK_TYPES)[number]> = {
  compound_key: 'compound_unique', between: 'range', type: 'column_type', regex_match: 'regex', stat: 'statistic',
  references: 'referential_integrity', foreign_key: 'referential_integrity', in_set: 'accepted_values', schema_match: 'schema',
};

/** A parsed suite: the checks in order, the raw checks (for reports), file selection and sample size. */
export interface Suite {
  name: string;
  files?: string;
  sampleSize: number;
  checks: Check[];
  raw: Record<string, unknown>[];
}

/** A table another dataset version provides to a check (referential integrity, drift). */
export interface ReferenceTable {
  table: string;
  dataset: string;
  version?: number;
  files?: string;
}

type Raw = Record<string, unknown>;

/**
 * Parses a suite document (`{name?, files?, sampleSize?, checks: [...]}`); each check is
 * `{type: 'not_null', column: 'age', mostly: 0.99}` or the one-key form `{not_null: {column: 'age'}}`.
 * `dataset` is the suite's own dataset, used when a drift check names no other.
 * @throws CapstanError INVALID_PARAMETER_VALUE naming the check (by number and type) and what is wrong.
 */
export function parseSuite(doc: unknown, dataset: string): Suite {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidParameter('A suite must be an object with a "checks" list');
  const d = doc as Raw;
  if (!Array.isArray(d.checks)) throw invalidParameter('A suite needs a "checks" list');
  if (d.checks.length > 1000) throw invalidParameter('A suite holds at most 1000 checks');
  const sampleSize = d.sampleSize === undefined ? 10 : d.sampleSize;
  if (typeof sampleSize !== 'number' || !Number.isInteger(sampleSize) || sampleSize < 0 || sampleSize > 1000) throw invalidParameter('sampleSize must be an integer from 0 to 1000');
  if (d.files !== undefined && typeof d.files !== 'string') throw invalidParameter('files must be a glob string such as "*.parquet"');
  const raw: Raw[] = [];
  let tables = 0;
  const checks = d.checks.map((item, i) => {
    const flat = flatten(item, i);
    raw.push(flat);
    return parseCheck(flat, i, dataset, () => `ref${tables++}`);
  });
  return { name: typeof d.name === 'string' ? d.name : 'suite', sampleSize, checks, raw, ...(typeof d.files === 'string' ? { files: d.files } : {}) };
}

/** The other tables a suite's checks read. */
export function referenceTables(suite: Suite): ReferenceTable[] {
  return suite.checks.flatMap((c): ReferenceTable[] => {
    if (c.type === 'referential_integrity') return [{ table: c.table, dataset: c.dataset, ...(c.version === undefined ? {} : { version: c.version }), ...(c.files === undefined ? {} : { files: c.files }) }];
    if (c.type === 'drift') return [{ table: c.table, dataset: c.dataset ?? '', version: c.reference, ...(c.files === undefined ? {} : { files: c.files }) }];
    return [];
  });
}

function flatten(item: unknown, i: number): Raw {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalidParameter(`Check ${i + 1} must be an object such as {"type": "not_null", "column": "id"}`);
  const o = item as Raw;
  if (typeof o.type === 'string') return o;
  const keys = Object.keys(o);
  if (keys.length === 1 && typeof o[keys[0]!] === 'object' && o[keys[0]!] !== null) return { type: keys[0], ...(o[keys[0]!] as Raw) };
  throw invalidParameter(`Check ${i + 1} has no "type" (one of ${CHECK_TYPES.join(', ')})`);
}

function parseCheck(o: Raw, i: number, dataset: string, nextTable: () => string): Check {
  const given = o.type as string;
  const type = (CHECK_TYPES as readonly string[]).includes(given) ? (given as Check['type']) : ALIASES[given];
  const where = `Check ${i + 1} (${given})`;
  if (!type) throw invalidParameter(`${where}: unknown check type; use one of ${CHECK_TYPES.join(', ')}`);
  const str = (key: string): string => {
    const v = o[key];
    if (typeof v !== 'string' || v === '') throw invalidParameter(`${where}: "${key}" must be a non-empty string`);
    return v;
  };
  const optStr = (key: string): string | undefined => (o[key] === undefined ? undefined : str(key));
  const num = (key: string): number | undefined => {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidParameter(`${where}: "${key}" must be a number`);
    return v;
  };
  const bound = (key: string): number | string | undefined => {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return v;
    throw invalidParameter(`${where}: "${key}" must be a number or a string (dates as 'YYYY-MM-DD')`);
  };
  const mostly = (): number => {
    const m = num('mostly') ?? 1;
    if (m < 0 || m > 1) throw invalidParameter(`${where}: "mostly" must be between 0 and 1`);
    return m;
  };
  const bounds = <T>(min: T | undefined, max: T | undefined, required = true): void => {
    if (required && min === undefined && max === undefined) throw invalidParameter(`${where}: give "min", "max" or both`);
  };
  const column = (): string => str('column');
  switch (type) {
    case 'not_null':
    case 'unique':
      return { type, column: column(), mostly: mostly() };
    case 'compound_unique': {
      const cols = o.columns;
      if (!Array.isArray(cols) || cols.length < 1 || cols.some((c) => typeof c !== 'string' || c === '')) throw invalidParameter(`${where}: "columns" must be a list of column names`);
      return { type, columns: cols as string[], mostly: mostly() };
    }
    case 'accepted_values': {
      const values = o.values;
      if (!Array.isArray(values) || values.length === 0 || values.some((v) => !['string', 'number', 'boolean'].includes(typeof v))) throw invalidParameter(`${where}: "values" must be a non-empty list of strings, numbers or booleans`);
      return { type, column: column(), values: values as (string | number | boolean)[], mostly: mostly() };
    }
    case 'range': {
      const min = bound('min');
      const max = bound('max');
      bounds(min, max);
      return { type, column: column(), mostly: mostly(), strictMin: o.strictMin === true, strictMax: o.strictMax === true, ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
    }
    case 'column_type': {
      const t = o.types ?? o.expected ?? o.dtype ?? (typeof o.type === 'string' && o.type !== given ? o.type : undefined) ?? o.is;
      const types = Array.isArray(t) ? t : t === undefined ? [] : [t];
      if (types.length === 0 || types.some((x) => typeof x !== 'string')) throw invalidParameter(`${where}: give the expected type in "expected" (a DuckDB type such as BIGINT, or a family: integer, float, number, string, boolean, date, timestamp)`);
      return { type, column: column(), types: types as string[] };
    }
    case 'schema': {
      const cols = o.columns;
      if (cols !== undefined && (!Array.isArray(cols) || cols.some((c) => typeof c !== 'object' || c === null || typeof (c as Raw).name !== 'string'))) {
        throw invalidParameter(`${where}: "columns" must be a list of {name, type?, nullable?}`);
      }
      return { type, exact: o.exact !== false, ...(cols === undefined ? {} : { columns: cols as { name: string; type?: string; nullable?: boolean }[] }) };
    }
    case 'row_count':
    case 'distinct_count': {
      const min = num('min');
      const max = num('max');
      bounds(min, max);
      const base = { ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
      return type === 'row_count' ? { type, ...base } : { type, column: column(), ...base };
    }
    case 'regex': {
      const pattern = str('pattern');
      return { type, column: column(), pattern, mostly: mostly() };
    }
    case 'string_length': {
      const min = num('min');
      const max = num('max');
      bounds(min, max);
      return { type, column: column(), mostly: mostly(), ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
    }
    case 'statistic': {
      const stat = str('stat') as Statistic;
      if (!STATISTICS.includes(stat)) throw invalidParameter(`${where}: "stat" must be one of ${STATISTICS.join(', ')}`);
      const q = num('q');
      if (stat === 'quantile' && (q === undefined || q < 0 || q > 1)) throw invalidParameter(`${where}: a quantile needs "q" between 0 and 1`);
      const min = num('min');
      const max = num('max');
      bounds(min, max);
      return { type, column: column(), stat, ...(q === undefined ? {} : { q }), ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
    }
    case 'referential_integrity': {
      const version = num('version');
      const files = optStr('files');
      return {
        type, column: column(), mostly: mostly(), dataset: str('dataset'), refColumn: optStr('refColumn') ?? str('column'), table: nextTable(),
        ...(version === undefined ? {} : { version }), ...(files === undefined ? {} : { files }),
      };
    }
    case 'freshness': {
      const maxAge = o.maxAge;
      return { type, column: column(), maxAge: maxAge as string | number, maxAgeMs: parseAge(maxAge, where) };
    }
    case 'drift': {
      const reference = num('reference');
      if (reference === undefined || !Number.isInteger(reference) || reference < 1) throw invalidParameter(`${where}: "reference" must be the version number to compare with`);
      const cols = o.columns;
      if (cols !== undefined && (!Array.isArray(cols) || cols.some((c) => typeof c !== 'string'))) throw invalidParameter(`${where}: "columns" must be a list of names`);
      const stattest = optStr('stattest');
      const threshold = num('threshold');
      const driftShare = num('driftShare');
      const files = optStr('files');
      return {
        type, dataset: optStr('dataset') ?? dataset, reference, table: nextTable(),
        ...(cols === undefined ? {} : { columns: cols as string[] }), ...(stattest === undefined ? {} : { stattest }),
        ...(threshold === undefined ? {} : { threshold }), ...(driftShare === undefined ? {} : { driftShare }), ...(files === undefined ? {} : { files }),
      };
    }
  }
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90` (seconds), `'30m'`, `'12h'`, `'2d'`, `'1w'` as milliseconds. */
export function parseAge(value: unknown, where = 'maxAge'): number {
  if (typeof value === 'number' && value > 0) return value * 1000;
  const m = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(value.trim()) : null;
  if (!m) throw invalidParameter(`${where}: "maxAge" must be seconds or a duration such as '30m', '12h', '2d'`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** SQL text helpers shared by the data checks and the profiler (DuckDB dialect). */

/** A quoted identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal (standard SQL: quotes doubled, no backslash escapes). */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A number or string literal; numbers must be finite. */
export function valueLiteral(value: number | string | boolean): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return literal(value);
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT\d*)$/;
const FLOAT = /^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/;

/** The family of a DuckDB type: integer, float, boolean, string, date, timestamp, time or other. */
export function typeFamily(type: string): 'integer' | 'float' | 'boolean' | 'string' | 'date' | 'timestamp' | 'time' | 'other' {
  const t = type.toUpperCase();
  if (INTEGER.test(t)) return 'integer';
  if (FLOAT.test(t)) return 'float';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'VARCHAR' || t.startsWith('VARCHAR')) return 'string';
  if (t === 'DATE') return 'date';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  if (t.startsWith('TIME')) return 'time';
  return 'other';
}

/** True for integer and floating-point types. */
export function isNumericType(type: string): boolean {
  const f = typeFamily(type);
  return f === 'integer' || f === 'float';
}

import type { WireDatasetProfile, WireSuite } from '@capstan/api';
import { isNumericType, typeFamily } from './sql.js';

const MAX_ACCEPTED_VALUES = 20;

function floor2(x: number): number {
  return Math.floor(x * 100) / 100;
}

/**
 * A starting suite from a reference version's profile, to be edited: the exact schema, a row
 * count within half to double the reference's, and per column the observed non-null share, key
 * uniqueness, the full list of values when there are at most 20, numeric ranges and string
 * lengths. Every check passes on the reference itself.
 */
export function suggestSuite(name: string, profile: WireDatasetProfile): WireSuite {
  const checks: Record<string, unknown>[] = [
    { type: 'schema', columns: profile.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullCount > 0 })), exact: true },
    { type: 'row_count', min: Math.floor(profile.rowCount / 2), max: profile.rowCount * 2 },
  ];
  for (const c of profile.columns) {
    const present = 1 - c.nullShare;
    if (present >= 1) checks.push({ type: 'not_null', column: c.name });
    else if (present > 0) checks.push({ type: 'not_null', column: c.name, mostly: floor2(present) });
    if (c.count > 0 && c.distinct >= c.count && c.count === profile.rowCount && (typeFamily(c.type) === 'integer' || typeFamily(c.type) === 'string')) {
      checks.push({ type: 'unique', column: c.name });
    }
    const top = c.topValues ?? [];
    const topTotal = top.reduce((s, v) => s + v.count, 0);
    if (!isNumericType(c.type) && top.length > 0 && top.length <= MAX_ACCEPTED_VALUES && topTotal === c.count && typeFamily(c.type) === 'string') {
      checks.push({ type: 'accepted_values', column: c.name, values: top.map((v) => v.value) });
    }
    if (isNumericType(c.type) && typeof c.min === 'number' && typeof c.max === 'number') {
      checks.push({ type: 'range', column: c.name, min: c.min, max: c.max });
    }
    if (typeFamily(c.type) === 'string' && c.minLength !== undefined && c.maxLength !== undefined) {
      checks.push({ type: 'string_length', column: c.name, min: c.minLength, max: c.maxLength });
    }
  }
  return { name: `${name} (suggested)`, sampleSize: 10, checks };
}

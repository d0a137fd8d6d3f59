/** The drift engine's public surface. */
export { computeDrift } from './compute-drift.js';
export { STATTESTS } from './stattests/registry.js';
export type { StatTest } from './stattests/stattest.js';
export type { CategoricalColumn, Column, ColumnDrift, ColumnType, DriftOptions, DriftReport, NumericColumn } from './types.js';

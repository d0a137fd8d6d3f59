/** Entry point `@capstan/server/drift`: the drift engine and the columnar file reader, kept apart from the server so neither loads the other. */
export { readColumns, columnarFormatOf } from './adapters/columnar/index.js';
export type { ColumnarFormat, ReadColumnsOptions } from './adapters/columnar/index.js';
export type { CategoricalColumn, Column, ColumnDrift, ColumnType, DriftOptions, DriftReport, NumericColumn } from './core/monitoring/drift/types.js';
export { computeDrift } from './core/monitoring/drift/index.js';
export { DriftWorker, computeDriftParallel, PARALLEL_MIN_ROWS } from './adapters/drift/parallel.js';

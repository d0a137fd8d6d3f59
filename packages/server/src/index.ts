export { createCapstan, startCapstan, DEFAULT_CONFIG } from './main.js';
export type { Capstan, CapstanConfig } from './main.js';
export { MLFLOW_COMPAT_VERSION } from './http/server.js';
export { readColumns, columnarFormatOf } from './adapters/columnar/index.js';
export type { ColumnarFormat, ReadColumnsOptions } from './adapters/columnar/index.js';
export type { CategoricalColumn, Column, ColumnDrift, ColumnType, DriftOptions, DriftReport, NumericColumn } from './core/monitoring/drift/types.js';
export { computeDrift } from './core/monitoring/drift/index.js';

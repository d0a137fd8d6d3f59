export * from './errors.js';
export * from './fields.js';
export * from './mlflow/contracts.js';
export type * from './mlflow/wire.js';
export * from './data/contracts.js';
export * from './pipelines/spec.js';
export * from './pipelines/contracts.js';
export * from './serving/contracts.js';
export * from './monitoring/contracts.js';

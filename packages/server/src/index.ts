export { createCapstan, startCapstan, startPipelineWorker, DEFAULT_CONFIG } from './main.js';
export type { Capstan, CapstanConfig, PipelineWorkerConfig } from './main.js';
export { MLFLOW_COMPAT_VERSION } from './http/server.js';
export { serveModel } from './serve-model.js';
export type { ServeModelOptions, ModelServer } from './serve-model.js';

export { createCapstan, startCapstan, DEFAULT_CONFIG } from './main.js';
export type { Capstan, CapstanConfig } from './main.js';
export { MLFLOW_COMPAT_VERSION } from './http/server.js';

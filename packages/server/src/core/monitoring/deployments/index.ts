/** Monitoring of deployments: the public surface. */
export * from './model.js';
export * from './metrics.js';
export * from './rows.js';
export * from './webhooks.js';
export * from './service.js';

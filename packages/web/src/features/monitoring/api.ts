import { monitoring as routes, type WireAlert, type WireDriftWindow, type WireMonitor, type WirePerformanceWindow, type WireReference } from '@capstan/api';
import { native } from '../../lib/api';

/** The monitoring contracts, called through the native transport (there is no client class yet). */
export const monitor = {
  list: (signal?: AbortSignal) => native.call(routes.listMonitors, {}, { ...(signal ? { signal } : {}) }).then((r) => r.monitors),
  get: (deployment: string, signal?: AbortSignal) => native.call(routes.getMonitor, { deployment }, { ...(signal ? { signal } : {}) }),
  drift: (deployment: string, range: { since: number; until: number }, signal?: AbortSignal) => native.call(routes.drift, { deployment, ...range }, { ...(signal ? { signal } : {}) }),
  performance: (deployment: string, range: { since: number; until: number }, signal?: AbortSignal) => native.call(routes.performance, { deployment, ...range }, { ...(signal ? { signal } : {}) }),
  alerts: (query: { deployment?: string; limit?: number }, signal?: AbortSignal) => native.call(routes.listAlerts, query, { ...(signal ? { signal } : {}) }).then((r) => r.alerts),
  alert: (id: string, signal?: AbortSignal) => native.call(routes.getAlert, { id }, { ...(signal ? { signal } : {}) }).then((r) => r.alert),
  distribution: (deployment: string, column: string, range: { since: number; until: number }, signal?: AbortSignal) => native.call(routes.distribution, { deployment, column, ...range }, { ...(signal ? { signal } : {}) }),
  rules: (deployment: string, signal?: AbortSignal) => native.call(routes.listRules, { deployment }, { ...(signal ? { signal } : {}) }).then((r) => r.rules),
};

export type { WireAlert, WireDriftWindow, WireMonitor, WirePerformanceWindow, WireReference };

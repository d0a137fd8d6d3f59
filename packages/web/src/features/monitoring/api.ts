import { monitoring as routes, type WireAlert, type WireDriftWindow, type WireMonitor, type WirePerformanceWindow, type WireReference } from '@capstan/api';
import { native, serving } from '../../lib/api';

/** The monitoring contracts, called through the native transport (there is no client class yet). */
export const monitor = {
  list: (signal?: AbortSignal) => native.call(routes.listMonitors, {}, { ...(signal ? { signal } : {}) }).then((r) => r.monitors),
  get: (deployment: string, signal?: AbortSignal) => native.call(routes.getMonitor, { deployment }, { ...(signal ? { signal } : {}) }),
  drift: (deployment: string, range: { since: number; until: number }, signal?: AbortSignal) => native.call(routes.drift, { deployment, ...range }, { ...(signal ? { signal } : {}) }),
  performance: (deployment: string, range: { since: number; until: number }, signal?: AbortSignal) => native.call(routes.performance, { deployment, ...range }, { ...(signal ? { signal } : {}) }),
  alerts: (query: { deployment?: string; limit?: number }, signal?: AbortSignal) => native.call(routes.listAlerts, query, { ...(signal ? { signal } : {}) }).then((r) => r.alerts),
  alert: (id: string, signal?: AbortSignal) => native.call(routes.getAlert, { id }, { ...(signal ? { signal } : {}) }).then((r) => r.alert),
  rules: (deployment: string, signal?: AbortSignal) => native.call(routes.listRules, { deployment }, { ...(signal ? { signal } : {}) }).then((r) => r.rules),
};

export type { WireAlert, WireDriftWindow, WireMonitor, WirePerformanceWindow, WireReference };

/** One feature's values from logged predictions (`[[v], [v]]` columns are flattened). */
export async function loggedValues(deployment: string, feature: string, range: { since: number; until: number }, signal?: AbortSignal): Promise<unknown[]> {
  const predictions = await serving.predictions(deployment, { ...range, limit: 10_000 }, { ...(signal ? { signal } : {}) });
  const out: unknown[] = [];
  for (const p of predictions) {
    if (p.status !== 'ok') continue;
    const col = p.inputs[feature];
    if (!Array.isArray(col)) {
      if (col !== undefined) out.push(col);
      continue;
    }
    for (const v of col) out.push(Array.isArray(v) ? v[0] : v);
  }
  return out;
}

/** `log:<since>-<until>` references came from the prediction log, so their rows can be read back. */
export function referenceRange(source: string): { since: number; until: number } | null {
  const m = /^log:(\d+)-(\d+)$/.exec(source);
  return m ? { since: Number(m[1]), until: Number(m[2]) } : null;
}

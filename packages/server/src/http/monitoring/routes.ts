import type { FastifyInstance } from 'fastify';
import { invalidParameter, monitoring as api } from '@capstan/api';
import { referenceSummary, type MonitoringService } from '../../core/monitoring/deployments/service.js';
import type { DriftOptions } from '../../core/monitoring/drift/types.js';
import { mount } from '../edge.js';

const V1 = ['/api/v1'] as const;

function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}

/** The native monitoring API: monitors, references, drift, segments, performance, feedback, alert rules, alerts, webhooks. */
export function monitoringRoutes(app: FastifyInstance, monitoring: MonitoringService): void {
  mount(app, api.createMonitor, async (input) => ({ monitor: await monitoring.createMonitor({ ...defined(input), drift: (input.drift ?? {}) as DriftOptions }) }), { prefixes: V1 });
  mount(app, api.listMonitors, async () => ({ monitors: await monitoring.listMonitors() }), { prefixes: V1 });
  mount(app, api.getMonitor, async (input) => monitoring.getMonitor(input.deployment), { prefixes: V1 });
  mount(app, api.deleteMonitor, async (input) => {
    await monitoring.deleteMonitor(input.deployment);
    return {};
  }, { prefixes: V1 });
  mount(app, api.setReference, async (input) => {
    const fromLog = input.since !== undefined || input.until !== undefined;
    if (fromLog && (input.records !== undefined || input.columns !== undefined)) throw invalidParameter('Give rows ("records" or "columns") or a log window ("since" and "until"), not both.');
    if (fromLog && (input.since === undefined || input.until === undefined)) throw invalidParameter('A reference from the prediction log needs both "since" and "until" (ms since epoch).');
    const reference = fromLog
      ? await monitoring.setReferenceFromLog(input.deployment, input.since!, input.until!)
      : await monitoring.setReferenceFromRows(input.deployment, defined({ records: input.records, columns: input.columns }));
    return { reference: referenceSummary(reference) };
  }, { prefixes: V1 });
  mount(app, api.captureReference, async (input) => {
    await monitoring.getMonitor(input.deployment);
    const capture = await monitoring.captureReference(input.deployment);
    return { capture, reference: (await monitoring.getMonitor(input.deployment)).reference };
  }, { prefixes: V1 });
  mount(app, api.drift, async (input) => monitoring.drift(input.deployment, defined({ since: input.since, until: input.until })), { prefixes: V1 });
  mount(app, api.distribution, async (input) => monitoring.distribution(input.deployment, input.column, defined({ since: input.since, until: input.until })), { prefixes: V1 });
  mount(app, api.segments, async (input) => monitoring.segments(input.deployment, input.column, defined({ since: input.since, until: input.until })), { prefixes: V1 });
  mount(app, api.performance, async (input) => monitoring.performance(input.deployment, defined({ since: input.since, until: input.until })), { prefixes: V1 });
  mount(app, api.createRule, async (input) => {
    const { deployment, ...rule } = input;
    return { rule: await monitoring.createRule(deployment, defined(rule)) };
  }, { prefixes: V1 });
  mount(app, api.listRules, async (input) => {
    await monitoring.getMonitor(input.deployment);
    return { rules: await monitoring.listRules(input.deployment) };
  }, { prefixes: V1 });
  mount(app, api.deleteRule, async (input) => {
    await monitoring.deleteRule(input.id);
    return {};
  }, { prefixes: V1 });
  mount(app, api.evaluate, async (input) => {
    await monitoring.getMonitor(input.deployment);
    return { alerts: await monitoring.evaluateAll(input.deployment) };
  }, { prefixes: V1 });
  mount(app, api.listAlerts, async (input) => ({ alerts: await monitoring.listAlerts(defined(input)) }), { prefixes: V1 });
  mount(app, api.getAlert, async (input) => ({ alert: await monitoring.getAlert(input.id) }), { prefixes: V1 });
  mount(app, api.feedback, async (input) => monitoring.feedback(input.items.map((i) => defined(i))), { prefixes: V1 });
  mount(app, api.createWebhook, async (input) => ({ webhook: await monitoring.createWebhook(defined(input)) }), { prefixes: V1 });
  mount(app, api.listWebhooks, async () => ({ webhooks: await monitoring.listWebhooks() }), { prefixes: V1 });
  mount(app, api.deleteWebhook, async (input) => {
    await monitoring.deleteWebhook(input.id);
    return {};
  }, { prefixes: V1 });
  mount(app, api.deliveries, async (input) => ({ deliveries: await monitoring.deliveries(input.id, input.limit ?? 100) }), { prefixes: V1 });
}

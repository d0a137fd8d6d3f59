// Scenario: drift over many windows of a deployment's prediction log, read from the log vs from the
// window profiles the background profiler stores (MonitoringService.profileLog), on SQLite.
//
//   npm run build && node bench/scenarios/monitoring-windows.mjs [ROWS_PER_WINDOW=20000]
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const D = new URL('../../packages/server/dist', import.meta.url).pathname;
const { openSqlDatabase } = await import(`${D}/adapters/sql/index.js`);
const { SqlDeploymentStore } = await import(`${D}/adapters/sql/serving/store.js`);
const { SqlMonitoringStore } = await import(`${D}/adapters/sql/monitoring/store.js`);
const { MonitoringService } = await import(`${D}/core/monitoring/deployments/index.js`);
const { EventBus } = await import(`${D}/core/events/bus.js`);
const H = 3_600_000, T0 = 1_700_000_000_000 - (1_700_000_000_000 % H), W = 24, PER = Number(process.argv[2] ?? 20000);
const db = await openSqlDatabase(`sqlite:///${join(mkdtempSync(join(tmpdir(), 'bb-')), 'c.db')}`);
const log = new SqlDeploymentStore(db.driver);
let r = 1;
const rand = () => ((r = (r * 16807) % 2147483647) / 2147483647);
let t = performance.now();
for (let w = 0; w < W; w++) {
  const batch = [];
  for (let i = 0; i < PER; i++) batch.push({ id: `p${w}-${i}`, deployment: 'd', model: 'm', version: '1', time: T0 + w * H + Math.floor(i * (H / PER)), latencyMs: 1, status: 'ok', shadow: false, inputs: { a: [rand()], b: [rand() * 10], plan: [['x', 'y', 'z'][Math.floor(rand() * 3)]] }, outputs: { label: [rand() > 0.5 ? 'yes' : 'no'], probabilities: [[0.3, 0.7]] } });
  for (let i = 0; i < batch.length; i += 1000) await log.insertPredictions(batch.slice(i, i + 1000));
}
console.log(`seeded ${W}x${PER} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
const svc = new MonitoringService({ store: new SqlMonitoringStore(db.driver), predictions: log, deploymentExists: async () => true, events: new EventBus(), send: async () => ({ status: 200 }), now: () => T0 + W * H + 10_000, evaluateIntervalMs: 0, profileIntervalMs: 0 });
await svc.createMonitor({ deployment: 'd', task: 'classification', positiveClass: 'yes', autoReference: false });
await svc.setReferenceFromRows('d', { records: Array.from({ length: 3000 }, () => ({ a: rand(), b: rand() * 10, plan: ['x', 'y', 'z'][Math.floor(rand() * 3)] })) });
t = performance.now(); await svc.drift('d', { since: T0, until: T0 + W * H }); const before = performance.now() - t;
t = performance.now(); const n = await svc.profileLog('d'); const prof = performance.now() - t;
t = performance.now(); await svc.drift('d', { since: T0, until: T0 + W * H }); const after = performance.now() - t;
console.log(`drift over ${W} windows of ${PER} rows: from the log ${(before / 1000).toFixed(2)} s; profiling ${n} rows took ${(prof / 1000).toFixed(2)} s (${Math.round(n / (prof / 1000))} rows/s); from stored profiles ${(after / 1000).toFixed(3)} s`);
await svc.close();

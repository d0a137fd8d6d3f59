// Trains one gradient-boosted classifier with the trial's parameters on a seeded synthetic task
// and writes its hold-out accuracy; logs params and the score to the step's MLflow run.
import { writeFileSync } from 'node:fs';
import { CapstanClient } from '@capstan/client';
import { Rng, train } from '@capstan/train';

const params = JSON.parse(process.argv[2]);
const out = process.argv[3];
const rng = new Rng(42);
const n = 3000;
const data = { a: [], b: [], c: [], y: [] };
for (let i = 0; i < n; i++) {
  const [a, b, c] = [rng.normal(), rng.normal(), rng.normal()];
  data.a.push(a); data.b.push(b); data.c.push(c);
  data.y.push(a * b + Math.sin(2 * c) + 0.3 * rng.normal() > 0 ? 'yes' : 'no');
}
const cut = 2400;
const part = (from, to) => Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.slice(from, to)]));
const { number, ...hyper } = params;
const model = train({ data: part(0, cut), label: 'y', kind: 'gradient_boosting', params: hyper, seed: 1 });
const test = part(cut, n);
const predicted = model.predict(test);
const score = predicted.filter((p, i) => p === test.y[i]).length / test.y.length;
writeFileSync(out, String(score));
if (process.env.MLFLOW_TRACKING_URI && process.env.MLFLOW_RUN_ID) {
  const client = new CapstanClient({ baseUrl: process.env.MLFLOW_TRACKING_URI });
  await client.runs.logBatch(process.env.MLFLOW_RUN_ID, {
    params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
    metrics: [{ key: 'holdout_accuracy', value: score, timestamp: Date.now(), step: 0 }],
  });
}

// Training speed of @capstan/train on a synthetic binary task (HIGGS-like shape: 28 numeric features).
// Usage: node packages/train/bench/gbt.mjs [rows=200000] [kind=gradient_boosting] (after `npx tsc -b packages/train`)
import { Rng, accuracy, fitBoosting, fitForest, fitLogistic, rocAuc } from '../dist/index.js';
import { makeHiggsLike } from '../../../bench/train/data.mjs';

const rows = Number(process.argv[2] ?? 200000);
const kind = process.argv[3] ?? 'gradient_boosting';
const cols = 28;
const make = (n, seed) => makeHiggsLike(Rng, n, seed, cols);
const train = make(rows, 1);
const test = make(50000, 2);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let predict;
if (kind === 'gradient_boosting') {
  const m = fitBoosting(train.X, train.y, 2, { earlyStopping: process.env.EARLY_STOPPING !== '0' });
  predict = (X) => {
    const out = new Float64Array(X.rows).fill(m.baseline[0]);
    for (const t of m.trees) for (let i = 0; i < X.rows; i++) {
      let node = 0;
      while (t.feature[node] >= 0) node = X.data[i * cols + t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node];
      out[i] += t.value[node];
    }
    return out;
  };
} else if (kind === 'random_forest') {
  const m = fitForest(train.X, train.y, 2, new Rng(0), { nEstimators: 100 });
  predict = (X) => {
    const out = new Float64Array(X.rows);
    for (const t of m.trees) for (let i = 0; i < X.rows; i++) {
      let node = 0;
      while (t.feature[node] >= 0) node = X.data[i * cols + t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node];
      out[i] += t.value[node * 2 + 1];
    }
    return out;
  };
} else {
  const m = fitLogistic(train.X, train.y, 2);
  predict = (X) => Float64Array.from({ length: X.rows }, (_, i) => { let s = m.intercept[0]; for (let j = 0; j < cols; j++) s += m.coef[j] * X.data[i * cols + j]; return s; });
}
const secs = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSecs = (cpu.user + cpu.system) / 1e6;
const s = predict(test.X);
const pred = Int32Array.from(s, (v) => (kind === 'random_forest' ? v / 100 > 0.5 : v > 0) ? 1 : 0);
console.log(JSON.stringify({ kind, rows, cols, train_seconds: Number(secs.toFixed(2)), train_cpu_seconds: Number(cpuSecs.toFixed(2)), test_accuracy: Number(accuracy(test.y, pred).toFixed(4)), test_auc: Number(rocAuc(test.y, s).toFixed(4)) }));

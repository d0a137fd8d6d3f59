import { crc32, deflateSync } from 'node:zlib';
import type { CapstanClient } from '@capstan/client';

/** What {@link seedSmall} created, by name. */
export interface Seeded {
  experimentId: string;
  emptyExperimentId: string;
  runs: Record<string, string>;
  model: string;
}

/** A valid `width`×`height` RGB PNG (a gradient), for the image preview. */
export function png(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      raw[row + 1 + x * 3] = (x * 255) / width;
      raw[row + 2 + x * 3] = (y * 255) / height;
      raw[row + 3 + x * 3] = 160;
    }
  }
  return new Uint8Array(Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]));
}

const RUNS = [
  { name: 'baseline', model: 'logreg', lr: '0.1', depth: '0', acc: 0.71, team: 'growth' },
  { name: 'tree-d4', model: 'tree', lr: '0', depth: '4', acc: 0.78, team: 'growth' },
  { name: 'tree-d8', model: 'tree', lr: '0', depth: '8', acc: 0.8, team: 'search' },
  { name: 'boost-lr01', model: 'boost', lr: '0.01', depth: '6', acc: 0.86, team: 'search' },
  { name: 'boost-lr03', model: 'boost', lr: '0.03', depth: '6', acc: 0.91, team: 'search' },
  { name: 'failed-try', model: 'mlp', lr: '0.3', depth: '3', acc: 0.52, team: 'growth' },
];

/**
 * The functional fixture, through the real API: an experiment of six runs (params, a final
 * metric, a 60-step loss history, tags), artifacts and a dataset input on the best run, an empty
 * experiment, and a registered model with two versions and the alias `champion` on version 1.
 */
export async function seedSmall(client: CapstanClient): Promise<Seeded> {
  const experimentId = await client.experiments.create('churn-model', { tags: { owner: 'ana' } });
  const emptyExperimentId = await client.experiments.create('empty-experiment');
  const runs: Record<string, string> = {};
  const t0 = Date.now() - 3_600_000;
  await Promise.all(RUNS.map(async (r, i) => {
    const run = await client.runs.create(experimentId, { run_name: r.name, start_time: t0 + i * 60_000, tags: { team: r.team, 'mlflow.source.name': 'train.py' } });
    const id = run.info.run_id;
    runs[r.name] = id;
    const loss = Array.from({ length: 60 }, (_, step) => ({ key: 'loss', value: (1 - r.acc) + 1.5 * Math.exp(-step / (8 + i)), step, timestamp: t0 + i * 60_000 + step * 1000 }));
    await client.runs.logBatch(id, {
      params: { model: r.model, lr: r.lr, depth: r.depth },
      metrics: [...loss, { key: 'acc', value: r.acc, step: 59, timestamp: t0 + i * 60_000 + 59_000 }],
    });
    await client.runs.update(id, { status: r.name === 'failed-try' ? 'FAILED' : 'FINISHED', end_time: t0 + i * 60_000 + 59_000 + i * 7_000 });
  }));

  const best = runs['boost-lr03']!;
  await client.uploadRunArtifact(best, 'notes.txt', 'Gradient boosting, lr 0.03.\nBest AUC so far.\n', { contentType: 'text/plain' });
  await client.uploadRunArtifact(best, 'metrics.json', JSON.stringify({ auc: 0.93, f1: 0.81, thresholds: [0.3, 0.5] }));
  await client.uploadRunArtifact(best, 'data/sample.csv', 'customer,tenure,churned\n"Smith, Ann",12,0\nBo,3,1\nCy,40,0\n');
  await client.uploadRunArtifact(best, 'plots/curve.png', png(16, 16));
  await client.uploadRunArtifact(best, 'model/MLmodel', 'flavors:\n  python_function: {}\n');
  await client.runs.logInputs(best, {
    datasets: [{
      dataset: { name: 'churn-train', digest: 'a1b2c3d4', source_type: 's3', source: '{"uri": "s3://data/churn/train.parquet"}', schema: '{"mlflow_colspec": [{"name": "tenure", "type": "long"}]}' },
      tags: [{ key: 'mlflow.data.context', value: 'training' }],
    }],
  });

  const model = 'churn-classifier';
  await client.registeredModels.create(model, { description: 'Predicts churn in the next 30 days.', tags: { domain: 'retention' } });
  await client.modelVersions.create(model, `runs:/${runs['boost-lr01']}/model`, { run_id: runs['boost-lr01'], tags: { validated: 'true' } });
  await client.modelVersions.create(model, `runs:/${best}/model`, { run_id: best });
  await client.registeredModels.setAlias(model, 'champion', 1);
  return { experimentId, emptyExperimentId, runs, model };
}

/** Runs `task(i)` for i in [0, n) with `concurrency` tasks in flight. */
export async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await task(next++);
  }));
}

/** A hyperparameter sweep of `n` runs, each created and then filled with one log-batch. */
export async function seedSweep(client: CapstanClient, n: number): Promise<{ experimentId: string; ms: number }> {
  const experimentId = await client.experiments.create('sweep-10k');
  const start = performance.now();
  const t0 = Date.now() - n * 1000;
  await pool(n, 16, async (i) => {
    const run = await client.runs.create(experimentId, { run_name: `trial-${i}`, start_time: t0 + i * 1000 });
    const lr = 10 ** (-4 + (i % 37) / 12);
    await client.runs.logBatch(run.info.run_id, {
      params: { lr: lr.toPrecision(3), depth: String(2 + (i % 9)), optimizer: i % 3 ? 'adam' : 'sgd' },
      metrics: [{ key: 'acc', value: 0.6 + 0.35 * Math.sin(i) ** 2, step: 0 }, { key: 'loss', value: 0.2 + Math.cos(i) ** 2, step: 0 }],
      tags: { sweep: 'grid-a' },
    });
  });
  return { experimentId, ms: performance.now() - start };
}

/** One run with a `points`-step metric `series`, logged in batches of 1000. */
export async function seedLongMetric(client: CapstanClient, experimentId: string, points: number): Promise<{ runId: string; ms: number }> {
  const run = await client.runs.create(experimentId, { run_name: 'long-training' });
  const runId = run.info.run_id;
  const start = performance.now();
  const ts = Date.now();
  await pool(Math.ceil(points / 1000), 4, async (b) => {
    const metrics = Array.from({ length: Math.min(1000, points - b * 1000) }, (_, j) => {
      const step = b * 1000 + j;
      return { key: 'series', value: Math.exp(-step / 300_000) + 0.05 * Math.sin(step / 2000), step, timestamp: ts };
    });
    await client.runs.logBatch(runId, { metrics });
  });
  return { runId, ms: performance.now() - start };
}

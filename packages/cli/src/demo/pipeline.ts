import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CapstanClient, DataApi, definePipeline } from '@capstan/client';
import { Study, TpeSampler, evaluate, logEvaluation, mlflowModelFiles, train, trackStudy, type TabularModel } from '@capstan/train';
import { FEATURES, parseCsv } from './weather.js';

/** The dataset, registered model and deployment the demo works on. */
export const DEMO = { dataset: 'seattle-weather', file: 'weather.csv', model: 'weather', deployment: 'weather' } as const;

/** The data-quality suite every version must pass before training. */
export const WEATHER_SUITE = {
  name: 'seattle-weather quality',
  checks: [
    ...FEATURES.map((column) => ({ type: 'not_null', column })),
    { type: 'not_null', column: 'weather' },
    { type: 'accepted_values', column: 'weather', values: ['drizzle', 'rain', 'sun', 'snow', 'fog'] },
    { type: 'range', column: 'precipitation', min: 0, max: 200 },
    { type: 'range', column: 'temp_max', min: -20, max: 50 },
    { type: 'range', column: 'temp_min', min: -30, max: 40 },
    { type: 'range', column: 'wind', min: 0, max: 40 },
    { type: 'range', column: 'month', min: 1, max: 12 },
    { type: 'row_count', min: 200 },
    { type: 'unique', column: 'date' },
  ],
};

const server = () => process.env.MLFLOW_TRACKING_URI ?? 'http://127.0.0.1:5000';

function fit(columns: Record<string, number[]>, labels: string[], params: Record<string, number>, seed: number): TabularModel {
  return train({ data: { ...columns, weather: labels }, label: 'weather', kind: 'gradient_boosting', params, seed });
}

function slice(columns: Record<string, number[]>, from: number, to: number): Record<string, number[]> {
  return Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, v.slice(from, to)]));
}

/**
 * The continuous-training pipeline of the demo: fetch a dataset version (the newest by default)
 * and check its quality, tune a gradient-boosted classifier with TPE (each trial a child run),
 * gate it against the champion, and register it as the challenger. A drift alert on the
 * deployment starts it.
 */
export default definePipeline({
  name: 'weather-ct',
  description: 'Retrain the Seattle weather classifier on the newest data version',
  module: fileURLToPath(import.meta.url),
  params: {
    version: { type: 'number', default: 0, description: 'dataset version (0 = newest)' },
    trials: { type: 'number', default: 12 },
    seed: { type: 'number', default: 7 },
  },
  triggers: [{ event: 'drift.alert', filter: { deployment: DEMO.deployment, metric: 'dataset_drift_share' }, params: {}, dedupKey: '{{event.alertId}}' }],
}, (p) => [
  p.fn('fetch', { params: ['version'], outputs: { data: 'Dataset', version: 'number' }, cache: false }, async (ctx) => {
    const data = new DataApi({ baseUrl: server() });
    const version = ctx.params.version > 0 ? ctx.params.version : (await data.listVersions(DEMO.dataset, 1)).versions[0]!.version;
    const result = await data.validate(DEMO.dataset, version, WEATHER_SUITE);
    if (!result.success) throw new Error(`dataset ${DEMO.dataset}@${version} failed its quality suite: ${result.results.filter((c) => !c.success).map((c) => c.title).join('; ')}`);
    const file = (await data.getManifest(DEMO.dataset, version)).find((f) => f.path === DEMO.file)!;
    const blob = await data.getBlob(file.digest);
    writeFileSync(ctx.outputs.data!, Buffer.from(await blob.arrayBuffer()));
    return { version };
  }),
  p.fn('train', { params: ['trials', 'seed'], inputs: { data: 'steps.fetch.outputs.data', version: 'steps.fetch.outputs.version' }, outputs: { model: 'Model', metrics: 'Metrics' } }, async (ctx) => {
    const { columns, labels } = parseCsv(readFileSync(ctx.inputs.data as string, 'utf8'));
    const cut = Math.floor(labels.length * 0.8);
    const trainX = slice(columns, 0, cut);
    const testX = slice(columns, cut, labels.length);
    const trainY = labels.slice(0, cut);
    const testY = labels.slice(cut);
    const client = new CapstanClient({ baseUrl: server() });
    const parentRunId = process.env.MLFLOW_RUN_ID!;
    const experimentId = (await client.runs.get(parentRunId)).info.experiment_id;
    const study = new Study({ direction: 'maximize', sampler: new TpeSampler({ seed: ctx.params.seed }), hooks: trackStudy(client, { experimentId, parentRunId, metric: 'holdout_accuracy' }) });
    await study.optimize((trial) => {
      const params = {
        learningRate: trial.suggestFloat('learningRate', 0.02, 0.3, { log: true }),
        maxDepth: trial.suggestInt('maxDepth', 2, 6),
        maxIter: trial.suggestInt('maxIter', 20, 150),
        minSamplesLeaf: trial.suggestInt('minSamplesLeaf', 5, 40),
      };
      const predicted = fit(trainX, trainY, params, ctx.params.seed).predict(testX) as string[];
      return predicted.filter((y, i) => y === testY[i]).length / testY.length;
    }, { nTrials: ctx.params.trials });
    const best = study.bestTrial.params as Record<string, number>;
    const model = fit(trainX, trainY, best, ctx.params.seed);
    const evaluation = evaluate(model, { ...testX, weather: testY });
    await logEvaluation(client, parentRunId, evaluation);
    const final = fit(columns, labels, best, ctx.params.seed);
    mkdirSync(ctx.outputs.model!, { recursive: true });
    for (const [name, content] of Object.entries(mlflowModelFiles(final, { runId: parentRunId, artifactPath: 'model' }))) writeFileSync(join(ctx.outputs.model!, name), content);
    const metrics = evaluation.metrics;
    writeFileSync(ctx.outputs.metrics!, JSON.stringify({ accuracy: metrics.accuracy, f1_macro: metrics.f1_macro, trials: ctx.params.trials, train_rows: labels.length, data_version: Number(ctx.inputs.version) }));
  }),
  p.step({ name: 'gate', gate: { candidate: 'steps.train.outputs.metrics', metric: 'accuracy', model: DEMO.model, alias: 'champion', direction: 'max', minImprovement: -0.05, threshold: 0.6 } }),
  p.step({ name: 'register', register: { model: DEMO.model, from: 'steps.train.outputs.model', alias: 'challenger' }, after: ['gate'] }),
]);

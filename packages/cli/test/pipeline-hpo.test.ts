/**
 * Hyperparameter search as a pipeline fan-out (examples/pipelines/hpo.yaml): trials sampled with
 * @capstan/train, one step per trial (each its own MLflow run with params and score), the best
 * picked from the collected scores; an unchanged re-run is served from the cache.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapstan } from '@capstan/server';
import { CapstanClient, PipelinesClient } from '@capstan/client';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../examples/pipelines/hpo.yaml', import.meta.url));

let dir: string;
let server: Awaited<ReturnType<typeof startCapstan>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capstan-hpo-'));
  server = await startCapstan({ host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${dir}/c.db`, artifactsDestination: `${dir}/artifacts` });
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const run = () => promisify(execFile)(process.execPath, [BIN, 'pipeline', 'run', EXAMPLE, '-p', 'trials=5', '--json'], {
  env: { ...process.env, CAPSTAN_TRACKING_URI: server.url, MLFLOW_TRACKING_URI: '' }, timeout: 240_000,
});

describe('hyperparameter search as a pipeline fan-out', () => {
  it('runs one step per trial, logs each, and picks the best from the collected scores', async () => {
    await run();
    const pipelines = new PipelinesClient({ baseUrl: server.url });
    const [latest] = await pipelines.listRuns({ pipeline: 'hpo-fanout', maxResults: 1 });
    const done = await pipelines.getRun(latest!.runId);
    expect(done.status).toBe('SUCCEEDED');
    const trials = (done.steps ?? []).filter((s) => s.step === 'trial').sort((a, b) => (a.iteration ?? 0) - (b.iteration ?? 0));
    expect(trials.map((t) => t.iteration)).toEqual([0, 1, 2, 3, 4]);
    const scores = trials.map((t) => Number(t.values!.score));
    scores.forEach((s) => expect(s).toBeGreaterThan(0.5));
    const best = (done.steps ?? []).find((s) => s.step === 'best')!.values!.best as { trial: number; score: number; scores: number[] };
    expect(best.scores).toEqual(scores);
    expect(best.score).toBe(Math.max(...scores));
    expect(best.trial).toBe(scores.indexOf(Math.max(...scores)));
    const client = new CapstanClient({ baseUrl: server.url });
    for (const t of trials) {
      const tracked = await client.runs.get(t.trackingRunId!);
      expect(tracked.data.metrics?.find((m) => m.key === 'holdout_accuracy')?.value).toBeCloseTo(Number(t.values!.score), 12);
      expect(tracked.data.params?.some((p) => p.key === 'learningRate')).toBe(true);
    }
    await run();
    const [again] = await pipelines.listRuns({ pipeline: 'hpo-fanout', maxResults: 1 });
    const cached = await pipelines.getRun(again!.runId);
    expect((cached.steps ?? []).filter((s) => s.step === 'trial').every((s) => s.state === 'CACHED')).toBe(true);
  }, 300_000);
});

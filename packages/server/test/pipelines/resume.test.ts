import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openArtifactStore } from '../../src/adapters/artifacts/index.js';
import { InProcessExecutor } from '../../src/adapters/executors/in-process.js';
import { openSqlDatabase } from '../../src/adapters/sql/index.js';
import { SqlPipelineStore } from '../../src/adapters/sql/pipelines/store.js';
import { PipelineService } from '../../src/core/pipelines/service.js';
import type { Executor } from '../../src/ports/executor.js';
import { waitFor } from '../contract/executor.js';

const dir = mkdtempSync(join(tmpdir(), 'capstan-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a run whose coordinator went silent is taken over by another server and resumed without redoing finished steps', async () => {
  const db = `sqlite:///${join(dir, 'db.sqlite')}`;
  const first = await openSqlDatabase(db);
  const second = await openSqlDatabase(db);
  const artifacts = await openArtifactStore(join(dir, 'artifacts'));
  const real = new InProcessExecutor({ artifacts });
  const stuck: Executor = {
    capabilities: { name: 'stuck', distributed: false },
    run: (task, signal) => (task.node === 'b' ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })) : real.run(task, signal)),
    close: async () => {},
  };
  const dead = new PipelineService({ store: new SqlPipelineStore(first.driver), executor: stuck, heartbeatMs: 0 });
  let skew = 0;
  const alive = new PipelineService({ store: new SqlPipelineStore(second.driver), executor: real, heartbeatMs: 0, staleAfterMs: 60_000, now: () => Date.now() + skew });
  const marker = join(dir, 'a.count');
  await dead.putPipeline({
    name: 'resumable',
    steps: [
      { name: 'a', cache: false, outputs: { out: 'File' }, command: [process.execPath, '-e', `require('fs').appendFileSync(${JSON.stringify(marker)}, 'x'); require('fs').writeFileSync(process.env.CAPSTAN_OUTPUTS_OUT, 'A')`] },
      { name: 'b', cache: false, inputs: { a: 'steps.a.outputs.out' }, outputs: { out: 'File' }, command: 'cat {{inputs.a}} > {{outputs.out}}; echo B >> {{outputs.out}}' },
    ],
  });
  const run = await dead.startRun('resumable', {});
  await waitFor(async () => (await alive.getRun(run.runId)).steps?.some((s) => s.step === 'b' && s.state === 'RUNNING') ?? false);
  expect(await alive.tick()).toEqual([]);
  skew = 120_000;
  expect(await alive.tick()).toEqual([run.runId]);
  const done = await alive.waitForRun(run.runId);
  expect(done.status, done.error).toBe('SUCCEEDED');
  expect(readFileSync(marker, 'utf8')).toBe('x');
  const b = done.steps!.filter((s) => s.step === 'b').map((s) => [s.attempt, s.state]);
  expect(b).toEqual([[1, 'FAILED'], [2, 'COMPLETE']]);
  expect(done.steps!.find((s) => s.step === 'b' && s.state === 'FAILED')!.error).toMatch(/coordinator lost/);
  expect(await alive.tick()).toEqual([]);
  await dead.stop();
  expect((await alive.getRun(run.runId)).status).toBe('SUCCEEDED');
  expect(existsSync(marker)).toBe(true);
  await alive.stop();
  await artifacts.close();
  await first.metadata.close();
  await second.metadata.close();
}, 60_000);

it('a run canceled through another server stops on its coordinator at the next heartbeat', async () => {
  const db = `sqlite:///${join(dir, 'cancel.sqlite')}`;
  const first = await openSqlDatabase(db);
  const second = await openSqlDatabase(db);
  const artifacts = await openArtifactStore(join(dir, 'artifacts2'));
  const owner = new PipelineService({ store: new SqlPipelineStore(first.driver), executor: new InProcessExecutor({ artifacts }), heartbeatMs: 0 });
  const other = new PipelineService({ store: new SqlPipelineStore(second.driver), executor: new InProcessExecutor({ artifacts }), heartbeatMs: 0 });
  await owner.putPipeline({ name: 'long', steps: [{ name: 'sleep', command: 'sleep 30', cache: false }, { name: 'after', command: 'true', after: ['sleep'] }] });
  const run = await owner.startRun('long', {});
  await waitFor(async () => (await other.getRun(run.runId)).steps?.some((s) => s.state === 'RUNNING') ?? false);
  expect((await other.cancelRun(run.runId)).status).toBe('CANCELED');
  await owner.tick();
  const done = await owner.waitForRun(run.runId);
  expect(done.status).toBe('CANCELED');
  expect(Object.fromEntries(done.steps!.map((s) => [s.step, s.state]))).toEqual({ sleep: 'CANCELED', after: 'CANCELED' });
  await owner.stop();
  await other.stop();
  await artifacts.close();
  await first.metadata.close();
  await second.metadata.close();
}, 60_000);

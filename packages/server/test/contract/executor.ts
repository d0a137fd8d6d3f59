import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineSpecInput } from '@capstan/api';
import { openArtifactStore } from '../../src/adapters/artifacts/index.js';
import { openSqlDatabase } from '../../src/adapters/sql/index.js';
import { SqlPipelineStore } from '../../src/adapters/sql/pipelines/store.js';
import { EventBus } from '../../src/core/events/bus.js';
import { PipelineService } from '../../src/core/pipelines/service.js';
import { RegistryService } from '../../src/core/registry/service.js';
import { TrackingService } from '../../src/core/tracking/service.js';
import type { ArtifactStore } from '../../src/ports/artifact-store.js';
import type { Executor } from '../../src/ports/executor.js';
import { ArtifactStepLogs } from '../../src/adapters/executors/step-logs.js';

/** A pipeline service over a fresh SQLite file and artifact folder, with the executor under test. */
export interface Harness {
  service: PipelineService;
  store: SqlPipelineStore;
  tracking: TrackingService;
  registry: RegistryService;
  events: EventBus;
  artifacts: ArtifactStore;
  executor: Executor;
  dir: string;
  close(): Promise<void>;
}

/** Opens a harness; `makeExecutor` gets the shared artifact store. */
export async function openHarness(makeExecutor: (artifacts: ArtifactStore, dir: string) => Promise<Executor>, backend?: string): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-pl-'));
  const { driver, metadata } = await openSqlDatabase(backend ?? `sqlite:///${join(dir, 'db.sqlite')}`);
  const artifacts = await openArtifactStore(join(dir, 'artifacts'));
  const tracking = new TrackingService(metadata, { defaultArtifactRoot: 'mlflow-artifacts:/' });
  await tracking.init();
  const events = new EventBus();
  const registry = new RegistryService(metadata, { events });
  const executor = await makeExecutor(artifacts, dir);
  const store = new SqlPipelineStore(driver);
  const service = new PipelineService({ store, executor, logs: new ArtifactStepLogs(artifacts), tracking, registry, events, approvalPollMs: 100 });
  await service.start();
  return {
    service, store, tracking, registry, events, artifacts, executor, dir,
    async close() {
      await service.stop();
      await executor.close();
      await artifacts.close();
      await metadata.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const node = process.execPath;
let counter = 0;
const uniqueName = (p: string) => `${p}-${++counter}-${Math.random().toString(36).slice(2, 7)}`;

/** A command that appends a line to `log` then writes `text` to output `out`. */
function writeStep(log: string, name: string, text: string, extra: Partial<PipelineSpecInput['steps'][number]> = {}) {
  return {
    name,
    command: [node, '-e', `require('fs').appendFileSync(${JSON.stringify(log)}, ${JSON.stringify(name)} + '\\n'); require('fs').writeFileSync(process.env.CAPSTAN_OUTPUTS_OUT, ${JSON.stringify(text)})`],
    outputs: { out: 'File' as const },
    ...extra,
  };
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/**
 * The executor contract: every executor runs these the same way. `makeExecutor` builds the
 * executor under test over the harness's artifact store.
 */
export function describeExecutorContract(label: string, makeExecutor: (artifacts: ArtifactStore, dir: string) => Promise<Executor>): void {
  describe(`executor contract: ${label}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await openHarness(makeExecutor);
    }, 30_000);
    afterAll(async () => {
      await h?.close();
    });

    it('runs a diamond DAG, passes files by reference, and caches an unchanged re-run completely', async () => {
      const log = join(h.dir, `${uniqueName('diamond')}.log`);
      const name = uniqueName('diamond');
      const concat = (n: string) => ({
        name: n,
        inputs: { a: `steps.${n === 'join' ? 'left' : 'root'}.outputs.out`, ...(n === 'join' ? { b: 'steps.right.outputs.out' } : {}) },
        command: [node, '-e', `const fs=require('fs'); fs.appendFileSync(${JSON.stringify(log)}, '${n}\\n'); const a=fs.readFileSync(process.env.CAPSTAN_INPUTS_A,'utf8'); const b=process.env.CAPSTAN_INPUTS_B?fs.readFileSync(process.env.CAPSTAN_INPUTS_B,'utf8'):''; fs.writeFileSync(process.env.CAPSTAN_OUTPUTS_OUT, a + '+${n}' + (process.env.SUFFIX||'') + (b?'|'+b:''))`],
        outputs: { out: 'File' as const },
        params: n === 'right' ? ['suffix'] : [],
        env: n === 'right' ? { SUFFIX: '{{params.suffix}}' } : {},
      });
      await h.service.putPipeline({
        name, params: { seed: { type: 'string', default: 's1' }, suffix: { type: 'string', default: 'x' } },
        steps: [writeStep(log, 'root', 'R', { command: [node, '-e', `require('fs').appendFileSync(${JSON.stringify(log)}, 'root\\n'); require('fs').writeFileSync(process.env.CAPSTAN_OUTPUTS_OUT, 'R-{{params.seed}}')`] }), concat('left'), concat('right'), concat('join')],
      });
      const first = await h.service.startRun(name, {}, { wait: true });
      expect(first.status, first.error).toBe('SUCCEEDED');
      expect(lines(log).sort()).toEqual(['join', 'left', 'right', 'root']);
      const joinOut = first.steps!.find((s) => s.step === 'join')!.outputs![0]!.artifact;
      const bytes = await h.artifacts.get(joinOut.uri.replace('mlflow-artifacts:/', ''));
      const chunks: Buffer[] = [];
      for await (const c of bytes.stream) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('R-s1+left+join|R-s1+rightx');

      const second = await h.service.startRun(name, {}, { wait: true });
      expect(second.status).toBe('SUCCEEDED');
      expect(lines(log)).toHaveLength(4);
      expect(second.steps!.map((s) => s.state)).toEqual(['CACHED', 'CACHED', 'CACHED', 'CACHED']);
      expect(second.steps!.find((s) => s.step === 'join')!.outputs![0]!.artifact.id).toBe(joinOut.id);

      const third = await h.service.startRun(name, { suffix: 'y' }, { wait: true });
      expect(third.status).toBe('SUCCEEDED');
      expect(lines(log).slice(4).sort()).toEqual(['join', 'right']);
      const states = Object.fromEntries(third.steps!.map((s) => [s.step, s.state]));
      expect(states).toEqual({ root: 'CACHED', left: 'CACHED', right: 'COMPLETE', join: 'COMPLETE' });
    }, 60_000);

    it('retries a failing step with backoff and records every attempt', async () => {
      const name = uniqueName('retry');
      const marker = join(h.dir, `${name}.count`);
      await h.service.putPipeline({
        name,
        steps: [{
          name: 'flaky', cache: false, retry: { attempts: 3, backoffMs: 50, maxBackoffMs: 200 }, outputs: { n: 'number' },
          command: [node, '-e', `const fs=require('fs'); const p=${JSON.stringify(marker)}; const n=(fs.existsSync(p)?+fs.readFileSync(p,'utf8'):0)+1; fs.writeFileSync(p,String(n)); if(n<3){console.error('boom '+n); process.exit(3)} fs.writeFileSync(process.env.CAPSTAN_OUTPUTS_N, String(n))`],
        }],
      });
      const run = await h.service.startRun(name, {}, { wait: true });
      expect(run.status, run.error).toBe('SUCCEEDED');
      expect(run.steps!.map((s) => [s.attempt, s.state])).toEqual([[1, 'FAILED'], [2, 'FAILED'], [3, 'COMPLETE']]);
      expect(run.steps![0]!.error).toContain('boom 1');
      expect(run.steps![2]!.values).toEqual({ n: 3 });
    }, 60_000);

    it('keeps every attempt\'s output, stdout and stderr apart, readable while the step runs', async () => {
      const name = uniqueName('logs');
      const marker = join(h.dir, `${name}.count`);
      const gate = join(h.dir, `${name}.go`);
      await h.service.putPipeline({
        name,
        steps: [{
          name: 'talk', cache: false, retry: { attempts: 2, backoffMs: 20, maxBackoffMs: 20 },
          command: [node, '-e', `const fs=require('fs'); const p=${JSON.stringify(marker)}; const n=(fs.existsSync(p)?+fs.readFileSync(p,'utf8'):0)+1; fs.writeFileSync(p,String(n)); console.log('attempt ' + n + ' starts'); console.error('warning ' + n); if (n < 2) process.exit(4); process.stdout.write('waiting\\n'); const t=setInterval(()=>{ if (fs.existsSync(${JSON.stringify(gate)})) { clearInterval(t); console.log('héllo ✓ done'); } }, 20);`],
        }],
      });
      const started = await h.service.startRun(name, {});
      let live: Awaited<ReturnType<PipelineService['stepLogs']>> | undefined;
      for (let i = 0; i < 400 && !live; i++) {
        const page = await h.service.stepLogs(started.runId, 'talk').catch(() => undefined);
        if (page?.attempt === 2 && page.state === 'RUNNING' && page.lines.some((l) => l.l === 'waiting')) live = page;
        else await new Promise((r) => setTimeout(r, 50));
      }
      expect(live, 'the running attempt\'s lines are readable before it ends').toBeDefined();
      expect(live!.complete).toBe(false);
      writeFileSync(gate, '');
      const run = await h.service.waitForRun(started.runId);
      expect(run.status, run.error).toBe('SUCCEEDED');
      const first = await h.service.stepLogs(run.runId, 'talk', { attempt: 1 });
      expect(first).toMatchObject({ attempt: 1, attempts: [1, 2], state: 'FAILED', complete: true });
      expect(first.lines.map((l) => `${l.s}:${l.l}`).sort()).toEqual(['err:warning 1', 'out:attempt 1 starts']);
      const latest = await h.service.stepLogs(run.runId, 'talk');
      expect(latest.attempt).toBe(2);
      expect(latest.complete).toBe(true);
      expect(latest.lines.filter((l) => l.s === 'out').map((l) => l.l)).toEqual(['attempt 2 starts', 'waiting', 'héllo ✓ done']);
      expect(latest.lines.filter((l) => l.s === 'err').map((l) => l.l)).toEqual(['warning 2']);
      expect(latest.lines.every((l) => typeof l.t === 'number' && l.t >= started.createdAt)).toBe(true);
      const paged = await h.service.stepLogs(run.runId, 'talk', { offset: 1, limit: 2 });
      expect(paged.lines.map((l) => l.l)).toEqual(latest.lines.slice(1, 3).map((l) => l.l));
      expect([paged.next, paged.complete]).toEqual([3, false]);
      expect((await h.service.stepLogs(run.runId, 'talk', { offset: 99 })).lines).toEqual([]);
      await expect(h.service.stepLogs(run.runId, 'ghost')).rejects.toThrow(/no step 'ghost' \(steps: talk\)/);
      await expect(h.service.stepLogs(run.runId, 'talk', { attempt: 7 })).rejects.toThrow(/no attempt 7 \(attempts: 1, 2\)/);
      await expect(h.service.stepLogs('nope', 'talk')).rejects.toThrow(/not found/);
    }, 60_000);

    it('fails a run after the last attempt and cancels downstream steps', async () => {
      const name = uniqueName('fail');
      await h.service.putPipeline({
        name,
        steps: [
          { name: 'bad', command: 'echo broken >&2; exit 7', retry: { attempts: 2, backoffMs: 10, maxBackoffMs: 10 } },
          { name: 'after', command: 'true', after: ['bad'] },
        ],
      });
      const run = await h.service.startRun(name, {}, { wait: true });
      expect(run.status).toBe('FAILED');
      expect(run.error).toMatch(/step 'bad' failed after 2 attempt\(s\).*exited with 7.*broken/);
      expect(run.steps!.find((s) => s.step === 'after')!.state).toBe('CANCELED');
    }, 60_000);

    it('times out a step and stops its process', async () => {
      const name = uniqueName('timeout');
      const started = Date.now();
      await h.service.putPipeline({ name, steps: [{ name: 'slow', command: 'sleep 30', timeoutMs: 500, cache: false }] });
      const run = await h.service.startRun(name, {}, { wait: true });
      expect(run.status).toBe('FAILED');
      expect(run.steps![0]!.error).toContain('timed out after 500 ms');
      expect(Date.now() - started).toBeLessThan(25_000);
    }, 60_000);

    it('cancels a running run: running steps are stopped, pending ones canceled, the exit handler runs', async () => {
      const name = uniqueName('cancel');
      const exitLog = join(h.dir, `${name}.exit`);
      await h.service.putPipeline({
        name,
        steps: [{ name: 'long', command: 'sleep 30', cache: false }, { name: 'next', command: 'true', after: ['long'] }],
        onExit: { name: 'cleanup', command: [node, '-e', `require('fs').writeFileSync(${JSON.stringify(exitLog)}, '{{run.status}}')`], cache: false },
      });
      const run = await h.service.startRun(name, {});
      await waitFor(async () => (await h.service.getRun(run.runId)).steps?.some((s) => s.state === 'RUNNING') ?? false);
      const canceled = await h.service.cancelRun(run.runId);
      expect(canceled.status).toBe('CANCELED');
      const states = Object.fromEntries(canceled.steps!.map((s) => [s.step, s.state]));
      expect(states).toMatchObject({ long: 'CANCELED', next: 'CANCELED', cleanup: 'COMPLETE' });
      expect(readFileSync(exitLog, 'utf8')).toBe('CANCELED');
    }, 60_000);

    it('fans out over a list with ParallelFor and collects the results; conditions skip branches', async () => {
      const name = uniqueName('fanout');
      await h.service.putPipeline({
        name, params: { lrs: { type: 'json', default: [0.1, 0.2, 0.3] } },
        steps: [
          { name: 'train', forEach: 'params.lrs', parallelism: 2, outputs: { score: 'number' }, command: [node, '-e', 'require("fs").writeFileSync(process.env.CAPSTAN_OUTPUTS_SCORE, String({{item}} * 10))'] },
          { name: 'best', inputs: { scores: 'steps.train.outputs.score' }, outputs: { best: 'number' }, command: [node, '-e', 'require("fs").writeFileSync(process.env.CAPSTAN_OUTPUTS_BEST, String(Math.max(...JSON.parse(process.env.CAPSTAN_INPUTS_SCORES))))'] },
          { name: 'deploy', when: 'steps.best.outputs.best >= 2.5', command: 'true', after: ['best'] },
          { name: 'never', when: 'steps.best.outputs.best > 100', command: 'true' },
          { name: 'afterNever', command: 'true', after: ['never'] },
        ],
      });
      const run = await h.service.startRun(name, {}, { wait: true });
      expect(run.status, run.error).toBe('SUCCEEDED');
      expect(run.steps!.filter((s) => s.step === 'train').map((s) => s.node).sort()).toEqual(['train[0]', 'train[1]', 'train[2]']);
      expect(run.steps!.find((s) => s.step === 'best')!.values).toEqual({ best: 3 });
      const states = Object.fromEntries(run.steps!.map((s) => [s.step, s.state]));
      expect(states).toMatchObject({ deploy: 'COMPLETE', never: 'SKIPPED', afterNever: 'SKIPPED' });
    }, 60_000);

    it('waits for an approval, rejects on timeout, and records who decided', async () => {
      const name = uniqueName('approval');
      await h.service.putPipeline({
        name,
        steps: [{ name: 'ok', approval: { timeoutMs: 60_000 } }, { name: 'then', command: 'true', after: ['ok'] }],
      });
      const run = await h.service.startRun(name, {});
      await waitFor(async () => (await h.service.listApprovals({ runId: run.runId, state: 'PENDING' })).length === 1);
      await h.service.decide(run.runId, 'ok', 'APPROVED', 'alice', 'looks good');
      const done = await h.service.waitForRun(run.runId);
      expect(done.status).toBe('SUCCEEDED');
      const [approval] = await h.service.listApprovals({ runId: run.runId });
      expect(approval).toMatchObject({ state: 'APPROVED', decidedBy: 'alice', comment: 'looks good' });
      expect(approval!.decidedAt).toBeGreaterThan(0);
      await expect(h.service.decide(run.runId, 'ok', 'REJECTED', 'bob')).rejects.toThrow(/already approved by alice/);

      const timeoutName = uniqueName('approval-timeout');
      await h.service.putPipeline({ name: timeoutName, steps: [{ name: 'gate', approval: { timeoutMs: 300 } }, { name: 'deploy', command: 'true', after: ['gate'] }] });
      const timedOut = await h.service.startRun(timeoutName, {}, { wait: true });
      expect(timedOut.status).toBe('FAILED');
      expect(timedOut.error).toContain("approval 'gate' rejected by system:timeout");
      expect(timedOut.steps!.find((s) => s.step === 'deploy')!.state).toBe('CANCELED');
    }, 60_000);

    it('runs an attempt submitted twice at once only once (duplicate delivery)', async () => {
      const marker = join(h.dir, `${uniqueName('twice')}.log`);
      const task = {
        key: `${uniqueName('run')}:twice:1`, runId: 'r', node: 'twice', attempt: 1, kind: 'command' as const, env: {}, params: {}, inputs: {}, outputs: { out: 'File' },
        argv: [node, '-e', `require('fs').appendFileSync(${JSON.stringify(marker)}, 'x'); setTimeout(() => require('fs').writeFileSync(process.env.CAPSTAN_OUTPUTS_OUT, 'once'), 300)`],
        outputPrefix: `pipelines/${uniqueName('dup')}/twice/1`,
      };
      const signal = new AbortController().signal;
      const [a, b] = await Promise.all([h.executor.run(task, signal), h.executor.run(task, signal)]);
      expect(a.artifacts).toEqual(b.artifacts);
      expect(a.artifacts[0]).toMatchObject({ name: 'out', type: 'File', size: 4 });
      expect(readFileSync(marker, 'utf8')).toBe('x');
    }, 60_000);

    it('registers outputs exactly once when the same attempt is delivered twice', async () => {
      const name = uniqueName('dup');
      await h.service.putPipeline({ name, steps: [writeStep(join(h.dir, `${name}.log`), 'one', 'x', { cache: false })] });
      const run = await h.service.startRun(name, {}, { wait: true });
      const ex = run.steps![0]!;
      const again = await h.store.completeExecution(ex.id, { inputs: [], outputs: [{ name: 'out', artifact: { type: 'File', uri: 'mlflow-artifacts:/dup', name: 'dup', digest: 'sha256:0' } }], values: {}, endedAt: Date.now() });
      expect(again).toBeNull();
      expect((await h.store.findArtifact({ uri: 'mlflow-artifacts:/dup' }))).toBeNull();
      expect((await h.service.getRun(run.runId)).steps![0]!.outputs).toHaveLength(1);
    }, 60_000);
  });
}

/** Polls `check` every 50 ms for up to `ms`. */
export async function waitFor(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached in time');
}

export { writeFileSync };

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullMqExecutor } from '../../src/adapters/executors/bullmq.js';
import { describeExecutorContract, openHarness, waitFor, type Harness } from '../contract/executor.js';

/** The Redis the tests use; `CAPSTAN_TEST_REDIS` overrides it. */
const REDIS = process.env.CAPSTAN_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const BIN = fileURLToPath(new URL('../../../cli/dist/bin.js', import.meta.url));

async function redisReason(): Promise<string | null> {
  const r = new Redis(REDIS, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    r.disconnect();
  }
}

const reason = !existsSync(BIN) ? `the CLI is not built (${BIN}); run npx tsc -b packages/cli` : await redisReason();
if (reason) console.warn(`Skipping BullMQ executor tests: ${reason}`);
const describeRedis = reason ? describe.skip : describe;

/** Starts `capstan worker` processes with short locks, so a killed worker's step is re-run within seconds. */
function startWorkers(count: number, queue: string, artifacts: string): ChildProcess[] {
  return Array.from({ length: count }, () => {
    const child = spawn(process.execPath, [BIN, 'worker', '--redis', REDIS, '--queue', queue, '--artifacts-destination', artifacts, '--concurrency', '4', '--lock-duration', '2000', '--stalled-interval', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.resume();
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[worker ${child.pid}] ${d}`));
    return child;
  });
}

async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
    if (w.exitCode !== null || w.signalCode !== null) return resolve();
    w.once('exit', () => resolve());
    w.kill('SIGTERM');
    setTimeout(() => w.kill('SIGKILL'), 5000).unref();
  })));
}

const queueName = () => `capstan-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

describeRedis('BullMQ executor', () => {
  describeExecutorContract('bullmq + 2 capstan worker processes', async (_artifacts, dir) => {
    const queue = queueName();
    const workers = startWorkers(2, queue, join(dir, 'artifacts'));
    const executor = new BullMqExecutor({ redisUrl: REDIS, queue });
    return {
      capabilities: executor.capabilities,
      run: (task, signal) => executor.run(task, signal),
      async close() {
        await stopWorkers(workers);
        await executor.close();
      },
    };
  });

  describe('a worker killed with SIGKILL mid-step', () => {
    let h: Harness;
    let workers: ChildProcess[] = [];
    beforeAll(async () => {
      h = await openHarness(async (_a, dir) => {
        const queue = queueName();
        workers = startWorkers(2, queue, join(dir, 'artifacts'));
        return new BullMqExecutor({ redisUrl: REDIS, queue });
      });
    }, 30_000);
    afterAll(async () => {
      await stopWorkers(workers);
      await h?.close();
    });

    it('re-runs the step on another worker and registers its outputs exactly once', async () => {
      const marker = join(h.dir, 'starts.log');
      await h.service.putPipeline({
        name: 'kill9',
        steps: [{
          name: 'slow', cache: false, outputs: { model: 'Model' },
          command: [process.execPath, '-e', `const fs=require('fs'); fs.appendFileSync(${JSON.stringify(marker)}, process.ppid + '\\n'); setTimeout(() => fs.writeFileSync(process.env.CAPSTAN_OUTPUTS_MODEL, 'weights'), 2500)`],
        }],
      });
      const started = Date.now();
      const run = await h.service.startRun('kill9', {});
      await waitFor(async () => existsSync(marker) && readFileSync(marker, 'utf8').trim().length > 0);
      const victim = Number(readFileSync(marker, 'utf8').trim().split('\n')[0]);
      const worker = workers.find((w) => w.pid === victim);
      expect(worker, `step ran in pid ${victim}, not in a worker`).toBeDefined();
      worker!.kill('SIGKILL');
      const done = await h.service.waitForRun(run.runId);
      const elapsed = Date.now() - started;
      expect(done.status, done.error).toBe('SUCCEEDED');
      const starts = readFileSync(marker, 'utf8').trim().split('\n').map(Number);
      expect(starts).toHaveLength(2);
      expect(starts[1]).not.toBe(victim);
      const executions = done.steps!.filter((s) => s.step === 'slow');
      expect(executions).toHaveLength(1);
      expect(executions[0]).toMatchObject({ state: 'COMPLETE', attempt: 1 });
      expect(executions[0]!.outputs).toHaveLength(1);
      const lineage = await h.store.lineage(executions[0]!.outputs![0]!.artifact.id, 'upstream');
      expect(lineage.executions.map((e) => e.id)).toEqual([executions[0]!.id]);
      expect(lineage.events.filter((e) => e.type === 'OUTPUT')).toHaveLength(1);
      console.log(`kill -9 recovery: run finished ${elapsed} ms after start (2.5 s step, 2 s lock)`);
      expect(elapsed).toBeLessThan(60_000);
    }, 90_000);
  });
});

// Pipeline scheduling overhead: node bench/pipelines.mjs [--steps 1000] [--fanout 100] [--bullmq redis://127.0.0.1:6379]
// Needs a build (npx tsc -b packages/cli). Measures, side by side in one process:
//   raw     spawning the same no-op step process N times directly (the physical limit);
//   chain   a pipeline of N no-op steps, each after the previous (cache off);
//   fanout  one ParallelFor step over a list of M items (cache off);
//   cached  the chain again with caching on, after a first run (every step a cache hit);
// and, with --bullmq, the chain and the fan-out on BullMQ with 4 `capstan worker` processes, plus
// a CPU-bound fan-out on 1 vs 4 workers for the speed-up.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const server = (p) => import(join(root, 'packages/server/dist', p));
const { values: args } = parseArgs({ options: { steps: { type: 'string', default: '1000' }, fanout: { type: 'string', default: '100' }, bullmq: { type: 'string' }, cpu: { type: 'string', default: '8' } } });
const STEPS = Number(args.steps);
const FANOUT = Number(args.fanout);

const { openSqlDatabase } = await server('adapters/sql/index.js');
const { openArtifactStore } = await server('adapters/artifacts/index.js');
const { SqlPipelineStore } = await server('adapters/sql/pipelines/store.js');
const { PipelineService } = await server('core/pipelines/service.js');
const { TrackingService } = await server('core/tracking/service.js');
const { InProcessExecutor } = await server('adapters/executors/in-process.js');
const { BullMqExecutor } = await server('adapters/executors/bullmq.js');

const NOOP = ['/bin/true'];

async function harness(makeExecutor) {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-bench-pl-'));
  const { driver, metadata } = await openSqlDatabase(`sqlite:///${join(dir, 'db.sqlite')}`);
  const artifacts = await openArtifactStore(join(dir, 'artifacts'));
  const tracking = new TrackingService(metadata, { defaultArtifactRoot: 'mlflow-artifacts:/' });
  await tracking.init();
  const executor = await makeExecutor(artifacts, dir);
  const service = new PipelineService({ store: new SqlPipelineStore(driver), executor, tracking, defaultParallelism: 8 });
  return { service, dir, async close() { await service.stop(); await executor.close(); await artifacts.close(); await metadata.close(); rmSync(dir, { recursive: true, force: true }); } };
}

async function raw(n, parallel) {
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < n) {
      next++;
      await new Promise((resolve) => spawn(NOOP[0], { stdio: 'ignore' }).on('close', resolve));
    }
  }));
  return performance.now() - started;
}

async function timed(h, spec, params = {}) {
  await h.service.putPipeline(spec);
  const started = performance.now();
  const run = await h.service.startRun(spec.name, params, { wait: true });
  if (run.status !== 'SUCCEEDED') throw new Error(`${spec.name}: ${run.error}`);
  return performance.now() - started;
}

const chain = (name, cache) => ({ name, steps: Array.from({ length: STEPS }, (_, i) => ({ name: `s${i}`, command: NOOP, cache, ...(i ? { after: [`s${i - 1}`] } : {}) })) });
const fanout = (name, command = NOOP) => ({ name, params: { items: { type: 'json', default: Array.from({ length: FANOUT }, (_, i) => i) } }, parallelism: 100, steps: [{ name: 'f', forEach: 'params.items', command, cache: false, parallelism: 100 }] });

const rows = [];
const row = (scenario, ms, n, baseline) => rows.push({ scenario, total_ms: Math.round(ms), per_step_ms: +(ms / n).toFixed(2), overhead_per_step_ms: baseline === undefined ? '' : +((ms - baseline) / n).toFixed(2) });

const rawChain = await raw(STEPS, 1);
row(`raw: ${STEPS} sequential spawns of ${NOOP[0]}`, rawChain, STEPS);
const rawFan = await raw(FANOUT, 8);
row(`raw: ${FANOUT} spawns, 8 at a time`, rawFan, FANOUT);

const inproc = await harness(async (artifacts) => new InProcessExecutor({ artifacts, concurrency: 8 }));
row(`in-process: chain of ${STEPS} no-op steps`, await timed(inproc, chain('chain', false)), STEPS, rawChain);
row(`in-process: ParallelFor over ${FANOUT}`, await timed(inproc, fanout('fan')), FANOUT, rawFan);
await timed(inproc, chain('cached', true));
row(`in-process: chain of ${STEPS}, all cache hits`, await timed(inproc, chain('cached', true)), STEPS, 0);
await inproc.close();

if (args.bullmq) {
  const BIN = join(root, 'packages/cli/dist/bin.js');
  const withWorkers = async (count, fn) => {
    const queue = `capstan-bench-${process.pid}-${count}`;
    let workers = [];
    const h = await harness(async (_a, dir) => {
      workers = Array.from({ length: count }, () => spawn(process.execPath, [BIN, 'worker', '--redis', args.bullmq, '--queue', queue, '--artifacts-destination', join(dir, 'artifacts'), '--concurrency', '2'], { stdio: 'ignore' }));
      return new BullMqExecutor({ redisUrl: args.bullmq, queue });
    });
    await new Promise((r) => setTimeout(r, 1500));
    try {
      return await fn(h);
    } finally {
      for (const w of workers) w.kill('SIGTERM');
      await h.close();
    }
  };
  await withWorkers(4, async (h) => {
    row(`bullmq, 4 workers: chain of ${STEPS} no-op steps`, await timed(h, chain('chain', false)), STEPS, rawChain);
    row(`bullmq, 4 workers: ParallelFor over ${FANOUT}`, await timed(h, fanout('fan')), FANOUT, rawFan);
  });
  const busy = [process.execPath, '-e', 'let x=0; for (let i=0;i<3e8;i++) x+=i; console.log(x)'];
  const CPU = Number(args.cpu);
  const cpuSpec = { ...fanout('cpu', busy), params: { items: { type: 'json', default: Array.from({ length: CPU }, (_, i) => i) } } };
  const one = await withWorkers(1, (h) => timed(h, { ...cpuSpec, steps: [{ ...cpuSpec.steps[0], parallelism: 1 }] }));
  const four = await withWorkers(4, (h) => timed(h, cpuSpec));
  row(`bullmq, 1 worker (1 step at a time): ${CPU} CPU-bound steps`, one, CPU);
  row(`bullmq, 4 workers: ${CPU} CPU-bound steps (speed-up ${(one / four).toFixed(2)}x)`, four, CPU);
}

console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} CPUs, load ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.table(rows);
process.exit(0);

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { CapstanError, invalidParameter } from '@capstan/api';
import type { LoadedModel, ModelRuntime } from '../../ports/model-runtime.js';
import { allocate, elementCount, type Tensor, type TensorSpec, type TensorType } from '../../core/serving/tensors.js';

/**
 * The worker's code, kept as a string so it runs the same from sources (tests) and from the
 * build. One InferenceSession per worker, one intra-op thread, spinning off: the workers scale
 * with their count and never steal the HTTP thread's core while idle.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
let session;
let fetches;
const dims = (shape) => (shape || []).map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
parentPort.on('message', async (msg) => {
  if (msg.type === 'load') {
    try {
      session = await ort.InferenceSession.create(msg.bytes, {
        executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1,
        graphOptimizationLevel: 'all', extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
      });
      const outs = session.outputMetadata.filter((m) => m.isTensor);
      fetches = outs.map((m) => m.name);
      parentPort.postMessage({ type: 'loaded',
        inputs: session.inputMetadata.map((m) => ({ name: m.name, type: m.isTensor ? m.type : 'unsupported', shape: dims(m.shape) })),
        outputs: outs.map((m) => ({ name: m.name, type: m.type, shape: dims(m.shape) })),
        skipped: session.outputMetadata.filter((m) => !m.isTensor).map((m) => m.name) });
    } catch (error) {
      parentPort.postMessage({ type: 'error', message: String(error && error.message || error) });
    }
    return;
  }
  try {
    const feeds = {};
    for (const [name, t] of Object.entries(msg.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    const out = await session.run(feeds, fetches);
    const result = {};
    const transfer = [];
    for (const [name, t] of Object.entries(out)) {
      result[name] = { type: t.type, dims: Array.from(t.dims, Number), data: t.data };
      if (t.data && t.data.buffer) transfer.push(t.data.buffer);
    }
    parentPort.postMessage({ id: msg.id, outputs: result }, transfer);
  } catch (error) {
    parentPort.postMessage({ id: msg.id, error: String(error && error.message || error) });
  }
});
`;

interface Job {
  resolve: (out: Record<string, Tensor>) => void;
  reject: (error: unknown) => void;
}

class OnnxWorker {
  readonly worker: Worker;
  readonly jobs = new Map<number, Job>();
  private nextId = 0;

  constructor(ortPath: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath } });
    this.worker.unref();
    this.worker.on('message', (msg: { id?: number; outputs?: Record<string, Tensor>; error?: string }) => {
      if (msg.id === undefined) return;
      const job = this.jobs.get(msg.id);
      if (!job) return;
      this.jobs.delete(msg.id);
      if (msg.error !== undefined) job.reject(new CapstanError('INTERNAL_ERROR', `The model failed: ${msg.error}`));
      else job.resolve(msg.outputs!);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`model worker exited with code ${code}`)));
  }

  load(bytes: Uint8Array): Promise<{ inputs: TensorSpec[]; outputs: TensorSpec[]; skipped: string[] }> {
    return new Promise((resolve, reject) => {
      const onMessage = (msg: { type?: string; message?: string; inputs?: TensorSpec[]; outputs?: TensorSpec[]; skipped?: string[] }) => {
        if (msg.type === 'loaded') {
          this.worker.off('message', onMessage);
          resolve({ inputs: msg.inputs!, outputs: msg.outputs!, skipped: msg.skipped ?? [] });
        } else if (msg.type === 'error') {
          this.worker.off('message', onMessage);
          reject(invalidParameter(`The model file is not a valid ONNX model for onnxruntime: ${msg.message}`));
        }
      };
      this.worker.on('message', onMessage);
      this.worker.postMessage({ type: 'load', bytes });
    });
  }

  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.jobs.set(id, { resolve, reject });
      this.worker.postMessage({ id, feeds });
    });
  }

  private failAll(error: unknown): void {
    for (const job of this.jobs.values()) job.reject(error);
    this.jobs.clear();
  }
}

const SUPPORTED = new Set<TensorType>(['float32', 'float64', 'float16', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool', 'string']);

/** Calls faster than this (median of a probe, µs) run inline under `auto`: a worker hop costs more. */
export const INLINE_MAX_MICROS = 40;

const SESSION_OPTIONS = {
  executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
} as const;

type Ort = typeof import('onnxruntime-node');
type OrtSession = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

const dimsOf = (shape: readonly unknown[] | undefined): number[] => (shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : -1));

function checkSpecs(label: string, inputs: TensorSpec[], outputs: TensorSpec[], skipped: string[]): void {
  const bad = inputs.find((i) => !SUPPORTED.has(i.type));
  if (bad) throw invalidParameter(`${label}: input '${bad.name}' is not a tensor (type ${bad.type}); Capstan serves models whose inputs are tensors.`);
  if (outputs.length === 0) throw invalidParameter(`${label}: the model has no tensor outputs (only ${skipped.join(', ')}); re-export classifiers without ZipMap (skl2onnx options={'zipmap': False}).`);
}

/**
 * ONNX models through onnxruntime-node. By default (`auto`) a model whose probe call takes under
 * {@link INLINE_MAX_MICROS} runs inline on the HTTP thread (a worker round trip would cost more
 * than the call); any other runs in its own worker threads (see `WORKER_SOURCE`), so a slow
 * model never blocks the event loop.
 */
export class OnnxRuntime implements ModelRuntime {
  private readonly ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  private readonly live = new Set<OnnxWorker>();
  private readonly sessions = new Set<OrtSession>();

  async load(bytes: Uint8Array, options: { label: string; workers: number; execution: 'auto' | 'workers' | 'inline' }): Promise<LoadedModel> {
    if (options.execution !== 'workers') {
      const inline = await this.loadInline(bytes, options.label, options.execution === 'inline');
      if (inline) return inline;
    }
    const workers = Array.from({ length: Math.max(1, options.workers) }, () => new OnnxWorker(this.ortPath));
    workers.forEach((w) => this.live.add(w));
    const release = async () => {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      workers.forEach((w) => this.live.delete(w));
    };
    try {
      const metas = await Promise.all(workers.map((w) => w.load(bytes.slice())));
      const { inputs, outputs } = metas[0]!;
      checkSpecs(options.label, inputs, outputs, metas[0]!.skipped);
      let turn = 0;
      return {
        inputs, outputs, slots: workers.length, execution: 'workers',
        run(feeds) {
          let best = workers[turn++ % workers.length]!;
          for (const w of workers) if (w.jobs.size < best.jobs.size) best = w;
          return best.run(feeds);
        },
        release,
      };
    } catch (error) {
      await release();
      throw error;
    }
  }

  /** A model on this thread when forced or when a probe shows it is fast; null to use workers. */
  private async loadInline(bytes: Uint8Array, label: string, forced: boolean): Promise<LoadedModel | null> {
    const ort = (await import('onnxruntime-node')) as Ort;
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(bytes.slice(), SESSION_OPTIONS as never);
    } catch (error) {
      throw invalidParameter(`The model file is not a valid ONNX model for onnxruntime: ${(error as Error).message}`);
    }
    const meta = (m: { name: string; isTensor: boolean; type?: unknown; shape?: readonly unknown[] }) => ({ name: m.name, type: (m.isTensor ? String(m.type) : 'unsupported') as TensorType, shape: dimsOf(m.shape) });
    const inputs = session.inputMetadata.map(meta);
    const outputs = session.outputMetadata.filter((m) => m.isTensor).map(meta);
    const fetches = outputs.map((o) => o.name);
    const release = async () => {
      this.sessions.delete(session);
      await session.release();
    };
    try {
      checkSpecs(label, inputs, outputs, session.outputMetadata.filter((m) => !m.isTensor).map((m) => m.name));
    } catch (error) {
      await release();
      throw error;
    }
    const run = async (feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> => {
      const ortFeeds: Record<string, InstanceType<Ort['Tensor']>> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type as never, t.data as never, t.dims);
      let out;
      try {
        out = await session.run(ortFeeds, fetches);
      } catch (error) {
        throw new CapstanError('INTERNAL_ERROR', `The model failed: ${(error as Error).message}`);
      }
      const result: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(out)) result[name] = { type: t.type as TensorType, dims: Array.from(t.dims, Number), data: t.data as Tensor['data'] };
      return result;
    };
    if (!forced && !(await fastEnough(run, inputs))) {
      await release();
      return null;
    }
    this.sessions.add(session);
    return { inputs, outputs, slots: 1, execution: 'inline', run, release };
  }

  async close(): Promise<void> {
    await Promise.all([...this.live].map((w) => w.worker.terminate()));
    this.live.clear();
    await Promise.all([...this.sessions].map((s) => s.release()));
    this.sessions.clear();
  }
}

/** Runs a one-row call of zeros (empty strings) 10 times to warm up, then 30 timed; true when their median is under the bound. */
async function fastEnough(run: (feeds: Record<string, Tensor>) => Promise<Record<string, Tensor>>, inputs: TensorSpec[]): Promise<boolean> {
  const feeds: Record<string, Tensor> = {};
  for (const spec of inputs) {
    const dims = spec.shape.map((d) => (d < 0 ? 1 : d));
    feeds[spec.name] = { type: spec.type, dims, data: allocate(spec.type, elementCount(dims)) };
  }
  const times: number[] = [];
  try {
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      await run(feeds);
      if (i >= 10) times.push((performance.now() - t0) * 1000);
    }
  } catch {
    return false;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]! < INLINE_MAX_MICROS;
}

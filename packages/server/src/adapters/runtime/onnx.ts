import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { CapstanError, invalidParameter } from '@capstan/api';
import type { LoadedModel, ModelRuntime } from '../../ports/model-runtime.js';
import type { Tensor, TensorSpec, TensorType } from '../../core/serving/tensors.js';

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

/** ONNX models through onnxruntime-node, each in its own worker threads (see `WORKER_SOURCE`). */
export class OnnxRuntime implements ModelRuntime {
  private readonly ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  private readonly live = new Set<OnnxWorker>();

  async load(bytes: Uint8Array, options: { label: string; workers: number }): Promise<LoadedModel> {
    const workers = Array.from({ length: Math.max(1, options.workers) }, () => new OnnxWorker(this.ortPath));
    workers.forEach((w) => this.live.add(w));
    const release = async () => {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      workers.forEach((w) => this.live.delete(w));
    };
    try {
      const metas = await Promise.all(workers.map((w) => w.load(bytes.slice())));
      const { inputs, outputs } = metas[0]!;
      const bad = inputs.find((i) => !SUPPORTED.has(i.type));
      if (bad) throw invalidParameter(`${options.label}: input '${bad.name}' is not a tensor (type ${bad.type}); Capstan serves models whose inputs are tensors.`);
      if (outputs.length === 0) throw invalidParameter(`${options.label}: the model has no tensor outputs (only ${metas[0]!.skipped.join(', ')}); re-export classifiers without ZipMap (skl2onnx options={'zipmap': False}).`);
      let turn = 0;
      return {
        inputs, outputs, slots: workers.length,
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

  async close(): Promise<void> {
    await Promise.all([...this.live].map((w) => w.worker.terminate()));
    this.live.clear();
  }
}

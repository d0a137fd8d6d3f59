/**
 * `computeDrift` on two cores: one worker thread takes part of the numeric columns (their typed
 * arrays copy cheaply), this thread the rest and every categorical column (strings do not), and
 * the per-column results are assembled into one report exactly as `computeDrift` would. Any
 * failure of the split falls back to `computeDrift` on this thread, so errors are the same
 * (unless the columns were transferred to the worker: then the worker's error is raised).
 */
import { Worker } from 'node:worker_threads';
import { CapstanError } from '@capstan/api';
import { computeDrift } from '../../core/monitoring/drift/index.js';
import { assembleDriftReport } from '../../core/monitoring/drift/report.js';
import type { Column, ColumnDrift, DriftOptions, DriftReport } from '../../core/monitoring/drift/types.js';

/** Rows (reference + current) below which one thread is faster than sending columns to another. */
export const PARALLEL_MIN_ROWS = 200_000;

/** Relative cost of a categorical column against a numeric one (counting strings in a Map). */
const CATEGORICAL_COST = 1.6;

/** A drift worker thread, started ahead of time so its start-up overlaps reading the files. */
export class DriftWorker {
  private readonly worker: Worker;
  private next = 0;
  /** Columns this worker has scored (to see that work really went to the other thread). */
  columnsComputed = 0;

  constructor() {
    this.worker = new Worker(new URL('./worker.js', import.meta.url));
    this.worker.unref();
  }

  /**
   * `computeDrift` in the worker. With `transfer`, the numeric columns' buffers move to the worker
   * instead of being copied: they are unusable here afterwards.
   */
  compute(reference: Column[], current: Column[], options: DriftOptions, transfer = false): Promise<DriftReport> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      const onMessage = (m: { id: number; report?: DriftReport; error?: { message: string; code: string | null } }) => {
        if (m.id !== id) return;
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        if (m.report) {
          this.columnsComputed += Object.keys(m.report.columns).length;
          resolve(m.report);
        }
        else reject(m.error?.code ? new CapstanError(m.error.code as never, m.error.message) : new Error(m.error?.message ?? 'drift worker failed'));
      };
      const onError = (e: Error) => {
        this.worker.off('message', onMessage);
        reject(e);
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', onError);
      const buffers = transfer ? [...reference, ...current].flatMap((c) => (c.values instanceof Float64Array ? [c.values.buffer] : [])) : [];
      this.worker.postMessage({ id, reference, current, options }, [...new Set(buffers)] as ArrayBuffer[]);
    });
  }

  /** Stops the thread. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * The same report as `computeDrift(reference, current, options)`, computed on this thread and
 * `worker`. Small inputs, inputs with fewer than four numeric columns in both datasets, and any
 * failure of the split run on this thread alone.
 */
export async function computeDriftParallel(reference: Column[], current: Column[], options: DriftOptions, worker: DriftWorker, { transfer = false }: { transfer?: boolean } = {}): Promise<DriftReport> {
  const curByName = new Map(current.map((c) => [c.name, c]));
  const rows = (reference[0]?.values.length ?? 0) + (current[0]?.values.length ?? 0);
  const wanted = options.columns ? new Set(options.columns) : null;
  const numeric = reference.filter((c) => c.values instanceof Float64Array && curByName.get(c.name)?.values instanceof Float64Array && (!wanted || wanted.has(c.name)) && !options.perColumn?.[c.name]);
  if (rows < PARALLEL_MIN_ROWS || numeric.length < 4) return computeDrift(reference, current, options);
  const categorical = reference.filter((c) => !(c.values instanceof Float64Array)).length;
  const share = Math.min(numeric.length, Math.round((numeric.length + CATEGORICAL_COST * categorical) / 2));
  const away = new Set(numeric.slice(0, share).map((c) => c.name));
  const pick = (columns: Column[], inWorker: boolean) => columns.filter((c) => away.has(c.name) === inWorker);
  const { columns: listed, perColumn: _perColumn, ...rest } = options;
  try {
    const [there, here] = await Promise.all([
      worker.compute(pick(reference, true), pick(current, true), { ...rest, columns: [...away] }, transfer),
      Promise.resolve().then(() => computeDrift(pick(reference, false), pick(current, false), { ...options, ...(listed ? { columns: listed.filter((n) => !away.has(n)) } : {}) })),
    ]);
    const order = listed ? [...new Set(listed)] : reference.map((c) => c.name);
    const columns: Record<string, ColumnDrift> = {};
    for (const name of order) {
      const c = here.columns[name] ?? there.columns[name];
      if (c) columns[name] = c;
    }
    return assembleDriftReport(columns, { ...(here.skipped_columns ?? {}), ...(there.skipped_columns ?? {}) }, options.driftShare, 'datasets');
  } catch (error) {
    if (transfer) throw error;
    return computeDrift(reference, current, options);
  }
}

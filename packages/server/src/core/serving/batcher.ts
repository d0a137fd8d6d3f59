import { allocate, elementCount, type Tensor, type TensorData, type TensorSpec } from './tensors.js';

/** Runs one model call; the batcher never calls it concurrently more than `slots` times. */
export type RunFeeds = (feeds: Record<string, Tensor>) => Promise<Record<string, Tensor>>;

/** Options of {@link AdaptiveBatcher}. */
export interface BatcherOptions {
  /** Most rows merged into one call. */
  maxBatchRows: number;
  /** Calls in flight at once (the runtime's worker count). */
  slots: number;
  /** Merge requests at all (false for models whose batch dimension is fixed). */
  batchable: boolean;
}

interface Pending {
  feeds: Record<string, Tensor>;
  rows: number;
  key: string;
  resolve: (out: Record<string, Tensor>) => void;
  reject: (error: unknown) => void;
}

/** Observed batch sizes, for metrics. */
export type BatchObserver = (requests: number, rows: number) => void;

/**
 * Greedy adaptive batching: a request starts at once when a slot is free (no added wait when
 * idle); requests arriving while every slot is busy queue up and the next free slot takes all
 * compatible queued requests (same inputs, same non-batch dimensions) in one call, up to
 * `maxBatchRows`. Outputs are split back per request along the first dimension.
 */
export class AdaptiveBatcher {
  private readonly queue: Pending[] = [];
  private busy = 0;

  constructor(private readonly run: RunFeeds, private readonly options: BatcherOptions, private readonly observe: BatchObserver = () => undefined) {}

  /** Requests queued, not yet running. */
  get queued(): number {
    return this.queue.length;
  }

  /** Calls in flight. */
  get inFlight(): number {
    return this.busy;
  }

  /** Runs `feeds` (alone or merged with others) and resolves with this request's outputs. */
  submit(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    return new Promise((resolve, reject) => {
      const first = Object.values(feeds)[0];
      const rows = first?.dims[0] ?? 1;
      this.queue.push({ feeds, rows, key: mergeKey(feeds), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.busy < this.options.slots && this.queue.length > 0) {
      const head = this.queue.shift()!;
      const batch = [head];
      let rows = head.rows;
      if (this.options.batchable) {
        for (let i = 0; i < this.queue.length && rows < this.options.maxBatchRows;) {
          const p = this.queue[i]!;
          if (p.key === head.key && rows + p.rows <= this.options.maxBatchRows) {
            batch.push(p);
            rows += p.rows;
            this.queue.splice(i, 1);
          } else i++;
        }
      }
      this.busy++;
      void this.execute(batch, rows);
    }
  }

  private async execute(batch: Pending[], rows: number): Promise<void> {
    try {
      this.observe(batch.length, rows);
      if (batch.length === 1) {
        batch[0]!.resolve(await this.run(batch[0]!.feeds));
      } else {
        const merged = concatFeeds(batch.map((p) => p.feeds));
        const out = await this.run(merged);
        const parts = splitOutputs(out, batch.map((p) => p.rows));
        batch.forEach((p, i) => p.resolve(parts[i]!));
      }
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.busy--;
      this.pump();
    }
  }
}

/** True when every input of the model has a variable first (batch) dimension. */
export function isBatchable(inputs: readonly TensorSpec[]): boolean {
  return inputs.length > 0 && inputs.every((s) => s.shape.length >= 1 && s.shape[0] === -1);
}

let unmergeable = 0;

function mergeKey(feeds: Record<string, Tensor>): string {
  let key = '';
  const names = Object.keys(feeds).sort();
  let rows: number | undefined;
  for (const n of names) {
    const t = feeds[n]!;
    if (rows === undefined) rows = t.dims[0];
    else if (rows !== t.dims[0]) return `unmergeable:${++unmergeable}`;
    key += `${n}:${t.type}:${t.dims.slice(1).join('x')};`;
  }
  return key;
}

/** Concatenates same-shaped feeds along dimension 0. */
export function concatFeeds(list: Record<string, Tensor>[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const name of Object.keys(list[0]!)) {
    const parts = list.map((f) => f[name]!);
    const first = parts[0]!;
    const rows = parts.reduce((s, t) => s + t.dims[0]!, 0);
    const dims = [rows, ...first.dims.slice(1)];
    out[name] = { type: first.type, dims, data: concatData(first.type, parts.map((p) => p.data), elementCount(dims)) };
  }
  return out;
}

function concatData(type: Tensor['type'], parts: TensorData[], total: number): TensorData {
  if (type === 'string') return (parts as string[][]).flat();
  const out = allocate(type, total) as Exclude<TensorData, string[]>;
  let offset = 0;
  for (const p of parts as Exclude<TensorData, string[]>[]) {
    (out as Float32Array).set(p as Float32Array, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Splits batched outputs back into per-request outputs by row counts. An output whose first
 * dimension is not the total row count cannot be split and is given whole to every request.
 */
export function splitOutputs(outputs: Record<string, Tensor>, rows: number[]): Record<string, Tensor>[] {
  const total = rows.reduce((a, b) => a + b, 0);
  const result = rows.map(() => ({} as Record<string, Tensor>));
  for (const [name, t] of Object.entries(outputs)) {
    if (t.dims[0] !== total) {
      result.forEach((r) => (r[name] = t));
      continue;
    }
    const inner = elementCount(t.dims.slice(1));
    let start = 0;
    rows.forEach((n, i) => {
      const data = t.data.slice(start * inner, (start + n) * inner) as TensorData;
      result[i]![name] = { type: t.type, dims: [n, ...t.dims.slice(1)], data };
      start += n;
    });
  }
  return result;
}

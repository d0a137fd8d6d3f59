/**
 * `computeDriftParallel` (from the built entry, so the worker thread's file exists) returns the
 * same report as `computeDrift` on mixed columns, with listed columns, per-column options and a
 * skipped text column, while the worker really scores part of the columns; errors are the same.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Column, DriftOptions } from '../../src/core/monitoring/drift/types.js';
import { seededRandom } from '../support/random.js';

const entry = (await import(new URL('../../dist/drift.js', import.meta.url).href)) as typeof import('../../src/drift.js');
const worker = new entry.DriftWorker();

afterAll(async () => {
  await worker.close();
});

function table(n: number, seed: number, shift: number): Column[] {
  const r = seededRandom(seed);
  const cols: Column[] = [];
  for (let i = 0; i < 8; i++) cols.push({ name: `x${i}`, dtype: 'float', values: Float64Array.from({ length: n }, () => (i % 3 === 0 && r() < 0.02 ? NaN : r() * 10 + (i < 3 ? shift : 0))) });
  cols.push({ name: 'k', dtype: 'int', values: Float64Array.from({ length: n }, () => Math.floor(r() * 4)) });
  cols.push({ name: 'plan', dtype: 'string', values: Array.from({ length: n }, () => ['a', 'b', 'c'][Math.floor(r() * (shift ? 2 : 3))]!) });
  cols.push({ name: 'id', dtype: 'string', values: Array.from({ length: n }, (_, j) => `id-${seed}-${j}`) });
  return cols;
}

const reference = table(120_000, 1, 0);
const current = table(110_000, 2, 0.4);

describe('drift on two threads', () => {
  it.each<[string, DriftOptions]>([
    ['defaults', {}],
    ['a stattest and threshold for all, a drift share', { stattest: 'psi', threshold: 0.05, driftShare: 0.3 }],
    ['listed columns with a per-column override', { columns: ['x0', 'x1', 'x2', 'x3', 'x4', 'plan', 'k'], perColumn: { x1: { stattest: 'ks' } } }],
  ])('equals computeDrift: %s', async (_name, options) => {
    const before = worker.columnsComputed;
    const parallel = await entry.computeDriftParallel(reference, current, options, worker);
    expect(parallel).toEqual(entry.computeDrift(reference, current, options));
    expect(Object.keys(parallel.columns)).toEqual(Object.keys(entry.computeDrift(reference, current, options).columns));
    expect(worker.columnsComputed).toBeGreaterThan(before);
  });

  it('moves the numeric buffers to the worker when asked (no copy), with the same report', async () => {
    const copy = (t: Column[]) => t.map((c) => ({ ...c, values: c.values instanceof Float64Array ? Float64Array.from(c.values) : [...c.values] }) as Column);
    const [ref, cur] = [copy(reference), copy(current)];
    const report = await entry.computeDriftParallel(ref, cur, {}, worker, { transfer: true });
    expect(report).toEqual(entry.computeDrift(reference, current, {}));
    const moved = ref.filter((c) => c.values instanceof Float64Array && c.values.length === 0);
    expect(moved.length).toBeGreaterThan(0);
    expect(ref.find((c) => c.name === 'plan')!.values.length).toBe(reference[0]!.values.length);
  });

  it('raises the same errors, and small inputs stay on one thread', async () => {
    await expect(entry.computeDriftParallel(reference, current, { stattest: 'nope' }, worker)).rejects.toThrow(/nope/);
    await expect(entry.computeDriftParallel(reference, current, { columns: ['ghost'] }, worker)).rejects.toThrow(/ghost/);
    const before = worker.columnsComputed;
    const small = [reference, current].map((t) => t.map((c) => ({ ...c, values: c.values.slice(0, 1000) }) as Column));
    expect(await entry.computeDriftParallel(small[0]!, small[1]!, {}, worker)).toEqual(entry.computeDrift(small[0]!, small[1]!, {}));
    expect(worker.columnsComputed).toBe(before);
  });
});

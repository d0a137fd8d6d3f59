import { describe, expect, it } from 'vitest';
import { sortedCopy } from '../../src/core/monitoring/drift/sort.js';
import { numbers, uniforms } from './golden-data.js';

const native = (x: Float64Array): Float64Array => Float64Array.from(x).sort();

describe('sortedCopy', () => {
  it.each<[string, Float64Array]>([
    ['empty', new Float64Array(0)],
    ['small', Float64Array.from([3, -1, 2, -0, 0, 2])],
    ['normal, 100k', numbers({ dist: 'normal', seed: 1, n: 100_000 })],
    ['heavy tail, 100k', numbers({ dist: 'pareto', seed: 2, n: 100_000 })],
    ['few distinct values, 100k', numbers({ dist: 'int', seed: 3, n: 100_000, scale: 7 })],
    ['constant, 10k', new Float64Array(10_000).fill(4.25)],
    ['one outlier, 50k', Float64Array.from({ length: 50_000 }, (_, i) => (i === 777 ? 1e300 : i % 13))],
    ['geometric, 20k', Float64Array.from({ length: 20_000 }, (_, i) => 2 ** -(i % 1000))],
    ['huge range, 20k', Float64Array.from(uniforms(4, 20_000), (u) => (u - 0.5) * 3e308)],
  ])('%s', (_name, values) => {
    const copy = Float64Array.from(values);
    expect(sortedCopy(values)).toEqual(native(values));
    expect(values).toEqual(copy);
  });
});

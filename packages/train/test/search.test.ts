import { describe, expect, it } from 'vitest';
import {
  GridSampler, MedianPruner, RandomSampler, type Sampler, Study, SuccessiveHalvingPruner, TpeSampler, TrialPruned,
  defaultGamma, defaultWeights, logLoss, toColumns, train, type Trial,
} from '../src/index.js';
import { HAS_PYTHON, sklearnReference } from './support.js';

const SHIFT = [1.3, -2.1, 0.7, 2.9, -0.4];
const sphere = (t: Trial) => SHIFT.reduce((s, c, i) => s + (t.suggestFloat(`x${i}`, -5, 5) - c) ** 2, 0);
const branin = (t: Trial) => {
  const x1 = t.suggestFloat('x1', -5, 10);
  const x2 = t.suggestFloat('x2', 0, 15);
  const b = 5.1 / (4 * Math.PI ** 2);
  return (x2 - b * x1 ** 2 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
};

async function best(objective: (t: Trial) => number, sampler: Sampler, nTrials: number): Promise<number> {
  const study = new Study({ sampler });
  await study.optimize(objective, { nTrials });
  return study.bestTrial.value!;
}

describe('samplers', () => {
  it('Optuna default gamma and weights', () => {
    expect([1, 10, 11, 100, 300].map(defaultGamma)).toEqual([1, 1, 2, 10, 25]);
    expect(defaultWeights(3)).toEqual([1, 1, 1]);
    const w = defaultWeights(30);
    expect(w).toHaveLength(30);
    expect(w[0]).toBeCloseTo(1 / 30);
    expect(w[4]).toBeCloseTo(1);
    expect(w.slice(5)).toEqual(new Array(25).fill(1));
  });

  it('the same seed reproduces a TPE search exactly; another seed does not', async () => {
    const run = async (seed: number) => {
      const study = new Study({ sampler: new TpeSampler({ seed }) });
      await study.optimize((t) => sphere(t) + (t.suggestCategorical('c', ['a', 'b', 'c']) === 'b' ? 0 : 1) + t.suggestInt('k', 1, 64, { log: true }) / 64, { nTrials: 25 });
      return study.trials.map((t) => t.params);
    };
    expect(await run(7)).toEqual(await run(7));
    expect(await run(7)).not.toEqual(await run(8));
  });

  it('respects int, step, log and categorical domains', async () => {
    const study = new Study({ sampler: new TpeSampler({ seed: 1, nStartupTrials: 5 }) });
    await study.optimize((t) => {
      const a = t.suggestInt('a', 3, 9);
      const b = t.suggestFloat('b', 0.5, 2.5, { step: 0.5 });
      const c = t.suggestFloat('c', 1e-4, 1, { log: true });
      const d = t.suggestInt('d', 2, 256, { log: true });
      const e = t.suggestCategorical('e', [true, false]);
      expect(Number.isInteger(a) && a >= 3 && a <= 9).toBe(true);
      expect([0.5, 1, 1.5, 2, 2.5]).toContain(b);
      expect(c >= 1e-4 && c <= 1).toBe(true);
      expect(Number.isInteger(d) && d >= 2 && d <= 256).toBe(true);
      expect([true, false]).toContain(e);
      return a + b + Math.log(c) + d + (e ? 0 : 1);
    }, { nTrials: 30 });
    expect(study.bestTrial.params.a).toBeLessThanOrEqual(5);
  });

  it('grid search visits every point once in a seeded order, then stops', async () => {
    const sampler = new GridSampler({ lr: [0.01, 0.1, 1], depth: [2, 4] }, { seed: 3 });
    const study = new Study({ sampler });
    await study.optimize((t) => t.suggestFloat('lr', 0, 1) * t.suggestInt('depth', 0, 10), { nTrials: 100 });
    expect(study.trials).toHaveLength(6);
    expect(new Set(study.trials.map((t) => JSON.stringify(t.params))).size).toBe(6);
    expect(study.bestTrial.params).toEqual({ lr: 0.01, depth: 2 });
    const again = new Study({ sampler: new GridSampler({ lr: [0.01, 0.1, 1], depth: [2, 4] }, { seed: 3 }) });
    await again.optimize((t) => t.suggestFloat('lr', 0, 1) * t.suggestInt('depth', 0, 10), { nTrials: 100 });
    expect(again.trials.map((t) => t.params)).toEqual(study.trials.map((t) => t.params));
  });

  it('rejects bad input before sampling', async () => {
    const study = new Study();
    await expect(study.optimize((t) => t.suggestFloat('x', 1, 0), { nTrials: 1 })).rejects.toThrow(/low <= high/);
    await expect(new Study().optimize((t) => t.suggestFloat('x', 0, 1, { log: true }), { nTrials: 1 })).rejects.toThrow(/log scale needs low > 0/);
    await expect(new Study().optimize((t) => t.suggestCategorical('x', []), { nTrials: 1 })).rejects.toThrow(/non-empty/);
    await expect(new Study().optimize(() => 1, { nTrials: 0 })).rejects.toThrow(/nTrials/);
    await expect(new Study({ sampler: new GridSampler({ a: [1] }) }).optimize((t) => t.suggestFloat('b', 0, 1), { nTrials: 1 })).rejects.toThrow(/not in the grid/);
  });
});

describe('TPE beats random search with fixed seeds', () => {
  const seeds = [0, 1, 2, 3, 4];
  for (const [name, objective, n] of [['shifted 5-D sphere', sphere, 60], ['Branin', branin, 50]] as const) {
    it(`${name}: best after ${n} trials, over seeds ${seeds.join(',')}`, async () => {
      const tpe: number[] = [];
      const rnd: number[] = [];
      for (const seed of seeds) {
        tpe.push(await best(objective, new TpeSampler({ seed }), n));
        rnd.push(await best(objective, new RandomSampler({ seed }), n));
      }
      const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
      console.log(`${name}: TPE best ${tpe.map((v) => v.toFixed(3)).join(' ')} (mean ${mean(tpe).toFixed(3)}); random ${rnd.map((v) => v.toFixed(3)).join(' ')} (mean ${mean(rnd).toFixed(3)})`);
      expect(mean(tpe)).toBeLessThan(mean(rnd));
      expect(seeds.filter((_, i) => tpe[i]! < rnd[i]!).length).toBeGreaterThanOrEqual(4);
    });
  }

  it.skipIf(!HAS_PYTHON)('tuning gradient boosting on breast_cancer (validation log-loss, 30 trials, 3 seeds)', async () => {
    const data = sklearnReference().datasets.breast_cancer!;
    const { columns, rows } = toColumns(data.train);
    const cut = Math.floor(rows * 0.7);
    const slice = (from: number, to: number) => Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, Array.from(v).slice(from, to)]));
    const fit = slice(0, cut);
    const valid = slice(cut, rows);
    const y = Int32Array.from(valid.target as number[]);
    const objective = (t: Trial) => {
      const model = train({
        data: fit, label: 'target', kind: 'gradient_boosting', seed: 0,
        params: {
          learningRate: t.suggestFloat('learningRate', 0.005, 0.5, { log: true }),
          maxLeafNodes: t.suggestInt('maxLeafNodes', 2, 64, { log: true }),
          minSamplesLeaf: t.suggestInt('minSamplesLeaf', 1, 100),
          l2Regularization: t.suggestFloat('l2Regularization', 1e-4, 10, { log: true }),
          maxIter: t.suggestInt('maxIter', 10, 100),
        },
      });
      return logLoss(y, model.predictProba(valid), 2);
    };
    const tpe: number[] = [];
    const rnd: number[] = [];
    for (const seed of [0, 1, 2]) {
      tpe.push(await best(objective, new TpeSampler({ seed }), 30));
      rnd.push(await best(objective, new RandomSampler({ seed }), 30));
    }
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    console.log(`breast_cancer GBT: TPE best log-loss ${tpe.map((v) => v.toFixed(4)).join(' ')} (mean ${mean(tpe).toFixed(4)}); random ${rnd.map((v) => v.toFixed(4)).join(' ')} (mean ${mean(rnd).toFixed(4)})`);
    expect(mean(tpe)).toBeLessThan(mean(rnd));
  }, 300_000);
});

describe.skipIf(!HAS_PYTHON)('pruning a real gradient-boosting search', () => {
  it('median pruner on breast_cancer (validation log-loss per boosting iteration) saves iterations and keeps the best', async () => {
    const data = sklearnReference().datasets.breast_cancer!;
    const { columns, rows } = toColumns(data.train);
    const cut = Math.floor(rows * 0.7);
    const slice = (from: number, to: number) => Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, Array.from(v).slice(from, to)]));
    const fit = slice(0, cut);
    const valid = slice(cut, rows);
    const run = async (pruner: MedianPruner | undefined) => {
      let iterations = 0;
      const study = new Study({ sampler: new TpeSampler({ seed: 4 }), ...(pruner ? { pruner } : {}) });
      await study.optimize((t) => {
        let last = Infinity;
        let pruned = false;
        train({
          data: fit, validation: valid, label: 'target', kind: 'gradient_boosting',
          params: { learningRate: t.suggestFloat('learningRate', 0.005, 0.5, { log: true }), maxLeafNodes: t.suggestInt('maxLeafNodes', 2, 64, { log: true }), maxIter: 60 },
          onIteration: (i, loss) => {
            iterations++;
            last = loss!;
            void t.report(loss!, i);
            pruned = t.shouldPrune();
            return !pruned;
          },
        });
        if (pruned) throw new TrialPruned();
        return last;
      }, { nTrials: 25 });
      return { iterations, best: study.bestTrial.value!, pruned: study.trials.filter((t) => t.state === 'pruned').length };
    };
    const withPruning = await run(new MedianPruner());
    const without = await run(undefined);
    console.log(`breast_cancer GBT, 25 TPE trials × ≤60 iterations: median pruner ran ${withPruning.iterations} iterations (${withPruning.pruned} pruned), best ${withPruning.best.toFixed(4)}; without pruning ${without.iterations}, best ${without.best.toFixed(4)}`);
    expect(withPruning.pruned).toBeGreaterThan(3);
    expect(withPruning.iterations).toBeLessThan(without.iterations * 0.8);
    expect(withPruning.best).toBeLessThan(without.best * 1.25);
  }, 300_000);
});

/** A learning curve: loss decays toward a floor set by the quality parameter q. */
const curve = (q: number, step: number) => q + 1 / (1 + step);

describe('pruners', () => {
  it('median pruner (Optuna defaults) waits for 5 completed trials, then prunes worse-than-median trials early', async () => {
    const study = new Study({ sampler: new RandomSampler({ seed: 2 }), pruner: new MedianPruner() });
    const stepsRun: number[] = [];
    await study.optimize(async (t) => {
      const q = t.suggestFloat('q', 0, 1);
      let s = 0;
      for (; s < 20; s++) {
        await t.report(curve(q, s), s);
        if (t.shouldPrune()) {
          stepsRun.push(s + 1);
          throw new TrialPruned();
        }
      }
      stepsRun.push(s);
      return curve(q, 19);
    }, { nTrials: 30 });
    expect(study.trials.slice(0, 5).every((t) => t.state === 'complete')).toBe(true);
    const pruned = study.trials.filter((t) => t.state === 'pruned');
    expect(pruned.length).toBeGreaterThan(5);
    for (const t of pruned) expect(t.params.q as number).toBeGreaterThan(0.1);
    expect(stepsRun.reduce((a, b) => a + b, 0)).toBeLessThan(30 * 20 * 0.75);
    const allQ = study.trials.map((t) => t.params.q as number);
    expect(study.bestTrial.params.q).toBe(Math.min(...study.completeTrials.map((t) => t.params.q as number)));
    expect(Math.min(...allQ)).toBe(study.bestTrial.params.q);
  });

  it('successive halving promotes the top 1/4 at rungs minResource·4^r (minResource from the first completed trial)', async () => {
    const study = new Study({ sampler: new RandomSampler({ seed: 5 }), pruner: new SuccessiveHalvingPruner() });
    const reached: number[] = [];
    await study.optimize(async (t) => {
      const q = t.suggestFloat('q', 0, 1);
      for (let s = 1; s <= 200; s++) {
        await t.report(curve(q, s), s);
        if (t.shouldPrune()) {
          reached.push(s);
          throw new TrialPruned();
        }
      }
      reached.push(200);
      return curve(q, 200);
    }, { nTrials: 20 });
    // first trial completes 200 steps → minResource = 2; rungs at 2, 8, 32, 128
    expect(reached[0]).toBe(200);
    for (const s of reached.slice(1)) expect([2, 8, 32, 128, 200]).toContain(s);
    expect(reached.filter((s) => s < 200).length).toBeGreaterThan(10);
    const sh = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 });
    const s2 = new Study({ pruner: sh, sampler: new RandomSampler() });
    const t1 = await s2.ask();
    await t1.report(1.0, 1);
    expect(t1.shouldPrune()).toBe(false);
    const t2 = await s2.ask();
    await t2.report(2.0, 1);
    expect(t2.shouldPrune()).toBe(true);
    const t3 = await s2.ask();
    await t3.report(0.5, 1);
    expect(t3.shouldPrune()).toBe(false);
  });
});

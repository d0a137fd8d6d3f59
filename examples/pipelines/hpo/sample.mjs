// Samples `trials` parameter sets for the gradient-boosted trees with @capstan/train's samplers.
import { writeFileSync } from 'node:fs';
import { RandomSampler, Study } from '@capstan/train';

const [trials, seed, out] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const study = new Study({ direction: 'maximize', sampler: new RandomSampler({ seed }) });
const sets = [];
for (let i = 0; i < trials; i++) {
  const trial = await study.ask();
  sets.push({ number: i, learningRate: trial.suggestFloat('learningRate', 0.02, 0.5, { log: true }), maxDepth: trial.suggestInt('maxDepth', 2, 6), maxIter: trial.suggestInt('maxIter', 10, 80) });
  await study.tell(trial, 0);
}
writeFileSync(out, JSON.stringify(sets));

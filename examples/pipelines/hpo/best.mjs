// Picks the best trial from the collected scores (one per fan-out iteration, in order).
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [scoresArg, trialsArg, out] = process.argv.slice(2);
const read = (arg) => {
  try { return JSON.parse(arg); } catch { /* a path */ }
  if (statSync(arg).isDirectory()) return readdirSync(arg).sort((a, b) => Number(a) - Number(b)).map((d) => JSON.parse(readFileSync(join(arg, d), 'utf8')));
  return JSON.parse(readFileSync(arg, 'utf8'));
};
const scores = read(scoresArg).map(Number);
const trials = read(trialsArg);
if (scores.length !== trials.length) throw new Error(`${scores.length} scores for ${trials.length} trials`);
let best = 0;
for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
writeFileSync(out, JSON.stringify({ trial: best, score: scores[best], params: trials[best], scores }));

/** `ed`: energy distance √2·√∫(F_r − F_c)² dx (scipy `energy_distance`). */
import { cdfDistanceIntegral } from './wasserstein.js';
import { NUM, numericSides } from './stattest.js';
import type { StatTest } from './stattest.js';

/** Energy distance (numerical; drift when strictly above threshold, default 0.1). */
export const energyDistance: StatTest = {
  name: 'ed',
  columnTypes: NUM,
  defaultThreshold: 0.1,
  drifted: (score, threshold) => score > threshold,
  score(input) {
    const [ref, cur] = numericSides(input, 'ed');
    return Math.SQRT2 * Math.sqrt(cdfDistanceIntegral(ref.sorted(), cur.sorted(), 2));
  },
};

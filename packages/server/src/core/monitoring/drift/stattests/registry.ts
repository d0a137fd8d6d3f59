/** Every implemented stattest, by Evidently's name. */
import { anderson } from './anderson.js';
import { chisquare } from './chisquare.js';
import { cramerVonMises } from './cramer-von-mises.js';
import { energyDistance } from './energy-distance.js';
import { eppsSingleton } from './epps-singleton.js';
import { fisherExactTest } from './fisher-exact.js';
import { gTest } from './g-test.js';
import { hellinger } from './hellinger.js';
import { jensenshannon } from './jensenshannon.js';
import { ks } from './ks.js';
import { klDiv } from './kl-div.js';
import { mannWhitney } from './mann-whitney.js';
import { psi } from './psi.js';
import type { StatTest } from './stattest.js';
import { tTest } from './t-test.js';
import { tvd } from './tvd.js';
import { wasserstein } from './wasserstein.js';
import { z } from './z.js';

/** The stattests by name. */
export const STATTESTS: ReadonlyMap<string, StatTest> = new Map(
  [ks, chisquare, z, jensenshannon, wasserstein, psi, klDiv, hellinger, anderson, cramerVonMises, energyDistance, eppsSingleton, tTest, mannWhitney, gTest, fisherExactTest, tvd].map((t) => [t.name, t]),
);

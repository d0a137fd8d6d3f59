/**
 * The stattests available on profiles, under Evidently's names, with the same defaults and drift
 * rules as the exact engine's.
 */
import { invalidParameter } from '@capstan/api';
import { ksTwoSampleExact, kstwoSf } from '../drift/kolmogorov.js';
import { sturgesEdges } from '../drift/binning.js';
import { chi2Sf, gcd, studentTwoSided } from '../drift/special.js';
import { jensenShannon } from '../drift/stattests/jensenshannon.js';
import { pythonCompare, twoProportionZPValue } from '../drift/stattests/z.js';
import { psiOfShares } from '../drift/stattests/psi.js';
import { klDivOfShares } from '../drift/stattests/kl-div.js';
import type { ColumnType } from '../drift/types.js';
import type { ColumnProfile, NumericProfile } from './column.js';
import { binCounts, binnedSharesOfProfiles, catSide, cdfDistanceOfViews, ksStatisticOfViews, unionDistinct, unionOf } from './distribution.js';
import type { SortedView } from './kll.js';

/** What a profile stattest sees. */
export interface ProfileStatTestInput {
  column: string;
  reference: ColumnProfile;
  current: ColumnProfile;
  columnType: ColumnType;
}

/** A drift test computed from profiles, under Evidently's name. */
export interface ProfileStatTest {
  /** Evidently's name (`ks`, `psi`, ...). */
  readonly name: string;
  /** Column types the test accepts when forced. */
  readonly columnTypes: readonly ColumnType[];
  /** Threshold when none is configured. */
  readonly defaultThreshold: number;
  /** Whether `score` means drift at `threshold`. */
  drifted(score: number, threshold: number): boolean;
  /**
   * The score and whether it is exact.
   * @throws CapstanError INVALID_PARAMETER_VALUE when the column cannot be tested this way.
   */
  score(input: ProfileStatTestInput): { score: number; exact: boolean };
}

const MAX_EXACT_KS_N = 10000;
const NUM: readonly ColumnType[] = ['num'];
const CAT: readonly ColumnType[] = ['cat', 'text'];
const NUM_CAT: readonly ColumnType[] = ['num', 'cat', 'text'];
const pBelow = (s: number, t: number): boolean => s < t;
const pAtOrBelow = (s: number, t: number): boolean => s <= t;
const atOrAbove = (s: number, t: number): boolean => s >= t;

interface NumSide {
  n: number;
  view: SortedView;
  exact: boolean;
}

function numSide(p: NumericProfile): NumSide {
  return { n: p.valid, view: p.sortedView(), exact: p.isExact };
}

function numericSides(input: ProfileStatTestInput, test: string): [NumericProfile, NumericProfile] {
  const { reference, current } = input;
  if (reference.kind !== 'numeric' || current.kind !== 'numeric') throw invalidParameter(`Stattest '${test}' needs numbers, but column '${input.column}' holds strings`);
  return [reference, current];
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * KS p-value of `d` for sizes n1, n2 as scipy's `ks_2samp` mode auto: exact when both are at most
 * 10 000, else `kstwo.sf(d, round(n1·n2/(n1+n2)))`.
 */
export function ksPValue(d: number, n1: number, n2: number): number {
  let p = NaN;
  if (Math.max(n1, n2) <= MAX_EXACT_KS_N) p = ksTwoSampleExact(n1, n2, gcd(n1, n2), d);
  if (Number.isNaN(p)) {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    p = kstwoSf(d, roundHalfEven((m * n) / (m + n)));
  }
  return Math.min(Math.max(p, 0), 1);
}

const ks: ProfileStatTest = {
  name: 'ks',
  columnTypes: NUM,
  defaultThreshold: 0.05,
  drifted: pAtOrBelow,
  score(input) {
    const [r, c] = numericSides(input, 'ks').map(numSide) as [NumSide, NumSide];
    const d = ksStatisticOfViews(r.view, c.view);
    return { score: ksPValue(d, r.n, c.n), exact: r.exact && c.exact };
  },
};

const wasserstein: ProfileStatTest = {
  name: 'wasserstein',
  columnTypes: NUM,
  defaultThreshold: 0.1,
  drifted: atOrAbove,
  score(input) {
    const [ref, cur] = numericSides(input, 'wasserstein');
    const norm = Math.max(ref.moments.std(), 0.001);
    return { score: cdfDistanceOfViews(ref.sortedView(), cur.sortedView(), 1) / norm, exact: ref.isExact && cur.isExact };
  },
};

const energy: ProfileStatTest = {
  name: 'ed',
  columnTypes: NUM,
  defaultThreshold: 0.1,
  drifted: (s, t) => s > t,
  score(input) {
    const [ref, cur] = numericSides(input, 'ed');
    return { score: Math.SQRT2 * Math.sqrt(cdfDistanceOfViews(ref.sortedView(), cur.sortedView(), 2)), exact: ref.isExact && cur.isExact };
  },
};

const tTest: ProfileStatTest = {
  name: 't_test',
  columnTypes: NUM,
  defaultThreshold: 0.05,
  drifted: pBelow,
  score(input) {
    const [a, b] = numericSides(input, 't_test').map((p) => p.moments);
    const df = a!.n + b!.n - 2;
    const svar = (a!.m2 + b!.m2) / df;
    const t = (a!.mean - b!.mean) / Math.sqrt(svar * (1 / a!.n + 1 / b!.n));
    return { score: studentTwoSided(t, df), exact: true };
  },
};

const psi: ProfileStatTest = {
  name: 'psi',
  columnTypes: NUM_CAT,
  defaultThreshold: 0.1,
  drifted: atOrAbove,
  score({ reference, current, columnType }) {
    const { reference: r, current: c, exact } = binnedSharesOfProfiles(reference, current, columnType, true);
    return { score: psiOfShares(r, c), exact };
  },
};

const klDiv: ProfileStatTest = {
  name: 'kl_div',
  columnTypes: NUM_CAT,
  defaultThreshold: 0.1,
  drifted: atOrAbove,
  score({ reference, current, columnType }) {
    const { reference: r, current: c, exact } = binnedSharesOfProfiles(reference, current, columnType, true);
    return { score: klDivOfShares(r, c), exact };
  },
};

const js: ProfileStatTest = {
  name: 'jensenshannon',
  columnTypes: NUM_CAT,
  defaultThreshold: 0.1,
  drifted: atOrAbove,
  score({ reference, current, columnType }) {
    const { reference: r, current: c, exact } = binnedSharesOfProfiles(reference, current, columnType, false);
    return { score: jensenShannon(r, c), exact };
  },
};

const hellinger: ProfileStatTest = {
  name: 'hellinger',
  columnTypes: NUM_CAT,
  defaultThreshold: 0.1,
  drifted: atOrAbove,
  score({ reference, current, columnType }) {
    let bc = 0;
    let exact: boolean;
    if (columnType === 'num' && reference.kind === 'numeric' && current.kind === 'numeric') {
      const distinct = unionDistinct(reference, current);
      const edges = sturgesEdges(Math.min(reference.min, current.min), Math.max(reference.max, current.max), distinct.value, reference.dtype === 'int' && current.dtype === 'int');
      const h1 = density(binCounts(reference, edges), edges);
      const h2 = density(binCounts(current, edges), edges);
      const width = (edges[edges.length - 1]! - edges[0]!) / (edges.length - 1);
      for (let i = 0; i < h1.length; i++) bc += Math.sqrt(h1[i]! * h2[i]!) * width;
      exact = distinct.exact;
    } else {
      const { reference: r, current: c, exact: e } = binnedSharesOfProfiles(reference, current, 'cat', false);
      for (let i = 0; i < r.length; i++) bc += Math.sqrt(r[i]! * c[i]!);
      exact = e;
    }
    return { score: Math.sqrt(1 - Math.min(Math.max(bc, 0), 1)), exact };
  },
};

function density(counts: Float64Array, edges: Float64Array): Float64Array {
  let total = 0;
  for (const c of counts) total += c;
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = counts[i]! / (edges[i + 1]! - edges[i]!) / total;
  return out;
}

const chisquare: ProfileStatTest = {
  name: 'chisquare',
  columnTypes: CAT,
  defaultThreshold: 0.05,
  drifted: pBelow,
  score({ reference, current }) {
    const r = catSide(reference);
    const c = catSide(current);
    const keys = unionOf(r, c);
    const kNorm = c.n / r.n;
    let stat = 0;
    for (const k of keys) {
      const e = (r.counts.get(k) ?? 0) * kNorm;
      const o = c.counts.get(k) ?? 0;
      stat += (o - e) ** 2 / e;
    }
    let bins = keys.length;
    if (r.other > 0 || c.other > 0) {
      const e = r.other * kNorm;
      stat += (c.other - e) ** 2 / e;
      bins++;
    }
    return { score: chi2Sf(stat, bins - 1), exact: r.exact && c.exact };
  },
};

const z: ProfileStatTest = {
  name: 'z',
  columnTypes: CAT,
  defaultThreshold: 0.05,
  drifted: pBelow,
  score({ reference, current }) {
    const r = catSide(reference);
    const c = catSide(current);
    const exact = r.exact && c.exact;
    if (r.counts.size === 1 && c.counts.size === 1 && r.other === 0 && c.other === 0 && r.counts.keys().next().value === c.counts.keys().next().value) {
      return { score: 1, exact };
    }
    const first = unionOf(r, c).sort(pythonCompare)[0]!;
    return { score: twoProportionZPValue(r.counts.get(first) ?? 0, r.n, c.counts.get(first) ?? 0, c.n), exact };
  },
};

/** Stattests available on profiles, by Evidently's name. */
export const PROFILE_STATTESTS: ReadonlyMap<string, ProfileStatTest> = new Map([ks, wasserstein, energy, tTest, psi, klDiv, js, hellinger, chisquare, z].map((t) => [t.name, t]));

import { type Columns, type Matrix, categoricalColumn, inferKind, invalid, numericColumn } from './data.js';

/** How missing numeric values are filled (scikit-learn SimpleImputer strategies). */
export type ImputeStrategy = 'mean' | 'median' | 'most_frequent';

/** Preprocessing options. Missing categoricals and unknown categories encode as all-zero one-hot rows. */
export interface PreprocessOptions {
  /** Strategy for numeric columns (default 'mean'). */
  impute?: ImputeStrategy;
  /** Standard-scale numeric columns (default: true for linear models, false for trees). */
  scale?: boolean;
  /** Columns to treat as numeric / categorical; others are inferred from their values. */
  numeric?: readonly string[];
  categorical?: readonly string[];
  /** Categories seen fewer times than this are dropped (encoded as unknown). Default 1. */
  minFrequency?: number;
}

/** A fitted numeric column: fill value for missing, and the standard-scaling parameters. */
export interface NumericStep {
  readonly name: string;
  readonly fill: number;
  readonly offset: number;
  readonly scale: number;
}

/** A fitted categorical column and its known categories (sorted). */
export interface CategoricalStep {
  readonly name: string;
  readonly categories: readonly string[];
}

/** The fitted preprocessing: numeric block (impute → scale) followed by one-hot blocks, in this order. */
export interface Preprocessor {
  readonly numeric: readonly NumericStep[];
  readonly categorical: readonly CategoricalStep[];
  readonly scaled: boolean;
  /** Names of the output features (one-hot columns named `col=category`). */
  readonly featureNames: readonly string[];
}

const f32 = Math.fround;

/** Fits imputation, scaling and one-hot encoding on the given feature columns. */
export function fitPreprocessor(columns: Columns, features: readonly string[], options: PreprocessOptions & { scale: boolean }): Preprocessor {
  const strategy = options.impute ?? 'mean';
  if (!['mean', 'median', 'most_frequent'].includes(strategy)) invalid(`impute must be 'mean', 'median' or 'most_frequent', got '${strategy}'`);
  const declaredNum = new Set(options.numeric ?? []);
  const declaredCat = new Set(options.categorical ?? []);
  for (const n of [...declaredNum, ...declaredCat]) if (!features.includes(n)) invalid(`column '${n}' is declared but is not a feature column`);
  const numeric: NumericStep[] = [];
  const categorical: CategoricalStep[] = [];
  for (const name of features) {
    const col = columns[name];
    if (!col) invalid(`feature column '${name}' is not in the data`);
    const kind = declaredCat.has(name) ? 'categorical' : declaredNum.has(name) ? 'numeric' : inferKind(col);
    if (kind === 'numeric') {
      const x = numericColumn(name, col);
      const present = x.filter((v) => !Number.isNaN(v));
      if (present.length === 0) invalid(`column '${name}' has no values (all null); drop it from the features`);
      const fill = f32(imputeValue(present, strategy));
      let mean = 0;
      let m2 = 0;
      if (options.scale) {
        for (let i = 0; i < x.length; i++) mean += f32(Number.isNaN(x[i]) ? fill : x[i]);
        mean /= x.length;
        for (let i = 0; i < x.length; i++) {
          const d = f32(Number.isNaN(x[i]) ? fill : x[i]) - mean;
          m2 += d * d;
        }
      }
      const std = Math.sqrt(m2 / x.length);
      numeric.push({ name, fill, offset: options.scale ? f32(mean) : 0, scale: options.scale && std > 1e-12 ? f32(1 / std) : 1 });
    } else {
      const c = categoricalColumn(col);
      const counts = new Map<string, number>();
      for (const v of c) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
      if (counts.size === 0) invalid(`column '${name}' has no values (all null); drop it from the features`);
      const min = options.minFrequency ?? 1;
      const categories = [...counts].filter(([, n]) => n >= min).map(([k]) => k).sort();
      categorical.push({ name, categories });
    }
  }
  const featureNames = [...numeric.map((s) => s.name), ...categorical.flatMap((s) => s.categories.map((c) => `${s.name}=${c}`))];
  if (featureNames.length === 0) invalid('no feature columns to train on');
  return { numeric, categorical, scaled: options.scale, featureNames };
}

function imputeValue(present: Float64Array, strategy: string): number {
  if (strategy === 'mean') {
    let s = 0;
    for (const v of present) s += v;
    return s / present.length;
  }
  const sorted = Float64Array.from(present).sort();
  if (strategy === 'median') {
    const m = sorted.length >> 1;
    return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }
  let best = sorted[0];
  let bestCount = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    if (j - i > bestCount) {
      bestCount = j - i;
      best = sorted[i];
    }
    i = j;
  }
  return best;
}

/**
 * Applies the preprocessing to a table, in float32 with the same operation order as the exported
 * ONNX graph (Imputer → Scaler → one-hot → Concat), so both produce bit-identical features.
 */
export function transform(p: Preprocessor, columns: Columns, rows: number): Matrix {
  const cols = p.featureNames.length;
  const data = new Float32Array(rows * cols);
  p.numeric.forEach((s, j) => {
    const col = columns[s.name];
    if (!col) invalid(`input is missing column '${s.name}'`);
    const x = numericColumn(s.name, col);
    for (let i = 0; i < rows; i++) {
      const v = Number.isNaN(x[i]) ? s.fill : f32(x[i]);
      data[i * cols + j] = p.scaled ? f32(f32(v - s.offset) * s.scale) : v;
    }
  });
  let offset = p.numeric.length;
  for (const s of p.categorical) {
    const col = columns[s.name];
    if (!col) invalid(`input is missing column '${s.name}'`);
    const index = new Map(s.categories.map((c, k) => [c, k]));
    const c = categoricalColumn(col);
    for (let i = 0; i < rows; i++) {
      const k = c[i] === null ? undefined : index.get(c[i]!);
      if (k !== undefined) data[i * cols + offset + k] = 1;
    }
    offset += s.categories.length;
  }
  return { data, rows, cols };
}

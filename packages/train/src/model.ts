import {
  type Cell, type ClassLabels, type Columns, type Matrix, type TableLike,
  encodeLabels, inferKind, invalid, regressionTarget, toColumns,
} from './data.js';
import { type LinearModel, fitLinear, fitLogistic, linearScores } from './models/linear.js';
import { type BoostedEnsemble, type Forest, accumulateTrees, fitBoosting, fitForest } from './models/tree.js';
import { type PreprocessOptions, type Preprocessor, fitPreprocessor, transform } from './preprocess.js';
import { Rng } from './rng.js';

/** The model families. */
export type ModelKind = 'logistic_regression' | 'linear_regression' | 'ridge' | 'gradient_boosting' | 'random_forest';

/** Classification or regression. */
export type Task = 'classification' | 'regression';

/** Hyperparameters each kind accepts, with scikit-learn's defaults. Unknown names are rejected. */
export const HYPERPARAMETERS: Record<ModelKind, Record<string, number | string | boolean>> = {
  logistic_regression: { C: 1, maxIter: 1000, tol: 1e-7, fitIntercept: true },
  linear_regression: { fitIntercept: true },
  ridge: { alpha: 1, fitIntercept: true },
  gradient_boosting: {
    learningRate: 0.1, maxIter: 100, maxLeafNodes: 31, maxDepth: Infinity, minSamplesLeaf: 20, l2Regularization: 0, maxBins: 255,
    earlyStopping: 'auto', validationFraction: 0.1, nIterNoChange: 10, tol: 1e-7,
  },
  random_forest: { nEstimators: 100, maxFeatures: 'auto', maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf: 1, bootstrap: true, maxBins: 255 },
};

/** Options of {@link train}. */
export interface TrainOptions {
  /** Training table (columns or row records). */
  data: TableLike;
  /** The label column. */
  label: string;
  kind: ModelKind;
  /** Default: 'regression' for linear_regression/ridge, else 'classification'. */
  task?: Task;
  /** Feature columns (default: every column but the label). */
  features?: readonly string[];
  /** Hyperparameters (see {@link HYPERPARAMETERS}). */
  params?: Record<string, number | string | boolean>;
  preprocessing?: PreprocessOptions;
  /** Seed for every random choice (default 0). */
  seed?: number;
  /** gradient_boosting: a labeled validation table (preprocessed with the training fit) watched by early stopping and `onIteration`. */
  validation?: TableLike;
  /**
   * gradient_boosting: called after each boosting iteration with the validation loss (log-loss or
   * half squared error; undefined without a validation set); return false to stop training,
   * e.g. `(i, loss) => { trial.report(loss!, i); return !trial.shouldPrune(); }`.
   */
  onIteration?: (iteration: number, validationLoss: number | undefined) => boolean | void;
}

/** An input column of a trained model, in input order (numeric columns first, then categorical). */
export interface InputColumn {
  readonly name: string;
  readonly type: 'numeric' | 'categorical';
}

type Estimator =
  | { type: 'linear'; model: LinearModel }
  | { type: 'boosting'; model: BoostedEnsemble }
  | { type: 'forest'; model: Forest };

/** A trained tabular model: preprocessing plus estimator. Export it with `toOnnx` (see onnx/export). */
export class TabularModel {
  constructor(
    readonly kind: ModelKind,
    readonly task: Task,
    readonly label: string,
    readonly preprocessor: Preprocessor,
    readonly estimator: Estimator,
    /** Class labels (classification) in probability-column order. */
    readonly classes: ClassLabels | undefined,
    /** The resolved hyperparameters. */
    readonly params: Record<string, number | string | boolean>,
    /** Wall-clock training time in milliseconds. */
    readonly trainingMs: number,
    /** Up to five training rows (feature columns only), used as the MLflow input example. */
    readonly inputExample: Columns = {},
  ) {}

  /** Input columns in the order of the model's ONNX inputs. */
  get inputs(): InputColumn[] {
    return [
      ...this.preprocessor.numeric.map((s) => ({ name: s.name, type: 'numeric' as const })),
      ...this.preprocessor.categorical.map((s) => ({ name: s.name, type: 'categorical' as const })),
    ];
  }

  /** The preprocessed feature matrix (float32, exactly what the ONNX graph feeds the estimator). */
  features(table: TableLike): Matrix {
    const { columns, rows } = toColumns(table);
    return transform(this.preprocessor, columns, rows);
  }

  /** Raw scores [rows × outputs]: logits for classifiers (forest: averaged probabilities), predictions for regressors. */
  rawScores(X: Matrix): { scores: Float64Array; outputs: number } {
    const e = this.estimator;
    if (e.type === 'linear') return { scores: linearScores(e.model, X), outputs: e.model.outputs };
    const K = e.model.outputs;
    const scores = new Float64Array(X.rows * K);
    if (e.type === 'boosting') {
      for (let i = 0; i < X.rows; i++) for (let k = 0; k < K; k++) scores[i * K + k] = e.model.baseline[k];
      accumulateTrees(e.model.trees, X, K, scores);
    } else {
      accumulateTrees(e.model.trees, X, K, scores);
      const n = e.model.trees.length;
      for (let i = 0; i < scores.length; i++) scores[i] /= n;
    }
    return { scores, outputs: K };
  }

  /** Class probabilities [rows × classes], row-major. Classifiers only. */
  predictProba(table: TableLike): Float64Array {
    return this.probaFromFeatures(this.features(table));
  }

  /** Class probabilities from an already preprocessed matrix. */
  probaFromFeatures(X: Matrix): Float64Array {
    if (this.task !== 'classification' || !this.classes) invalid('predictProba needs a classifier');
    const C = this.classes.length;
    const { scores, outputs } = this.rawScores(X);
    if (this.estimator.type === 'forest') return scores;
    const p = new Float64Array(X.rows * C);
    for (let i = 0; i < X.rows; i++) {
      if (outputs === 1) {
        const p1 = 1 / (1 + Math.exp(-scores[i]));
        p[i * C] = 1 - p1;
        p[i * C + 1] = p1;
      } else {
        let m = -Infinity;
        for (let k = 0; k < C; k++) m = Math.max(m, scores[i * C + k]);
        let s = 0;
        for (let k = 0; k < C; k++) s += (p[i * C + k] = Math.exp(scores[i * C + k] - m));
        for (let k = 0; k < C; k++) p[i * C + k] /= s;
      }
    }
    return p;
  }

  /** Predicted class indices (argmax of probabilities, first on ties). */
  predictIndex(table: TableLike): Int32Array {
    return argmaxRows(this.predictProba(table), this.classes!.length);
  }

  /** Predicted labels (classifiers) or values (regressors). */
  predict(table: TableLike): (number | string)[] | Float64Array {
    if (this.task === 'regression') return this.rawScores(this.features(table)).scores;
    const classes = this.classes!;
    return Array.from(this.predictIndex(table), (k) => classes[k]!);
  }
}

/** Index of the largest value in each row of a row-major [rows × width] array. */
export function argmaxRows(p: Float64Array, width: number): Int32Array {
  const rows = p.length / width;
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let k = 1; k < width; k++) if (p[i * width + k] > p[i * width + best]) best = k;
    out[i] = best;
  }
  return out;
}

/**
 * Trains a model on a table. Validates before training: unknown hyperparameters, non-numeric
 * values in numeric columns, all-null columns, a label with one class or missing values.
 * @throws INVALID_PARAMETER_VALUE with a message saying what to fix.
 * @example
 * const model = train({ data: rows, label: 'species', kind: 'gradient_boosting', seed: 1 });
 * const onnx = exportOnnx(model);
 */
export function train(options: TrainOptions): TabularModel {
  const { kind, label } = options;
  if (!(kind in HYPERPARAMETERS)) invalid(`unknown model kind '${kind}'; use one of ${Object.keys(HYPERPARAMETERS).join(', ')}`);
  const task: Task = options.task ?? (kind === 'linear_regression' || kind === 'ridge' ? 'regression' : 'classification');
  if (task !== 'classification' && task !== 'regression') invalid(`task must be 'classification' or 'regression', got '${task}'`);
  if (task === 'classification' && (kind === 'linear_regression' || kind === 'ridge')) invalid(`${kind} is a regressor; use task 'regression'`);
  if (task === 'regression' && kind === 'logistic_regression') invalid(`logistic_regression is a classifier; use task 'classification'`);
  const params = resolveParams(kind, options.params ?? {});
  const { columns, rows } = toColumns(options.data);
  if (rows === 0) invalid('the training table has no rows');
  const labelCol = columns[label];
  if (!labelCol) invalid(`label column '${label}' is not in the data`);
  const features = options.features ?? Object.keys(columns).filter((c) => c !== label);
  if (features.includes(label)) invalid(`the label column '${label}' cannot also be a feature`);
  const started = Date.now();
  const linear = kind === 'logistic_regression' || kind === 'linear_regression' || kind === 'ridge';
  const ordered = orderFeatures(columns, features, options.preprocessing);
  const pre = fitPreprocessor(columns, ordered, { ...options.preprocessing, scale: options.preprocessing?.scale ?? linear });
  let classes: ClassLabels | undefined;
  let yIndex: Int32Array | undefined;
  let yValue: Float64Array | undefined;
  if (task === 'classification') ({ y: yIndex, classes } = encodeLabels(label, labelCol));
  else yValue = regressionTarget(label, labelCol);
  const X = transform(pre, columns, rows);
  const rng = new Rng(options.seed ?? 0);
  let estimator: Estimator;
  const p = params as Record<string, never>;
  switch (kind) {
    case 'logistic_regression':
      estimator = { type: 'linear', model: fitLogistic(X, yIndex!, classes!.length, p) };
      break;
    case 'linear_regression':
      estimator = { type: 'linear', model: fitLinear(X, yValue!, { alpha: 0, fitIntercept: p.fitIntercept }) };
      break;
    case 'ridge':
      estimator = { type: 'linear', model: fitLinear(X, yValue!, p) };
      break;
    case 'gradient_boosting': {
      let evalSet: { X: Matrix; y: ArrayLike<number> } | undefined;
      if (options.validation) {
        const v = toColumns(options.validation);
        const vl = v.columns[label];
        if (!vl) invalid(`the validation table has no label column '${label}'`);
        const vy = classes ? encodeLabelsLike(classes, label, vl) : regressionTarget(label, vl);
        evalSet = { X: transform(pre, v.columns, v.rows), y: vy };
      }
      const opts = { ...p, seed: options.seed ?? 0, ...(evalSet ? { evalSet } : {}), ...(options.onIteration ? { onIteration: options.onIteration } : {}) };
      estimator = { type: 'boosting', model: fitBoosting(X, yIndex ?? yValue!, classes ? classes.length : 0, opts) };
      break;
    }
    case 'random_forest': {
      const mf = params.maxFeatures === 'auto' ? undefined : params.maxFeatures;
      estimator = { type: 'forest', model: fitForest(X, yIndex ?? yValue!, classes ? classes.length : 0, rng, { ...p, maxFeatures: mf as never }) };
      break;
    }
  }
  const example: Record<string, Cell[]> = {};
  for (const f of ordered) example[f] = Array.from({ length: Math.min(5, rows) }, (_, i) => columns[f]![i]);
  return new TabularModel(kind, task, label, pre, estimator, classes, params, Date.now() - started, example);
}

function encodeLabelsLike(classes: ClassLabels, label: string, col: ArrayLike<Cell>): Int32Array {
  const index = new Map<string, number>(classes.map((c, k) => [String(c), k]));
  return Int32Array.from({ length: col.length }, (_, i) => {
    const k = index.get(String(col[i]));
    if (k === undefined) invalid(`validation row ${i} has label ${JSON.stringify(col[i])}, which is not a training class`);
    return k;
  });
}

function orderFeatures(columns: Columns, features: readonly string[], pre: PreprocessOptions | undefined): string[] {
  const cat = new Set(pre?.categorical ?? []);
  const num = new Set(pre?.numeric ?? []);
  const kind = (n: string): string => (cat.has(n) ? 'categorical' : num.has(n) ? 'numeric' : columns[n] ? inferKind(columns[n] as ArrayLike<Cell>) : 'numeric');
  return [...features.filter((f) => kind(f) === 'numeric'), ...features.filter((f) => kind(f) === 'categorical')];
}

/** Checks hyperparameter names and types against {@link HYPERPARAMETERS} and fills defaults. */
export function resolveParams(kind: ModelKind, given: Record<string, unknown>): Record<string, number | string | boolean> {
  const defaults = HYPERPARAMETERS[kind];
  const out: Record<string, number | string | boolean> = { ...defaults };
  for (const [k, v] of Object.entries(given)) {
    if (!(k in defaults)) invalid(`unknown hyperparameter '${k}' for ${kind}; known: ${Object.keys(defaults).join(', ')}`);
    const d = defaults[k];
    if (k === 'earlyStopping') {
      if (v !== 'auto' && typeof v !== 'boolean') invalid(`earlyStopping must be 'auto', true or false, got ${JSON.stringify(v)}`);
    } else if (k === 'maxFeatures') {
      if (!(['auto', 'sqrt', 'log2', 'all'].includes(v as string) || (typeof v === 'number' && v > 0 && v <= 1))) {
        invalid(`maxFeatures must be 'sqrt', 'log2', 'all', 'auto' or a fraction in (0, 1], got ${JSON.stringify(v)}`);
      }
    } else if (typeof d === 'number') {
      if (typeof v !== 'number' || Number.isNaN(v) || v < 0) invalid(`hyperparameter '${k}' must be a non-negative number, got ${JSON.stringify(v)}`);
      if (['maxIter', 'maxLeafNodes', 'minSamplesLeaf', 'nEstimators', 'minSamplesSplit', 'maxBins'].includes(k) && (!Number.isInteger(v) || v < 1)) {
        invalid(`hyperparameter '${k}' must be a positive integer, got ${v}`);
      }
      if (k === 'maxBins' && v > 255) invalid(`maxBins must be at most 255, got ${v}`);
      if (k === 'maxLeafNodes' && v < 2) invalid(`maxLeafNodes must be at least 2, got ${v}`);
      if ((k === 'C' || k === 'learningRate') && v === 0) invalid(`hyperparameter '${k}' must be positive`);
      if (k === 'validationFraction' && !(v > 0 && v < 1)) invalid(`validationFraction must be in (0, 1), got ${v}`);
      if (k === 'nIterNoChange' && (!Number.isInteger(v) || v < 1)) invalid(`nIterNoChange must be a positive integer, got ${v}`);
    } else if (typeof d === 'boolean' && typeof v !== 'boolean') {
      invalid(`hyperparameter '${k}' must be true or false, got ${JSON.stringify(v)}`);
    }
    out[k] = v as number | string | boolean;
  }
  return out;
}

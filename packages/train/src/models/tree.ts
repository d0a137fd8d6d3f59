import type { Matrix } from '../data.js';
import { Rng } from '../rng.js';

/**
 * A binary decision tree over float32 features. Node i is a leaf when `feature[i] < 0`; otherwise
 * rows with `x[feature] <= threshold` go to `left`, others to `right` (ONNX BRANCH_LEQ).
 * `value` holds `outputs` numbers per node (used at leaves).
 */
export interface Tree {
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly outputs: number;
  /** For boosting: which output (class) this tree adds to; -1 when the tree writes all outputs. */
  readonly target: number;
}

/** Features quantized to at most 255 bins; `codes[f * rows + i]` is the bin of row i, feature f. */
export interface Binned {
  readonly codes: Uint8Array;
  readonly rows: number;
  readonly cols: number;
  /** Per feature: bin b holds values ≤ edges[b] (and > edges[b-1]); the last bin is above all edges. */
  readonly edges: Float32Array[];
}

/**
 * Quantizes each feature into at most `maxBins` bins whose edges are actual (float32) data values.
 * Edges come from at most 200,000 rows (a seeded sample, as scikit-learn's `subsample`).
 */
export function binFeatures(X: Matrix, maxBins = 255): Binned {
  const { rows, cols, data } = X;
  const codes = new Uint8Array(rows * cols);
  const edges: Float32Array[] = [];
  const sampleSize = Math.min(rows, 200_000);
  const sampleRows = rows > sampleSize ? new Rng(0).shuffle(Uint32Array.from({ length: rows }, (_, i) => i)).subarray(0, sampleSize) : undefined;
  const sample = new Float32Array(sampleSize);
  for (let f = 0; f < cols; f++) {
    if (sampleRows) for (let q = 0; q < sampleSize; q++) sample[q] = data[sampleRows[q] * cols + f];
    else for (let i = 0; i < rows; i++) sample[i] = data[i * cols + f];
    const sorted = sample.sort();
    const unique: number[] = [];
    for (let i = 0; i < sampleSize; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) unique.push(sorted[i]);
    let e: number[];
    if (unique.length <= maxBins) {
      e = unique.slice(0, -1);
    } else {
      e = [];
      for (let b = 1; b < maxBins; b++) {
        const v = sorted[Math.min(sampleSize - 1, Math.floor((b * sampleSize) / maxBins))];
        if (v !== unique[unique.length - 1] && (e.length === 0 || v > e[e.length - 1])) e.push(v);
      }
    }
    const fe = Float32Array.from(e);
    edges.push(fe);
    for (let i = 0; i < rows; i++) codes[f * rows + i] = binOf(fe, data[i * cols + f]);
  }
  return { codes, rows, cols, edges };
}

function binOf(edges: Float32Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class TreeBuilder {
  feature: number[] = [];
  threshold: number[] = [];
  left: number[] = [];
  right: number[] = [];
  value: number[] = [];
  constructor(readonly outputs: number) {}
  add(): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    for (let k = 0; k < this.outputs; k++) this.value.push(0);
    return this.feature.length - 1;
  }
  build(target: number): Tree {
    return {
      feature: Int32Array.from(this.feature), threshold: Float32Array.from(this.threshold),
      left: Int32Array.from(this.left), right: Int32Array.from(this.right),
      value: Float64Array.from(this.value), outputs: this.outputs, target,
    };
  }
}

/** The leaf a row falls into. */
export function leafOf(tree: Tree, data: Float32Array, offset: number): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    node = data[offset + tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
  }
  return node;
}

/** Gradient boosting options (scikit-learn HistGradientBoosting defaults). */
export interface BoostingOptions {
  learningRate?: number;
  maxIter?: number;
  maxLeafNodes?: number;
  maxDepth?: number;
  minSamplesLeaf?: number;
  l2Regularization?: number;
  maxBins?: number;
  /**
   * Stop when the validation loss has not improved by more than `tol` for `nIterNoChange`
   * iterations, on a seeded (stratified for classifiers) `validationFraction` hold-out.
   * 'auto' (default, as scikit-learn) enables it when there are more than 10,000 rows.
   */
  earlyStopping?: 'auto' | boolean;
  validationFraction?: number;
  nIterNoChange?: number;
  tol?: number;
  /** Seed of the validation split. */
  seed?: number;
  /**
   * A caller's validation set (features preprocessed like X). When given, it replaces the internal
   * hold-out: training uses all of X, and early stopping (if on) watches this set's loss.
   */
  evalSet?: { X: Matrix; y: ArrayLike<number> };
  /** Called after each iteration with the validation loss (when there is a validation set); return false to stop. */
  onIteration?: (iteration: number, validationLoss: number | undefined) => boolean | void;
}

/** A fitted gradient-boosted ensemble: raw score = baseline + Σ tree leaf values (per output). */
export interface BoostedEnsemble {
  readonly trees: Tree[];
  readonly baseline: Float64Array;
  readonly outputs: number;
  readonly loss: 'squared_error' | 'log_loss';
  /** Boosting iterations run (fewer than maxIter when early stopping triggered). */
  readonly iterations: number;
  /** Validation loss after each iteration (index 0 = baseline), when early stopping was on. */
  readonly validationLoss?: number[];
}

/**
 * Histogram gradient boosting (like scikit-learn's HistGradientBoosting): leaf-wise growth with a
 * leaf budget, Newton leaf values, histogram subtraction. `classes` 0 means regression (squared
 * error); 2 binary log-loss with one tree per iteration; more classes use softmax with one tree per
 * class per iteration.
 */
export function fitBoosting(Xall: Matrix, yall: ArrayLike<number>, classes: number, options: BoostingOptions = {}): BoostedEnsemble {
  const es = options.earlyStopping ?? 'auto';
  const early = es === 'auto' ? Xall.rows > 10_000 : es;
  const split = options.evalSet
    ? { train: Xall, yTrain: yall, valid: options.evalSet.X, yValid: options.evalSet.y }
    : early ? holdout(Xall, yall, classes, options.validationFraction ?? 0.1, new Rng(options.seed ?? 0)) : undefined;
  const X = split ? split.train : Xall;
  const y = split ? split.yTrain : yall;
  const lr = options.learningRate ?? 0.1;
  const maxIter = options.maxIter ?? 100;
  const maxLeaves = options.maxLeafNodes ?? 31;
  const maxDepth = options.maxDepth ?? Infinity;
  const minLeaf = options.minSamplesLeaf ?? 20;
  const l2 = options.l2Regularization ?? 0;
  const binned = binFeatures(X, options.maxBins ?? 255);
  const n = X.rows;
  const K = classes > 2 ? classes : 1;
  const baseline = new Float64Array(K);
  if (classes === 0) {
    let s = 0;
    for (let i = 0; i < n; i++) s += y[i];
    baseline[0] = s / n;
  } else if (classes === 2) {
    let s = 0;
    for (let i = 0; i < n; i++) s += y[i];
    const p = Math.min(Math.max(s / n, 1e-15), 1 - 1e-15);
    baseline[0] = Math.log(p / (1 - p));
  } else {
    const counts = new Float64Array(K);
    for (let i = 0; i < n; i++) counts[y[i]]++;
    let meanLog = 0;
    for (let k = 0; k < K; k++) meanLog += Math.log(Math.max(counts[k] / n, 1e-15)) / K;
    for (let k = 0; k < K; k++) baseline[k] = Math.log(Math.max(counts[k] / n, 1e-15)) - meanLog;
  }
  const raw = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) raw[i * K + k] = baseline[k];
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const prob = new Float64Array(n * K);
  const trees: Tree[] = [];
  const grower = new HistGrower(binned, { maxLeaves, maxDepth, minLeaf, l2 });
  const validationLoss: number[] = [];
  let valRaw: Float64Array | undefined;
  if (split) {
    valRaw = new Float64Array(split.valid.rows * K);
    for (let i = 0; i < split.valid.rows; i++) for (let k = 0; k < K; k++) valRaw[i * K + k] = baseline[k];
    validationLoss.push(lossOf(valRaw, split.yValid, classes, K));
  }
  const nNoChange = options.nIterNoChange ?? 10;
  const tol = options.tol ?? 1e-7;
  let it = 0;
  for (; it < maxIter; it++) {
    if (K > 1) {
      for (let i = 0; i < n; i++) {
        let m = -Infinity;
        for (let k = 0; k < K; k++) m = Math.max(m, raw[i * K + k]);
        let s = 0;
        for (let k = 0; k < K; k++) s += (prob[i * K + k] = Math.exp(raw[i * K + k] - m));
        for (let k = 0; k < K; k++) prob[i * K + k] /= s;
      }
    }
    for (let k = 0; k < K; k++) {
      for (let i = 0; i < n; i++) {
        if (classes === 0) {
          grad[i] = raw[i] - y[i];
          hess[i] = 1;
        } else if (K === 1) {
          const p = 1 / (1 + Math.exp(-raw[i]));
          grad[i] = p - y[i];
          hess[i] = Math.max(p * (1 - p), 1e-16);
        } else {
          const p = prob[i * K + k];
          grad[i] = p - (y[i] === k ? 1 : 0);
          hess[i] = Math.max(p * (1 - p), 1e-16);
        }
      }
      const tree = grower.grow(grad, hess, classes === 0, lr, K > 1 ? k : -1);
      const leafOfRow = grower.rowLeaf;
      for (let i = 0; i < n; i++) raw[i * K + k] += tree.value[leafOfRow[i]];
      trees.push(tree);
      if (split && valRaw) {
        const v = split.valid;
        for (let i = 0; i < v.rows; i++) valRaw[i * K + k] += tree.value[leafOf(tree, v.data, i * v.cols)];
      }
    }
    if (split && valRaw) validationLoss.push(lossOf(valRaw, split.yValid, classes, K));
    if (options.onIteration?.(it + 1, split ? validationLoss[validationLoss.length - 1] : undefined) === false) {
      it++;
      break;
    }
    if (early && split && valRaw) {
      // scikit-learn's _should_stop on scores = -loss
      if (validationLoss.length > nNoChange) {
        const reference = validationLoss[validationLoss.length - nNoChange - 1];
        const recent = validationLoss.slice(-nNoChange);
        if (!recent.some((l) => -l > -reference + tol)) {
          it++;
          break;
        }
      }
    }
  }
  return { trees, baseline, outputs: K, loss: classes === 0 ? 'squared_error' : 'log_loss', iterations: it, ...(split ? { validationLoss } : {}) };
}

/** Mean loss of raw scores: half squared error (regression, as scikit-learn) or log-loss. */
function lossOf(raw: Float64Array, y: ArrayLike<number>, classes: number, K: number): number {
  const n = y.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (classes === 0) s += 0.5 * (raw[i] - y[i]) ** 2;
    else if (K === 1) {
      const t = raw[i];
      s += (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t))) - y[i] * t;
    } else {
      let m = -Infinity;
      for (let k = 0; k < K; k++) m = Math.max(m, raw[i * K + k]);
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(raw[i * K + k] - m);
      s += m + Math.log(z) - raw[i * K + y[i]];
    }
  }
  return s / n;
}

/** Seeded hold-out split (stratified by class for classifiers). */
function holdout(X: Matrix, y: ArrayLike<number>, classes: number, fraction: number, rng: Rng): { train: Matrix; yTrain: Float64Array; valid: Matrix; yValid: Float64Array } {
  const n = X.rows;
  const isValid = new Uint8Array(n);
  const groups: number[][] = classes > 0 ? Array.from({ length: classes }, () => []) : [[]];
  for (let i = 0; i < n; i++) groups[classes > 0 ? y[i] : 0].push(i);
  for (const g of groups) {
    rng.shuffle(g);
    const take = Math.round(g.length * fraction);
    for (let q = 0; q < take; q++) isValid[g[q]] = 1;
  }
  let nv = 0;
  for (let i = 0; i < n; i++) nv += isValid[i];
  const F = X.cols;
  const train = new Float32Array((n - nv) * F);
  const valid = new Float32Array(nv * F);
  const yTrain = new Float64Array(n - nv);
  const yValid = new Float64Array(nv);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (isValid[i]) {
      valid.set(X.data.subarray(i * F, (i + 1) * F), b * F);
      yValid[b++] = y[i];
    } else {
      train.set(X.data.subarray(i * F, (i + 1) * F), a * F);
      yTrain[a++] = y[i];
    }
  }
  return { train: { data: train, rows: n - nv, cols: F }, yTrain, valid: { data: valid, rows: nv, cols: F }, yValid };
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  gl: number;
  hl: number;
  nl: number;
}

interface GrowNode {
  id: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  hist: Float64Array;
  split: Split | null;
}

class HistGrower {
  readonly rowLeaf: Int32Array;
  private readonly idx: Uint32Array;
  private readonly tmp: Uint32Array;
  private readonly offsets: Int32Array;
  private readonly histSize: number;
  private readonly off3: Int32Array;
  /** Row-major copy of the bin codes: one cache line per row when histogramming a node's rows. */
  private readonly rowCodes: Uint8Array;
  constructor(private readonly b: Binned, private readonly o: { maxLeaves: number; maxDepth: number; minLeaf: number; l2: number }) {
    this.rowLeaf = new Int32Array(b.rows);
    this.idx = new Uint32Array(b.rows);
    this.tmp = new Uint32Array(b.rows);
    this.offsets = new Int32Array(b.cols + 1);
    for (let f = 0; f < b.cols; f++) this.offsets[f + 1] = this.offsets[f] + b.edges[f].length + 1;
    this.histSize = this.offsets[b.cols] * 3;
    this.off3 = Int32Array.from({ length: b.cols }, (_, f) => this.offsets[f] * 3);
    this.rowCodes = new Uint8Array(b.rows * b.cols);
    for (let f = 0; f < b.cols; f++) for (let i = 0; i < b.rows; i++) this.rowCodes[i * b.cols + f] = b.codes[f * b.rows + i];
  }

  grow(grad: Float64Array, hess: Float64Array, constantHessian: boolean, lr: number, target: number): Tree {
    const { b, o, idx } = this;
    const n = b.rows;
    for (let i = 0; i < n; i++) idx[i] = i;
    const t = new TreeBuilder(1);
    let G = 0;
    let H = 0;
    for (let i = 0; i < n; i++) {
      G += grad[i];
      H += hess[i];
    }
    const root: GrowNode = { id: t.add(), start: 0, end: n, depth: 0, g: G, h: H, hist: this.histogram(0, n, grad, hess), split: null };
    root.split = this.bestSplit(root);
    const leaves: GrowNode[] = [root];
    let nLeaves = 1;
    for (;;) {
      if (nLeaves >= o.maxLeaves) break;
      let best = -1;
      for (let i = 0; i < leaves.length; i++) {
        const s = leaves[i].split;
        if (s && (best < 0 || s.gain > leaves[best].split!.gain)) best = i;
      }
      if (best < 0) break;
      const node = leaves[best];
      const s = node.split!;
      const mid = this.partition(node.start, node.end, s.feature, s.bin);
      const l: GrowNode = { id: t.add(), start: node.start, end: mid, depth: node.depth + 1, g: s.gl, h: s.hl, hist: new Float64Array(0), split: null };
      const r: GrowNode = { id: t.add(), start: mid, end: node.end, depth: node.depth + 1, g: node.g - s.gl, h: node.h - s.hl, hist: new Float64Array(0), split: null };
      t.feature[node.id] = s.feature;
      t.threshold[node.id] = b.edges[s.feature][s.bin];
      t.left[node.id] = l.id;
      t.right[node.id] = r.id;
      const [small, large] = mid - node.start <= node.end - mid ? [l, r] : [r, l];
      small.hist = this.histogram(small.start, small.end, grad, hess);
      large.hist = node.hist;
      for (let i = 0; i < large.hist.length; i++) large.hist[i] -= small.hist[i];
      leaves.splice(best, 1, l, r);
      nLeaves++;
      for (const c of [l, r]) c.split = c.depth < o.maxDepth ? this.bestSplit(c) : null;
    }
    for (const leaf of leaves) {
      const v = constantHessian ? -leaf.g / (leaf.end - leaf.start + o.l2) : -leaf.g / (leaf.h + o.l2);
      t.value[leaf.id] = lr * v;
      for (let i = leaf.start; i < leaf.end; i++) this.rowLeaf[idx[i]] = leaf.id;
    }
    return t.build(target);
  }

  private histogram(start: number, end: number, grad: Float64Array, hess: Float64Array): Float64Array {
    const { idx, rowCodes, off3 } = this;
    const F = this.b.cols;
    const hist = new Float64Array(this.histSize);
    for (let p = start; p < end; p++) {
      const i = idx[p];
      const g = grad[i];
      const h = hess[i];
      const base = i * F;
      for (let f = 0; f < F; f++) {
        const k = off3[f] + rowCodes[base + f] * 3;
        hist[k] += g;
        hist[k + 1] += h;
        hist[k + 2] += 1;
      }
    }
    return hist;
  }

  private bestSplit(node: GrowNode): Split | null {
    const { b, o } = this;
    const count = node.end - node.start;
    if (count < 2 * o.minLeaf) return null;
    const parentScore = (node.g * node.g) / (node.h + o.l2);
    let best: Split | null = null;
    for (let f = 0; f < b.cols; f++) {
      const nb = b.edges[f].length + 1;
      const base = this.offsets[f] * 3;
      let gl = 0;
      let hl = 0;
      let nl = 0;
      for (let bin = 0; bin < nb - 1; bin++) {
        gl += node.hist[base + bin * 3];
        hl += node.hist[base + bin * 3 + 1];
        nl += node.hist[base + bin * 3 + 2];
        if (nl < o.minLeaf) continue;
        const nr = count - nl;
        if (nr < o.minLeaf) break;
        const hr = node.h - hl;
        if (hl < 1e-3 || hr < 1e-3) continue;
        const gr = node.g - gl;
        const gain = (gl * gl) / (hl + o.l2) + (gr * gr) / (hr + o.l2) - parentScore;
        if (gain > 1e-12 && (!best || gain > best.gain)) best = { gain, feature: f, bin, gl, hl, nl };
      }
    }
    return best;
  }

  private partition(start: number, end: number, feature: number, bin: number): number {
    const { idx, tmp, b } = this;
    const codes = b.codes.subarray(feature * b.rows, (feature + 1) * b.rows);
    let l = start;
    let r = 0;
    for (let p = start; p < end; p++) {
      const i = idx[p];
      if (codes[i] <= bin) idx[l++] = i;
      else tmp[r++] = i;
    }
    for (let q = 0; q < r; q++) idx[l + q] = tmp[q];
    return l;
  }
}

/** Random forest options (scikit-learn RandomForest defaults). */
export interface ForestOptions {
  nEstimators?: number;
  /** Features tried per split: 'sqrt' (classification default), 'log2', a fraction (0,1], or 'all' (regression default). */
  maxFeatures?: 'sqrt' | 'log2' | 'all' | number;
  maxDepth?: number;
  minSamplesSplit?: number;
  minSamplesLeaf?: number;
  bootstrap?: boolean;
  maxBins?: number;
}

/** A fitted forest: prediction is the average of the trees' leaf values (class distributions or means). */
export interface Forest {
  readonly trees: Tree[];
  readonly outputs: number;
}

/**
 * Random forest on histogram bins: bootstrap rows per tree, a random feature subset per node,
 * Gini impurity (classification, leaves hold class proportions) or squared error (regression).
 */
export function fitForest(X: Matrix, y: ArrayLike<number>, classes: number, rng: Rng, options: ForestOptions = {}): Forest {
  const binned = binFeatures(X, options.maxBins ?? 255);
  const nTrees = options.nEstimators ?? 100;
  const F = X.cols;
  const mf = options.maxFeatures ?? (classes > 0 ? 'sqrt' : 'all');
  const mtry = Math.max(1, Math.min(F,
    mf === 'sqrt' ? Math.floor(Math.sqrt(F)) : mf === 'log2' ? Math.floor(Math.log2(F)) : mf === 'all' ? F : Math.floor(mf * F)));
  const trees: Tree[] = [];
  const builder = new ForestTreeBuilder(binned, y, classes, {
    mtry, maxDepth: options.maxDepth ?? Infinity, minSplit: options.minSamplesSplit ?? 2, minLeaf: options.minSamplesLeaf ?? 1,
  });
  for (let t = 0; t < nTrees; t++) trees.push(builder.build(rng.fork(), options.bootstrap ?? true));
  return { trees, outputs: classes > 0 ? classes : 1 };
}

class ForestTreeBuilder {
  private readonly idx: Uint32Array;
  private readonly tmp: Uint32Array;
  private readonly K: number;
  private readonly stat: Float64Array;
  private readonly mark: Int32Array;
  private readonly featOrder: Int32Array;
  private readonly left: Float64Array;
  private readonly right: Float64Array;
  private readonly touched: Uint8Array;
  constructor(
    private readonly b: Binned, private readonly y: ArrayLike<number>, private readonly classes: number,
    private readonly o: { mtry: number; maxDepth: number; minSplit: number; minLeaf: number },
  ) {
    this.idx = new Uint32Array(b.rows);
    this.tmp = new Uint32Array(b.rows);
    this.K = classes > 0 ? classes : 3;
    this.stat = new Float64Array(256 * this.K);
    this.mark = new Int32Array(256);
    this.featOrder = new Int32Array(b.cols);
    this.left = new Float64Array(this.K);
    this.right = new Float64Array(this.K);
    this.touched = new Uint8Array(256);
  }

  build(rng: Rng, bootstrap: boolean): Tree {
    const { b, idx } = this;
    const n = b.rows;
    for (let i = 0; i < n; i++) idx[i] = bootstrap ? rng.int(n) : i;
    const out = this.classes > 0 ? this.classes : 1;
    const t = new TreeBuilder(out);
    const stack: { id: number; start: number; end: number; depth: number }[] = [{ id: t.add(), start: 0, end: n, depth: 0 }];
    const total = new Float64Array(this.K);
    while (stack.length) {
      const node = stack.pop()!;
      this.nodeStats(node.start, node.end, total);
      this.setLeafValue(t, node.id, total, node.end - node.start);
      const count = node.end - node.start;
      if (count < this.o.minSplit || count < 2 * this.o.minLeaf || node.depth >= this.o.maxDepth || this.impurity(total, count) <= 1e-12) continue;
      const split = this.bestSplit(node.start, node.end, total, rng);
      if (!split) continue;
      const mid = this.partition(node.start, node.end, split.feature, split.bin);
      t.feature[node.id] = split.feature;
      t.threshold[node.id] = b.edges[split.feature][split.bin];
      const l = t.add();
      const r = t.add();
      t.left[node.id] = l;
      t.right[node.id] = r;
      stack.push({ id: r, start: mid, end: node.end, depth: node.depth + 1 });
      stack.push({ id: l, start: node.start, end: mid, depth: node.depth + 1 });
    }
    return t.build(-1);
  }

  private nodeStats(start: number, end: number, total: Float64Array): void {
    total.fill(0);
    const { idx, y } = this;
    if (this.classes > 0) for (let p = start; p < end; p++) total[y[idx[p]]]++;
    else for (let p = start; p < end; p++) {
      const v = y[idx[p]];
      total[0] += 1;
      total[1] += v;
      total[2] += v * v;
    }
  }

  private setLeafValue(t: TreeBuilder, id: number, total: Float64Array, count: number): void {
    if (this.classes > 0) for (let k = 0; k < this.classes; k++) t.value[id * this.classes + k] = total[k] / count;
    else t.value[id] = total[1] / count;
  }

  /** Node impurity × count (Gini: n − Σc²/n; squared error: Σy² − (Σy)²/n). */
  private impurity(s: Float64Array, count: number): number {
    if (this.classes > 0) {
      let sq = 0;
      for (let k = 0; k < this.classes; k++) sq += s[k] * s[k];
      return count - sq / count;
    }
    return s[2] - (s[1] * s[1]) / count;
  }

  private bestSplit(start: number, end: number, total: Float64Array, rng: Rng): { feature: number; bin: number } | null {
    const { b, idx, y, K, stat, mark, featOrder, o } = this;
    const n = b.rows;
    const count = end - start;
    const isClf = this.classes > 0;
    const parent = this.impurity(total, count);
    for (let f = 0; f < b.cols; f++) featOrder[f] = f;
    let bestGain = 1e-12;
    let best: { feature: number; bin: number } | null = null;
    const { left, right, touched } = this;
    let tried = 0;
    for (let fi = 0; fi < b.cols && tried < o.mtry; fi++) {
      const j = fi + rng.int(b.cols - fi);
      const f = featOrder[j];
      featOrder[j] = featOrder[fi];
      featOrder[fi] = f;
      const codes = b.codes.subarray(f * n, (f + 1) * n);
      let nTouched = 0;
      for (let p = start; p < end; p++) {
        const i = idx[p];
        const c = codes[i];
        if (mark[c] === 0) {
          mark[c] = 1;
          touched[nTouched++] = c;
          for (let k = 0; k < K; k++) stat[c * K + k] = 0;
        }
        if (isClf) stat[c * K + y[i]]++;
        else {
          const v = y[i];
          stat[c * K] += 1;
          stat[c * K + 1] += v;
          stat[c * K + 2] += v * v;
        }
      }
      for (let q = 0; q < nTouched; q++) mark[touched[q]] = 0;
      if (nTouched < 2) continue;
      tried++;
      const bins = touched.subarray(0, nTouched).sort();
      left.fill(0);
      let nl = 0;
      for (let q = 0; q < nTouched - 1; q++) {
        const c = bins[q];
        for (let k = 0; k < K; k++) left[k] += stat[c * K + k];
        nl += isClf ? sumRange(stat, c * K, K) : stat[c * K];
        const nr = count - nl;
        if (nl < o.minLeaf) continue;
        if (nr < o.minLeaf) break;
        for (let k = 0; k < K; k++) right[k] = total[k] - left[k];
        const gain = parent - this.impurity(left, nl) - this.impurity(right, nr);
        if (gain > bestGain) {
          bestGain = gain;
          best = { feature: f, bin: c };
        }
      }
    }
    return best;
  }

  private partition(start: number, end: number, feature: number, bin: number): number {
    const { idx, tmp, b } = this;
    const codes = b.codes.subarray(feature * b.rows, (feature + 1) * b.rows);
    let l = start;
    let r = 0;
    for (let p = start; p < end; p++) {
      const i = idx[p];
      if (codes[i] <= bin) idx[l++] = i;
      else tmp[r++] = i;
    }
    for (let q = 0; q < r; q++) idx[l + q] = tmp[q];
    return l;
  }
}

function sumRange(a: Float64Array, from: number, len: number): number {
  let s = 0;
  for (let k = 0; k < len; k++) s += a[from + k];
  return s;
}

/** Sums the ensemble's leaf values per output into `out` [rows × outputs] (adds, does not reset). */
export function accumulateTrees(trees: readonly Tree[], X: Matrix, outputs: number, out: Float64Array): void {
  const { rows, cols, data } = X;
  for (const tree of trees) {
    for (let i = 0; i < rows; i++) {
      const leaf = leafOf(tree, data, i * cols);
      if (tree.target >= 0) out[i * outputs + tree.target] += tree.value[leaf];
      else for (let k = 0; k < tree.outputs; k++) out[i * outputs + k] += tree.value[leaf * tree.outputs + k];
    }
  }
}

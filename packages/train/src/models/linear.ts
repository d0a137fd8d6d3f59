import type { Matrix } from '../data.js';

/** A fitted linear model: `scores = X · coef[k]ᵀ + intercept[k]` for each output k. */
export interface LinearModel {
  /** Row-major [outputs × features]. */
  readonly coef: Float64Array;
  readonly intercept: Float64Array;
  readonly outputs: number;
  readonly features: number;
  /** Optimizer iterations (LBFGS) or 1 for the closed form. */
  readonly iterations: number;
}

/** Logistic regression options (scikit-learn LogisticRegression defaults: C=1, lbfgs). */
export interface LogisticOptions {
  /** Inverse L2 strength; the objective is C·Σ log-loss + ½‖W‖². Default 1. */
  C?: number;
  /** Maximum LBFGS iterations (default 1000). */
  maxIter?: number;
  /** Stop when max |gradient| ≤ tol·max(1, |loss|) (default 1e-7). */
  tol?: number;
  fitIntercept?: boolean;
}

/**
 * Fits L2-regularized logistic regression by LBFGS: binary (one coefficient row, sigmoid) when
 * there are two classes, multinomial (softmax, one row per class) otherwise.
 */
export function fitLogistic(X: Matrix, y: Int32Array, nClasses: number, options: LogisticOptions = {}): LinearModel {
  const C = options.C ?? 1;
  const fitIntercept = options.fitIntercept ?? true;
  const { rows: n, cols: f, data } = X;
  const K = nClasses === 2 ? 1 : nClasses;
  const stride = f + 1;
  const z = new Float64Array(n * K);
  const objective = (w: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    z.fill(0);
    for (let i = 0; i < n; i++) {
      const row = i * f;
      for (let k = 0; k < K; k++) {
        const wk = k * stride;
        let s = fitIntercept ? w[wk + f] : 0;
        for (let j = 0; j < f; j++) s += w[wk + j] * data[row + j];
        z[i * K + k] = s;
      }
    }
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const row = i * f;
      if (K === 1) {
        const t = z[i];
        const yi = y[i];
        // log(1 + e^t) - y t, computed stably
        loss += (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t))) - yi * t;
        z[i] = 1 / (1 + Math.exp(-t)) - yi;
      } else {
        let m = -Infinity;
        for (let k = 0; k < K; k++) m = Math.max(m, z[i * K + k]);
        let s = 0;
        for (let k = 0; k < K; k++) s += Math.exp(z[i * K + k] - m);
        const lse = m + Math.log(s);
        loss += lse - z[i * K + y[i]];
        for (let k = 0; k < K; k++) z[i * K + k] = Math.exp(z[i * K + k] - lse) - (k === y[i] ? 1 : 0);
      }
      for (let k = 0; k < K; k++) {
        const r = z[i * K + k];
        if (r === 0) continue;
        const wk = k * stride;
        for (let j = 0; j < f; j++) grad[wk + j] += r * data[row + j];
        if (fitIntercept) grad[wk + f] += r;
      }
    }
    loss *= C;
    let reg = 0;
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < f; j++) {
        const wkj = w[k * stride + j];
        reg += wkj * wkj;
        grad[k * stride + j] = C * grad[k * stride + j] + wkj;
      }
      grad[k * stride + f] *= C;
    }
    return loss + 0.5 * reg;
  };
  const { x, iterations } = lbfgs(objective, new Float64Array(K * stride), { maxIter: options.maxIter ?? 1000, tol: options.tol ?? 1e-7 });
  const coef = new Float64Array(K * f);
  const intercept = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < f; j++) coef[k * f + j] = x[k * stride + j];
    intercept[k] = fitIntercept ? x[k * stride + f] : 0;
  }
  return { coef, intercept, outputs: K, features: f, iterations };
}

/** Least squares with an optional L2 penalty `alpha` on the coefficients (not the intercept). */
export function fitLinear(X: Matrix, y: Float64Array, options: { alpha?: number; fitIntercept?: boolean } = {}): LinearModel {
  const alpha = options.alpha ?? 0;
  const fitIntercept = options.fitIntercept ?? true;
  const { rows: n, cols: f, data } = X;
  const mean = new Float64Array(f);
  let yMean = 0;
  if (fitIntercept) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < f; j++) mean[j] += data[i * f + j];
      yMean += y[i];
    }
    for (let j = 0; j < f; j++) mean[j] /= n;
    yMean /= n;
  }
  const A = new Float64Array(f * f);
  const b = new Float64Array(f);
  const xc = new Float64Array(f);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) xc[j] = data[i * f + j] - mean[j];
    const yc = y[i] - yMean;
    for (let j = 0; j < f; j++) {
      const v = xc[j];
      if (v === 0) continue;
      b[j] += v * yc;
      for (let k = j; k < f; k++) A[j * f + k] += v * xc[k];
    }
  }
  let maxDiag = 0;
  for (let j = 0; j < f; j++) {
    for (let k = 0; k < j; k++) A[j * f + k] = A[k * f + j];
    A[j * f + j] += alpha;
    maxDiag = Math.max(maxDiag, A[j * f + j]);
  }
  const w = solveSymmetric(A, b, f, maxDiag);
  let intercept = yMean;
  for (let j = 0; j < f; j++) intercept -= mean[j] * w[j];
  return { coef: w, intercept: Float64Array.of(fitIntercept ? intercept : 0), outputs: 1, features: f, iterations: 1 };
}

/** Solves A x = b for symmetric positive semi-definite A (Cholesky, with a tiny ridge if singular). */
function solveSymmetric(A: Float64Array, b: Float64Array, n: number, scale: number): Float64Array {
  for (let jitter = 0; ; jitter = jitter === 0 ? 1e-12 * Math.max(scale, 1) : jitter * 100) {
    const L = new Float64Array(n * n);
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = A[i * n + j] + (i === j ? jitter : 0);
        for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
        if (i === j) {
          if (s <= 1e-14 * Math.max(scale, 1)) {
            ok = false;
            break;
          }
          L[i * n + i] = Math.sqrt(s);
        } else {
          L[i * n + j] = s / L[j * n + j];
        }
      }
    }
    if (!ok) continue;
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = b[i];
      for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
      z[i] = s / L[i * n + i];
    }
    const x = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
      x[i] = s / L[i * n + i];
    }
    return x;
  }
}

/** Limited-memory BFGS (m=10) with a backtracking line search satisfying the Armijo condition. */
export function lbfgs(
  fg: (x: Float64Array, grad: Float64Array) => number,
  x0: Float64Array,
  options: { maxIter: number; tol: number; memory?: number },
): { x: Float64Array; value: number; iterations: number } {
  const m = options.memory ?? 10;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let fx = fg(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(m);
  let iter = 0;
  for (; iter < options.maxIter; iter++) {
    let gmax = 0;
    for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i]));
    if (gmax <= options.tol * Math.max(1, Math.abs(fx))) break;
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(S[k], d);
      axpy(-alpha[k], Y[k], d);
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    } else {
      const gn = Math.sqrt(dot(g, g));
      for (let i = 0; i < n; i++) d[i] /= Math.max(gn, 1);
    }
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k] * dot(Y[k], d);
      axpy(alpha[k] - beta, S[k], d);
    }
    let slope = dot(g, d);
    if (slope >= 0) {
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = dot(g, d);
      S.length = Y.length = rho.length = 0;
    }
    let step = 1;
    const xn = new Float64Array(n);
    const gn = new Float64Array(n);
    let fn = 0;
    let accepted = false;
    for (let ls = 0; ls < 60; ls++) {
      for (let i = 0; i < n; i++) xn[i] = x[i] + step * d[i];
      fn = fg(xn, gn);
      if (Number.isFinite(fn) && fn <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const s = new Float64Array(n);
    const yv = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xn[i] - x[i];
      yv[i] = gn[i] - g[i];
    }
    const sy = dot(s, yv);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(yv, yv))) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
    }
    const converged = Math.abs(fx - fn) <= 1e-14 * Math.max(1, Math.abs(fx));
    x = xn;
    g = gn;
    fx = fn;
    if (converged) break;
  }
  return { x, value: fx, iterations: iter };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}

/** Raw scores [rows × outputs] of a linear model. */
export function linearScores(model: LinearModel, X: Matrix): Float64Array {
  const { rows: n, cols: f, data } = X;
  const K = model.outputs;
  const out = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      let s = model.intercept[k];
      for (let j = 0; j < f; j++) s += model.coef[k * f + j] * data[i * f + j];
      out[i * K + k] = s;
    }
  }
  return out;
}

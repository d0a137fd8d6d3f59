// The synthetic training task shared by the training benchmarks: HIGGS-like shape (28 float
// features), a binary label from linear terms, an interaction, a sine and a step, plus noise.

/** `n` rows from seed `seed`, using @capstan/train's seeded `Rng` class. */
export function makeHiggsLike(Rng, n, seed, cols = 28) {
  const rng = new Rng(seed);
  const X = new Float32Array(n * cols);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < cols; j++) {
      const v = rng.normal();
      X[i * cols + j] = v;
      if (j < 8) z += (j % 2 ? 1 : -1) * v * 0.5;
    }
    z += X[i * cols + 8] * X[i * cols + 9] + Math.sin(2 * X[i * cols + 10]) + (X[i * cols + 11] > 0.5 ? 1 : -0.5);
    y[i] = z + rng.normal() > 0 ? 1 : 0;
  }
  return { X: { data: X, rows: n, cols }, y };
}

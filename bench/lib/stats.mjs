// Small statistics and formatting helpers.

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

export function summary(values) {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    min: values.length ? Math.min(...values) : NaN,
    max: values.length ? Math.max(...values) : NaN,
    mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN,
  };
}

/** 12345.6 -> "12,346"; small values keep 2 significant decimals. */
export function num(x, digits) {
  if (x === undefined || x === null || Number.isNaN(x)) return 'n/a';
  if (digits === undefined) digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ms(x) {
  return Number.isNaN(x) || x === undefined ? 'n/a' : `${num(x)} ms`;
}

/** "12.3×" for a/b (with a guard for missing values). */
export function ratio(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return 'n/a';
  const r = a / b;
  return `${r >= 100 ? num(r, 0) : r >= 10 ? num(r, 1) : num(r, 2)}×`;
}

export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function log(...args) {
  const t = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[${t}] ${args.join(' ')}\n`);
}

/** Deterministic PRNG (mulberry32), so both servers get identical data. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `worker(i)` for i in [0, n) with `concurrency` in flight; stops early when `shouldStop()`. */
export async function pool(n, concurrency, worker, { shouldStop = () => false } = {}) {
  let next = 0;
  let done = 0;
  const errors = [];
  async function lane() {
    while (next < n && !shouldStop()) {
      const i = next++;
      try {
        await worker(i);
        done++;
      } catch (error) {
        errors.push({ i, error });
        if (errors.length > 20) throw new Error(`too many errors; first: ${errors[0].error.message}`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  return { done, errors };
}

/** Prints progress of a long loop every `everyMs`. */
export function progress(label, total, everyMs = 5000) {
  const t0 = performance.now();
  let count = 0;
  let last = t0;
  return {
    add(k = 1) {
      count += k;
      const now = performance.now();
      if (now - last >= everyMs) {
        last = now;
        const rate = count / ((now - t0) / 1000);
        const eta = (total - count) / rate;
        log(`${label}: ${count.toLocaleString('en-US')}/${total.toLocaleString('en-US')} (${num(rate)}/s, ETA ${num(eta, 0)} s)`);
      }
    },
    get count() { return count; },
    elapsedMs: () => performance.now() - t0,
  };
}

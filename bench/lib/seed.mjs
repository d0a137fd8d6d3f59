// Seeding through the public API (log-batch), in parallel, with progress, retries that are
// counted (a retry is a server error worth reporting), and a time budget.
import { log } from './stats.mjs';

/**
 * Runs `task(i)` for i in [0, n) with `concurrency` lanes. A failed task is retried up to 3
 * times; the errors are kept. Stops issuing new tasks after `budgetMs`; tasks are issued in
 * index order, so on a stop every i < `done` ... is done except failed ones (reported).
 */
export async function seed(label, n, concurrency, task, { budgetMs = Infinity, unit = 'items', per = 1 } = {}) {
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  let stopped = false;
  const errors = [];
  const failed = [];
  let last = t0;
  async function lane() {
    while (next < n) {
      if (performance.now() - t0 > budgetMs) { stopped = true; return; }
      const i = next++;
      for (let attempt = 1; ; attempt++) {
        try {
          await task(i);
          done++;
          break;
        } catch (error) {
          errors.push(`${label} #${i} attempt ${attempt}: ${String(error.message ?? error).slice(0, 300)}`);
          if (errors.length === 1 || errors.length % 50 === 0) log(`${label}: error (${errors.length} so far): ${errors.at(-1)}`);
          if (attempt >= 3) { failed.push(i); break; }
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
      const now = performance.now();
      if (now - last > 5000) {
        last = now;
        const rate = done / ((now - t0) / 1000);
        log(`${label}: ${(done * per).toLocaleString('en-US')}/${(n * per).toLocaleString('en-US')} ${unit} (${Math.round(rate * per).toLocaleString('en-US')} ${unit}/s, ETA ${Math.round((n - done) / rate)} s${Number.isFinite(budgetMs) ? `, budget ${Math.round(budgetMs / 1000)} s` : ''})`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  const seconds = (performance.now() - t0) / 1000;
  log(`${label}: seeded ${(done * per).toLocaleString('en-US')} ${unit} in ${seconds.toFixed(1)} s (${Math.round((done * per) / seconds).toLocaleString('en-US')} ${unit}/s)${stopped ? ' — STOPPED at the time budget' : ''}${errors.length ? `, ${errors.length} errors, ${failed.length} failed for good` : ''}`);
  return { done, issued: next, seconds, stopped, errors, failed };
}

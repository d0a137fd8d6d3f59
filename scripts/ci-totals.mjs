// Sums test results over every suite CI ran (vitest JSON + pytest JUnit XML) and prints
// "N passed, N failed[, N skipped]". Exits non-zero when anything failed or a report is missing.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'ci-artifacts';
let passed = 0, failed = 0, skipped = 0, missing = 0;

const files = readdirSync(dir);
if (!files.includes('vitest.json')) { console.log('missing report: vitest.json'); missing++; }
for (const file of files) {
  if (file !== 'vitest.json' && !file.endsWith('.xml')) continue;
  const text = readFileSync(join(dir, file), 'utf8');
  if (file === 'vitest.json') {
    const r = JSON.parse(text);
    passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0); skipped += r.numPendingTests + r.numTodoTests;
    console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
  } else if (file.endsWith('.xml')) {
    let t = 0, f = 0, e = 0, s = 0;
    for (const m of text.matchAll(/<testsuite\b([^>]*)>/g)) {
      const attr = (n) => Number(new RegExp(`\\b${n}="(\\d+)"`).exec(m[1])?.[1] ?? 0);
      t += attr('tests'); f += attr('failures'); e += attr('errors'); s += attr('skipped');
    }
    passed += t - f - e - s; failed += f + e; skipped += s;
    console.log(`${file}: ${t - f - e - s} passed, ${f + e} failed, ${s} skipped`);
  }
}
failed += missing;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);

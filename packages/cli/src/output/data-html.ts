import type { WireCheckResult, WireValidationResult } from '@capstan/api';

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '<span class="null">null</span>';
  return esc(typeof v === 'object' ? JSON.stringify(v) : String(v));
}

function sampleTable(rows: Record<string, unknown>[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return `<table class="sample"><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${cols.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function result(r: WireCheckResult, i: number): string {
  const measure = r.unexpectedCount !== undefined
    ? `${r.unexpectedCount.toLocaleString('en')} of ${(r.elementCount ?? 0).toLocaleString('en')} rows unexpected (${((r.unexpectedShare ?? 0) * 100).toFixed(2)}%)`
    : r.observed !== undefined ? `observed: ${cell(r.observed)}` : '';
  return `<section class="check ${r.success ? 'pass' : 'fail'}" id="check-${i + 1}">
<h3><span class="badge">${r.success ? 'PASS' : 'FAIL'}</span> ${esc(r.title)}</h3>
${r.error ? `<p class="error">${esc(r.error)}</p>` : ''}${measure ? `<p>${measure}</p>` : ''}${r.details ? `<p>${esc(r.details)}</p>` : ''}
${r.sample && r.sample.length ? `<details${r.success ? '' : ' open'}><summary>Sample of failing rows (${r.sample.length})</summary>${sampleTable(r.sample)}</details>` : ''}
<details><summary>Check definition</summary><pre>${esc(JSON.stringify(r.check, null, 2))}</pre></details>
</section>`;
}

/** A self-contained HTML page for a validation result: summary, one section per check, failing rows sampled. */
export function renderValidationHtml(v: WireValidationResult): string {
  const s = v.statistics;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`${v.dataset}@${v.version} · ${v.suite}`)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1b1f24;padding:0 1rem}
h1{font-size:1.4rem}.summary{padding:1rem;border-radius:6px;margin-bottom:1.5rem}
.summary.pass{background:#e6f4ea}.summary.fail{background:#fdecea}
.check{border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;padding:.5rem 1rem;margin:.75rem 0}
.check.pass{border-left-color:#2da44e}.check.fail{border-left-color:#cf222e}
.badge{font-size:.75rem;padding:.1rem .4rem;border-radius:4px;color:#fff;background:#2da44e;vertical-align:middle}
.fail .badge{background:#cf222e}h3{margin:.3rem 0;font-size:1rem}.error{color:#cf222e}
table.sample{border-collapse:collapse;font-size:12px;margin:.5rem 0;display:block;overflow-x:auto}
table.sample th,table.sample td{border:1px solid #d0d7de;padding:2px 6px;text-align:left;white-space:nowrap}
.null{color:#8c959f;font-style:italic}pre{background:#f6f8fa;padding:.5rem;overflow-x:auto}
</style></head><body>
<h1>Validation of ${esc(v.dataset)}@${v.version} with suite “${esc(v.suite)}”</h1>
<div class="summary ${v.success ? 'pass' : 'fail'}"><strong>${v.success ? 'PASSED' : 'FAILED'}</strong>:
${s.successful} of ${s.evaluated} checks passed, ${s.failed} failed · ${v.rowCount.toLocaleString('en')} rows ·
${new Date(v.startTime).toISOString()} · ${v.durationMs} ms</div>
${v.results.map((r, i) => ({ r, i })).filter(({ r }) => !r.success).map(({ r, i }) => result(r, i)).join('\n')}
${v.results.map((r, i) => ({ r, i })).filter(({ r }) => r.success).map(({ r, i }) => result(r, i)).join('\n')}
</body></html>
`;
}

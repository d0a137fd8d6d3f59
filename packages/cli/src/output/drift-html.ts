import type { Column, ColumnDrift, DriftReport } from '@capstan/server/drift';
import { driftSummary, formatScore, formatShare } from './drift-report.js';

/** What {@link renderDriftHtml} needs: the report and the columns it was computed from. */
export interface DriftHtmlInput {
  report: DriftReport;
  reference: readonly Column[];
  current: readonly Column[];
  /** How the reference dataset is named in the report (its path). */
  referenceName: string;
  /** How the current dataset is named in the report (its path). */
  currentName: string;
  /** When the report was made (default: now). */
  generatedAt?: Date;
}

const REFERENCE_COLOR = '#4c78a8';
const CURRENT_COLOR = '#e45756';
const MAX_CATEGORIES = 20;
const MIN_BINS = 5;
const MAX_BINS = 40;
const WIDTH = 680;

/**
 * A self-contained HTML drift report (inline CSS and SVG, no scripts or external assets): the
 * summary, the per-column table, and one chart per drifted column: overlaid reference/current
 * histograms (shares per bin) for numeric columns, grouped bars of category shares otherwise.
 */
export function renderDriftHtml(input: DriftHtmlInput): string {
  const { report } = input;
  const reference = new Map(input.reference.map((c) => [c.name, c]));
  const current = new Map(input.current.map((c) => [c.name, c]));
  const rows = input.reference[0]?.values.length ?? 0;
  const currentRows = input.current[0]?.values.length ?? 0;
  const drifted = Object.entries(report.columns).filter(([, c]) => c.drift_detected);
  const charts = drifted.map(([name, drift]) => {
    const ref = reference.get(name);
    const cur = current.get(name);
    return ref && cur ? columnSection(name, drift, ref, cur) : '';
  });
  const generated = (input.generatedAt ?? new Date()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Data drift report</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 2rem auto; max-width: 960px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
h3 { font-size: 1rem; margin: 1.5rem 0 .3rem; }
.meta { color: #57606a; margin: 0; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: .6rem 1rem; min-width: 150px; }
.card b { display: block; font-size: 1.3rem; }
.card.bad b { color: #cf222e; } .card.good b { color: #1a7f37; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #eaeef2; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.drift td { background: #fff1f0; } tr.drift td.flag { color: #cf222e; font-weight: 600; }
svg { display: block; margin: .5rem 0 1rem; } svg text { font: 11px system-ui, sans-serif; fill: #57606a; }
</style>
</head>
<body>
<h1>Data drift report</h1>
<p class="meta">Reference: ${esc(input.referenceName)} (${rows.toLocaleString('en-US')} rows) &middot; Current: ${esc(input.currentName)} (${currentRows.toLocaleString('en-US')} rows) &middot; ${esc(generated)}</p>
<div class="cards">
<div class="card ${report.dataset_drift ? 'bad' : 'good'}">Dataset drift<b>${report.dataset_drift ? 'Detected' : 'Not detected'}</b></div>
<div class="card">Drifted columns<b>${report.number_of_drifted_columns} of ${report.number_of_columns}</b></div>
<div class="card">Share of drifted columns<b>${formatShare(report.share_of_drifted_columns)}</b></div>
<div class="card">Drift share threshold<b>${formatShare(report.drift_share)}</b></div>
</div>
<p>${esc(driftSummary(report))}</p>
<h2>Columns</h2>
<table>
<thead><tr><th>Column</th><th>Type</th><th>Stattest</th><th>Score</th><th>Threshold</th><th>Drift</th></tr></thead>
<tbody>
${Object.entries(report.columns).map(([name, c]) => `<tr${c.drift_detected ? ' class="drift"' : ''}><td>${esc(name)}</td><td>${esc(c.column_type)}</td><td>${esc(c.stattest)}</td><td class="num">${formatScore(c.score)}</td><td class="num">${formatScore(c.threshold)}</td><td class="flag">${c.drift_detected ? 'yes' : 'no'}</td></tr>`).join('\n')}
</tbody>
</table>
${drifted.length ? `<h2>Drifted columns</h2>\n${charts.join('\n')}` : '<p>No column drifted.</p>'}
</body>
</html>
`;
}

function columnSection(name: string, drift: ColumnDrift, reference: Column, current: Column): string {
  const numeric = drift.column_type === 'num' && reference.values instanceof Float64Array && current.values instanceof Float64Array;
  const chart = numeric
    ? histogramSvg(name, reference.values as Float64Array, current.values as Float64Array)
    : categorySvg(name, categoryCounts(reference), categoryCounts(current));
  return `<section>
<h3>${esc(name)}</h3>
<p class="meta">${esc(drift.stattest)}: score ${formatScore(drift.score)}, threshold ${formatScore(drift.threshold)}</p>
${chart}
</section>`;
}

function legend(x: number, y: number): string {
  return `<rect x="${x}" y="${y}" width="10" height="10" fill="${REFERENCE_COLOR}" opacity="0.6"/><text x="${x + 14}" y="${y + 9}">reference</text>`
    + `<rect x="${x + 84}" y="${y}" width="10" height="10" fill="${CURRENT_COLOR}" opacity="0.6"/><text x="${x + 98}" y="${y + 9}">current</text>`;
}

function histogramSvg(name: string, reference: Float64Array, current: Float64Array): string {
  let lo = Infinity;
  let hi = -Infinity;
  let finite = 0;
  for (const values of [reference, current]) {
    for (const v of values) {
      if (!Number.isFinite(v)) continue;
      finite++;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const height = 240;
  const [left, right, top, bottom] = [56, 12, 24, 36];
  if (finite === 0) return emptySvg(name, 'no finite values to plot');
  const bins = lo === hi ? 1 : Math.min(MAX_BINS, Math.max(MIN_BINS, Math.ceil(Math.log2(finite)) + 1));
  const width = hi - lo || 1;
  const start = lo === hi ? lo - 0.5 : lo;
  const shares = (values: Float64Array): number[] => {
    const counts = new Array<number>(bins).fill(0);
    let n = 0;
    for (const v of values) {
      if (!Number.isFinite(v)) continue;
      counts[Math.min(bins - 1, Math.floor(((v - start) / width) * bins))]!++;
      n++;
    }
    return counts.map((c) => (n ? c / n : 0));
  };
  const ref = shares(reference);
  const cur = shares(current);
  const peak = Math.max(...ref, ...cur) || 1;
  const plotW = WIDTH - left - right;
  const plotH = height - top - bottom;
  const barW = plotW / bins;
  const edge = (i: number) => start + (width * i) / bins;
  const bars = ref.flatMap((r, i) => {
    const c = cur[i]!;
    const x = (left + i * barW).toFixed(1);
    const tip = `<title>[${formatScore(edge(i))}, ${formatScore(edge(i + 1))}): reference ${formatShare(r)}, current ${formatShare(c)}</title>`;
    return [r, c].map((share, k) => {
      const h = (share / peak) * plotH;
      return `<rect x="${x}" y="${(top + plotH - h).toFixed(1)}" width="${Math.max(0.5, barW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${k ? CURRENT_COLOR : REFERENCE_COLOR}" opacity="0.55">${tip}</rect>`;
    });
  });
  const ticks = [0, Math.floor(bins / 2), bins].map((i) => {
    const x = left + i * barW;
    const anchor = i === 0 ? 'start' : i === bins ? 'end' : 'middle';
    return `<line x1="${x.toFixed(1)}" y1="${top + plotH}" x2="${x.toFixed(1)}" y2="${top + plotH + 4}" stroke="#8c959f"/><text x="${x.toFixed(1)}" y="${top + plotH + 16}" text-anchor="${anchor}">${esc(formatScore(edge(i)))}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${esc(`Histogram of ${name}: reference vs current`)}">
${bars.join('')}
<line x1="${left}" y1="${top + plotH}" x2="${WIDTH - right}" y2="${top + plotH}" stroke="#8c959f"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#8c959f"/>
<text x="${left - 6}" y="${top + 4}" text-anchor="end">${formatShare(peak)}</text><text x="${left - 6}" y="${top + plotH}" text-anchor="end">0%</text>
${ticks.join('')}
<text x="${left + plotW / 2}" y="${height - 4}" text-anchor="middle">${esc(name)} (share of rows per bin)</text>
${legend(WIDTH - right - 160, 4)}
</svg>`;
}

function categoryCounts(column: Column): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  if (column.values instanceof Float64Array) {
    for (const v of column.values) {
      const key = Number.isNaN(v) ? null : String(v);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  } else {
    for (const v of column.values) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

function categorySvg(name: string, reference: Map<string | null, number>, current: Map<string | null, number>): string {
  const total = (m: Map<string | null, number>) => [...m.values()].reduce((s, v) => s + v, 0) || 1;
  const refTotal = total(reference);
  const curTotal = total(current);
  const keys = [...new Set([...reference.keys(), ...current.keys()])]
    .map((key) => ({ key, ref: (reference.get(key) ?? 0) / refTotal, cur: (current.get(key) ?? 0) / curTotal }))
    .sort((a, b) => b.ref + b.cur - (a.ref + a.cur));
  const shown = keys.slice(0, MAX_CATEGORIES).map((k) => ({ label: k.key === null ? '(missing)' : k.key, ref: k.ref, cur: k.cur }));
  const rest = keys.slice(MAX_CATEGORIES);
  if (rest.length) {
    shown.push({ label: `(${rest.length} other values)`, ref: rest.reduce((s, k) => s + k.ref, 0), cur: rest.reduce((s, k) => s + k.cur, 0) });
  }
  if (shown.length === 0) return emptySvg(name, 'no values to plot');
  const [labelW, top, rowH, barH] = [170, 24, 30, 11];
  const plotW = WIDTH - labelW - 70;
  const peak = Math.max(...shown.map((s) => Math.max(s.ref, s.cur))) || 1;
  const height = top + shown.length * rowH + 8;
  const rows = shown.map((s, i) => {
    const y = top + i * rowH;
    const label = s.label.length > 26 ? `${s.label.slice(0, 25)}…` : s.label;
    const bar = (share: number, k: number) => {
      const w = (share / peak) * plotW;
      const by = y + 3 + k * (barH + 2);
      return `<rect x="${labelW}" y="${by}" width="${Math.max(w, share > 0 ? 1 : 0).toFixed(1)}" height="${barH}" fill="${k ? CURRENT_COLOR : REFERENCE_COLOR}" opacity="0.75"/><text x="${(labelW + w + 4).toFixed(1)}" y="${by + barH - 2}">${formatShare(share)}</text>`;
    };
    return `<g><title>${esc(s.label)}: reference ${formatShare(s.ref)}, current ${formatShare(s.cur)}</title><text x="${labelW - 8}" y="${y + 17}" text-anchor="end">${esc(label)}</text>${bar(s.ref, 0)}${bar(s.cur, 1)}</g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${esc(`Category shares of ${name}: reference vs current`)}">
${legend(WIDTH - 170, 4)}
${rows.join('\n')}
</svg>`;
}

function emptySvg(name: string, reason: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="40" viewBox="0 0 ${WIDTH} 40" role="img" aria-label="${esc(name)}"><text x="8" y="24">${esc(reason)}</text></svg>`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

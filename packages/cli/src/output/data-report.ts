import type { WireCheckResult, WireDatasetDiff, WireDatasetProfile, WireDatasetRecord, WireDatasetVersion, WireValidationResult } from '@capstan/api';
import { formatBytes, formatTime } from './format.js';
import { renderDetails, renderTable } from './table.js';

/** `data list` without a name. */
export function datasetsTable(rows: readonly WireDatasetRecord[]): string {
  return renderTable(rows, [
    { header: 'NAME', value: (d) => d.name },
    { header: 'LATEST', value: (d) => (d.latestVersion ? String(d.latestVersion) : '-'), align: 'right' },
    { header: 'UPDATED', value: (d) => formatTime(d.lastUpdateTime) },
    { header: 'DESCRIPTION', value: (d) => d.description, max: 60 },
  ], 'No datasets.');
}

/** `data list NAME`. */
export function versionsTable(rows: readonly WireDatasetVersion[]): string {
  return renderTable(rows, [
    { header: 'VERSION', value: (v) => String(v.version), align: 'right' },
    { header: 'FILES', value: (v) => String(v.fileCount), align: 'right' },
    { header: 'SIZE', value: (v) => formatBytes(v.totalBytes), align: 'right' },
    { header: 'DIGEST', value: (v) => v.digest.slice(0, 12) },
    { header: 'CREATED', value: (v) => formatTime(v.creationTime) },
    { header: 'MESSAGE', value: (v) => v.message, max: 50 },
  ], 'No versions.');
}

/** `data show`. */
export function versionDetails(v: WireDatasetVersion): string {
  return renderDetails([
    ['Dataset', v.name], ['Version', String(v.version)], ['Digest', `sha256:${v.digest}`], ['Files', String(v.fileCount)],
    ['Size', `${formatBytes(v.totalBytes)} (${v.totalBytes} bytes)`], ['Created', formatTime(v.creationTime)], ['User', v.userId],
    ['Message', v.message], ['Tags', Object.entries(v.tags).map(([k, val]) => `${k}=${val}`).join(', ')],
  ]);
}

/** `data diff` as text: one line per file, `+` added, `-` removed, `~` changed, `>` renamed. */
export function diffText(d: WireDatasetDiff): string {
  const rows = (n?: number) => (n === undefined ? '' : `, ${n} rows`);
  const lines: string[] = [`${d.name}: version ${d.from} → ${d.to}`];
  for (const f of d.added) lines.push(`+ ${f.path} (${formatBytes(f.size)}${rows(f.rows)})`);
  for (const f of d.removed) lines.push(`- ${f.path} (${formatBytes(f.size)}${rows(f.rows)})`);
  for (const f of d.renamed) lines.push(`> ${f.from} → ${f.to}`);
  for (const c of d.changed) {
    lines.push(`~ ${c.path} (${formatBytes(c.from.size)} → ${formatBytes(c.to.size)})`);
    if (c.table) {
      const t = c.table;
      const delta = t.rowsTo - t.rowsFrom;
      lines.push(`    rows: ${t.rowsFrom} → ${t.rowsTo} (${delta >= 0 ? '+' : ''}${delta})`);
      for (const col of t.addedColumns) lines.push(`    + column ${col.name} ${col.type}`);
      for (const col of t.removedColumns) lines.push(`    - column ${col.name} ${col.type}`);
      for (const col of t.retypedColumns) lines.push(`    ~ column ${col.name}: ${col.from} → ${col.to}`);
    } else if (c.tableError) lines.push(`    (cannot compare as a table: ${c.tableError})`);
  }
  lines.push(`${d.added.length} added, ${d.removed.length} removed, ${d.renamed.length} renamed, ${d.changed.length} changed, ${d.unchanged} unchanged`);
  return lines.join('\n');
}

function fmt(x: unknown): string {
  if (x === undefined || x === null) return '';
  if (typeof x === 'number') return Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+$/, '');
  return String(x);
}

/** `data profile` as a table. */
export function profileTable(p: WireDatasetProfile): string {
  return `${p.rowCount} rows, ${p.columns.length} columns, ${p.files.length} file${p.files.length === 1 ? '' : 's'} (${p.computeMs} ms)\n\n${renderTable(p.columns, [
    { header: 'COLUMN', value: (c) => c.name, max: 30 },
    { header: 'TYPE', value: (c) => c.type },
    { header: 'NULLS', value: (c) => `${(c.nullShare * 100).toFixed(1)}%`, align: 'right' },
    { header: 'DISTINCT', value: (c) => String(c.distinct), align: 'right' },
    { header: 'MIN', value: (c) => fmt(c.min), max: 20 },
    { header: 'MEDIAN', value: (c) => fmt(c.quantiles?.['0.5']), max: 14 },
    { header: 'MAX', value: (c) => fmt(c.max), max: 20 },
    { header: 'MEAN', value: (c) => fmt(c.mean) },
    { header: 'TOP', value: (c) => (c.topValues ?? []).slice(0, 3).map((t) => `${t.value} (${t.count})`).join(', '), max: 40 },
  ])}`;
}

function outcome(r: WireCheckResult): string {
  if (r.error) return `error: ${r.error}`;
  if (r.unexpectedCount !== undefined) return `${r.unexpectedCount} of ${r.elementCount} rows unexpected (${((r.unexpectedShare ?? 0) * 100).toFixed(2)}%)`;
  if (r.details) return r.details;
  return typeof r.observed === 'object' ? JSON.stringify(r.observed) : `observed ${fmt(r.observed)}`;
}

/** `data validate` as a table plus a summary line. */
export function validationText(v: WireValidationResult): string {
  const table = renderTable(v.results, [
    { header: 'RESULT', value: (r) => (r.success ? 'pass' : 'FAIL') },
    { header: 'CHECK', value: (r) => r.title, max: 60 },
    { header: 'OUTCOME', value: outcome, max: 100 },
  ]);
  const s = v.statistics;
  return `${table}\n\n${v.success ? 'PASSED' : 'FAILED'}: ${s.successful} of ${s.evaluated} checks passed on ${v.dataset}@${v.version} (${v.rowCount} rows, ${v.durationMs} ms)`;
}

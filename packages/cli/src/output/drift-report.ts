import type { ColumnDrift, DriftReport } from '@capstan/server/drift';
import { renderTable } from './table.js';

/** One column of `capstan drift --json`, keys in Evidently's order. */
export interface DriftJsonColumn {
  column_type: ColumnDrift['column_type'];
  stattest: string;
  score: number;
  threshold: number;
  drift_detected: boolean;
}

/** The object `capstan drift --json` prints (Evidently's DataDriftTable/DatasetDriftMetric fields). */
export interface DriftJson {
  dataset_drift: boolean;
  drift_share: number;
  number_of_columns: number;
  number_of_drifted_columns: number;
  share_of_drifted_columns: number;
  columns: Record<string, DriftJsonColumn>;
}

/** The report as `--json` prints it: exactly the documented keys, in a fixed order. */
export function driftJson(report: DriftReport): DriftJson {
  const columns: Record<string, DriftJsonColumn> = {};
  for (const [name, c] of Object.entries(report.columns)) {
    columns[name] = { column_type: c.column_type, stattest: c.stattest, score: c.score, threshold: c.threshold, drift_detected: c.drift_detected };
  }
  return {
    dataset_drift: report.dataset_drift,
    drift_share: report.drift_share,
    number_of_columns: report.number_of_columns,
    number_of_drifted_columns: report.number_of_drifted_columns,
    share_of_drifted_columns: report.share_of_drifted_columns,
    columns,
  };
}

/** A score or threshold in at most 4 significant digits; tiny p-values in exponent form. */
export function formatScore(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude < 1e-4 || magnitude >= 1e6) return value.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(4)));
}

/** A share as a percentage with at most one decimal: `60%`, `33.3%`. */
export function formatShare(share: number): string {
  return `${Number((share * 100).toFixed(1))}%`;
}

/** The per-column table: column, type, stattest, score, threshold, drift. */
export function driftTable(report: DriftReport): string {
  const rows = Object.entries(report.columns);
  return renderTable(rows, [
    { header: 'COLUMN', value: ([name]) => name, max: 40 },
    { header: 'TYPE', value: ([, c]) => c.column_type },
    { header: 'STATTEST', value: ([, c]) => c.stattest },
    { header: 'SCORE', value: ([, c]) => formatScore(c.score), align: 'right' },
    { header: 'THRESHOLD', value: ([, c]) => formatScore(c.threshold), align: 'right' },
    { header: 'DRIFT', value: ([, c]) => (c.drift_detected ? 'yes' : 'no') },
  ], 'No columns compared.');
}

/** One line saying whether the dataset drifted and why. */
export function driftSummary(report: DriftReport): string {
  const counts = `${report.number_of_drifted_columns} of ${report.number_of_columns} columns drifted`;
  const share = formatShare(report.share_of_drifted_columns);
  const limit = formatShare(report.drift_share);
  return report.dataset_drift
    ? `Dataset drift detected: ${counts} (${share}, at or above the drift share of ${limit}).`
    : `No dataset drift: ${counts} (${share}, below the drift share of ${limit}).`;
}

/** Columns the engine left out (text columns, columns in one file only), one per line; `''` when none. */
export function driftSkipped(report: DriftReport): string {
  const skipped = Object.entries(report.skipped_columns ?? {});
  return skipped.length ? `Skipped columns:\n${skipped.map(([name, reason]) => `  ${name}: ${reason}`).join('\n')}` : '';
}

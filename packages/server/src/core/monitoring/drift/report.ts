import { invalidParameter } from '@capstan/api';
import type { ColumnDrift, DriftReport } from './types.js';

/** Evidently's default share of drifted columns at or above which a dataset drifts. */
export const DEFAULT_DRIFT_SHARE = 0.5;

/**
 * The dataset-level rule over per-column results: drifted share ≥ `driftShare` (default 0.5).
 * Shared by exact mode and streaming profiles.
 * @throws INVALID_PARAMETER_VALUE when no column was tested (`what` names the inputs).
 */
export function assembleDriftReport<C extends ColumnDrift>(
  columns: Record<string, C>,
  skipped: Record<string, string>,
  driftShare: number | undefined,
  what: string,
): DriftReport & { columns: Record<string, C> } {
  const tested = Object.keys(columns).length;
  if (tested === 0) throw invalidParameter(`No column to compare: the ${what} share no testable column`);
  const drifted = Object.values(columns).filter((c) => c.drift_detected).length;
  const share = drifted / tested;
  const threshold = driftShare ?? DEFAULT_DRIFT_SHARE;
  const report: DriftReport & { columns: Record<string, C> } = {
    dataset_drift: share >= threshold,
    drift_share: threshold,
    number_of_columns: tested,
    number_of_drifted_columns: drifted,
    share_of_drifted_columns: share,
    columns,
  };
  if (Object.keys(skipped).length > 0) report.skipped_columns = skipped;
  return report;
}

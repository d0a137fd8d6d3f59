import { useMemo } from 'react';
import { MetricChart, type ChartSeries } from '../../../components/metric-chart';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { formatCount } from '../../../lib/format';
import { useAsync, useSeen } from '../../../lib/use-async';
import { fetchHistories } from '../metric-history';

/** A run drawn in a chart. */
export interface ChartRun {
  id: string;
  label: string;
  color: string;
}

const CHART_HEIGHT = 200;

/**
 * One metric of one or more runs, downsampled on the server to `maxResults` points per run and
 * fetched when the card scrolls into view. Space is reserved up front so the page does not jump.
 */
export function MetricChartCard({ metricKey, runs, maxResults = 1000 }: { metricKey: string; runs: ChartRun[]; maxResults?: number }) {
  const [ref, seen] = useSeen<HTMLDivElement>();
  const ids = runs.map((r) => r.id).join(',');
  const [state, reload] = useAsync(
    (signal) => (seen ? fetchHistories(ids.split(','), metricKey, maxResults, signal) : new Promise<never>(() => {})),
    [seen, ids, metricKey, maxResults],
  );
  const series = useMemo<ChartSeries[]>(() => {
    if (state.status !== 'ready') return [];
    return runs.flatMap((r) => {
      const h = state.data.get(r.id);
      return h && h.steps.length ? [{ label: r.label, color: r.color, steps: h.steps, values: h.values }] : [];
    });
  }, [state, runs]);
  const points = series.reduce((n, s) => n + s.steps.length, 0);

  return (
    <div ref={ref} className="chart-card" data-metric={metricKey}>
      <div className="chart-card-head">
        <h3 className="chart-card-title mono" title={metricKey}>{metricKey}</h3>
        <span className="muted small">{state.status === 'ready' && points ? `${formatCount(points)} point${points === 1 ? '' : 's'}` : ''}</span>
      </div>
      <div className="chart-card-body" style={{ minHeight: CHART_HEIGHT + 40 }}>
        {state.status === 'error' ? (
          <ErrorState problem={state.problem} retry={reload} height={CHART_HEIGHT} />
        ) : state.status === 'loading' ? (
          <Loading label="Loading history…" height={CHART_HEIGHT} />
        ) : series.length === 0 ? (
          <Empty title="No points logged" height={CHART_HEIGHT} />
        ) : (
          <MetricChart title={metricKey} series={series} height={CHART_HEIGHT} />
        )}
      </div>
    </div>
  );
}

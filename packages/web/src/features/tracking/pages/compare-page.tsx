import { useMemo, useState } from 'react';
import { tracking } from '@capstan/api';
import type { WireRun } from '@capstan/client';
import { Badge, PageHeader, Section } from '../../../components/page';
import { ParallelCoordinates, type PcAxis } from '../../../components/parallel-coordinates';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { client, problemOf } from '../../../lib/api';
import { formatValue, numberOf } from '../../../lib/format';
import { link, navigate, seg, setQuery, useRoute } from '../../../lib/router';
import { colorAt } from '../../../lib/theme';
import { useAsync, useTitle } from '../../../lib/use-async';
import { MetricChartCard, type ChartRun } from '../components/metric-chart-card';
import { MAX_CHART_RUNS } from '../metric-history';
import { isSystemTag } from '../runs';

/** Points per run per chart on the compare page. */
const COMPARE_CHART_POINTS = 1000;
const DEFAULT_AXES = 8;

interface Compared {
  runs: WireRun[];
  missing: { id: string; message: string }[];
}

async function loadRuns(ids: string[], signal: AbortSignal): Promise<Compared> {
  const results = await Promise.allSettled(ids.map((id) => client.call(tracking.getRun, { run_id: id }, { signal })));
  const runs: WireRun[] = [];
  const missing: Compared['missing'] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') runs.push(r.value.run);
    else missing.push({ id: ids[i]!, message: problemOf(r.reason).message });
  });
  return { runs, missing };
}

interface DiffRow {
  key: string;
  values: (string | undefined)[];
  differs: boolean;
}

function diffRows(runs: WireRun[], pick: (run: WireRun) => Map<string, string>): DiffRow[] {
  const maps = runs.map(pick);
  const keys = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort((a, b) => a.localeCompare(b));
  return keys.map((key) => {
    const values = maps.map((m) => m.get(key));
    return { key, values, differs: values.some((v) => v !== values[0]) };
  });
}

function DiffTable({ title, rows, runs, onlyDiffs }: { title: string; rows: DiffRow[]; runs: ChartRun[]; onlyDiffs: boolean }) {
  const shown = onlyDiffs ? rows.filter((r) => r.differs) : rows;
  return (
    <>
      <tr className="diff-section"><th colSpan={runs.length + 1} scope="colgroup">{title} <span className="muted">({rows.filter((r) => r.differs).length} of {rows.length} differ)</span></th></tr>
      {shown.length === 0 ? (
        <tr><td colSpan={runs.length + 1} className="muted">{rows.length ? 'No differences' : 'None logged'}</td></tr>
      ) : shown.map((r) => (
        <tr key={`${title}-${r.key}`} className={r.differs ? 'differs' : undefined} data-differs={r.differs || undefined}>
          <th scope="row" className="mono">{r.key}</th>
          {r.values.map((v, i) => <td key={runs[i]!.id} className={`mono${v === undefined ? ' muted' : ''}`}>{v ?? '—'}</td>)}
        </tr>
      ))}
    </>
  );
}

/** `/compare?runs=a,b`: params and metrics side by side, overlaid charts and parallel coordinates. */
export function ComparePage() {
  const { query } = useRoute();
  const ids = useMemo(() => [...new Set((query.get('runs') ?? '').split(',').map((s) => s.trim()).filter(Boolean))], [query]);
  const onlyDiffs = query.get('diff') === '1';
  useTitle(`Compare ${ids.length} runs`);
  const [state, reload] = useAsync((signal) => loadRuns(ids, signal), [ids.join(',')]);
  const runs = state.status === 'ready' ? state.data.runs : [];

  const chartRuns = useMemo<ChartRun[]>(() => runs.map((r, i) => ({ id: r.info.run_id, label: r.info.run_name || r.info.run_id.slice(0, 8), color: colorAt(i) })), [runs]);
  const params = useMemo(() => diffRows(runs, (r) => new Map((r.data.params ?? []).map((p) => [p.key, p.value]))), [runs]);
  const metrics = useMemo(() => diffRows(runs, (r) => new Map((r.data.metrics ?? []).map((m) => [m.key, formatValue(m.value)]))), [runs]);
  const tags = useMemo(() => diffRows(runs, (r) => new Map((r.data.tags ?? []).filter((t) => !isSystemTag(t.key)).map((t) => [t.key, t.value]))), [runs]);

  const candidates = useMemo<PcAxis[]>(() => [
    ...params.map((p) => ({ key: `p:${p.key}`, label: p.key, differs: p.differs, values: new Map(runs.flatMap((r) => {
      const v = r.data.params?.find((x) => x.key === p.key)?.value;
      return v === undefined ? [] : [[r.info.run_id, v] as const];
    })) })),
    ...metrics.map((m) => ({ key: `m:${m.key}`, label: m.key, differs: m.differs, values: new Map(runs.flatMap((r) => {
      const v = numberOf(r.data.metrics?.find((x) => x.key === m.key)?.value);
      return v === undefined || !Number.isFinite(v) ? [] : [[r.info.run_id, v] as const];
    })) })),
  ], [params, metrics, runs]);
  const defaultAxes = useMemo(() => {
    const differing = candidates.filter((c) => (c as PcAxis & { differs: boolean }).differs);
    return (differing.length ? differing : candidates).slice(0, DEFAULT_AXES).map((c) => c.key);
  }, [candidates]);
  const [axesChoice, setAxesChoice] = useState<string[] | null>(null);
  const axisKeys = axesChoice ?? defaultAxes;
  const axes = candidates.filter((c) => axisKeys.includes(c.key));

  const remove = (id: string) => navigate(link('/compare', { runs: ids.filter((x) => x !== id).join(','), diff: onlyDiffs ? '1' : undefined }), { replace: true });

  const header = <PageHeader crumbs={[{ label: 'Experiments', href: link('/experiments') }]} title={`Compare ${ids.length} run${ids.length === 1 ? '' : 's'}`} subtitle={runs[0] ? <a href={link(`/experiments/${seg(runs[0].info.experiment_id)}`)}>Back to the experiment</a> : '\u00a0'} />;
  if (ids.length === 0) {
    return <div className="page">{header}<Empty title="No runs chosen" height={240}>Select runs in an experiment’s table and press Compare.</Empty></div>;
  }
  if (state.status === 'error') return <div className="page">{header}<ErrorState problem={state.problem} retry={reload} height={240} /></div>;
  if (state.status === 'loading') return <div className="page">{header}<Loading label="Loading runs…" height={480} /></div>;

  return (
    <div className="page">
      {header}
      {state.data.missing.length ? (
        <div className="notice" role="alert">Could not load {state.data.missing.length} run(s): {state.data.missing.map((m) => `${m.id} (${m.message})`).join('; ')}</div>
      ) : null}
      {runs.length > MAX_CHART_RUNS ? <div className="notice">Charts show the first {MAX_CHART_RUNS} runs.</div> : null}
      <ul className="run-chips" aria-label="Compared runs">
        {chartRuns.map((r, i) => (
          <li key={r.id} className="run-chip">
            <span className="swatch" style={{ background: r.color }} aria-hidden="true" />
            <a href={link(`/runs/${seg(r.id)}`)}>{r.label}</a>
            <Badge value={runs[i]!.info.status} />
            <button type="button" className="icon-button" aria-label={`Remove ${r.label} from the comparison`} onClick={() => remove(r.id)}>×</button>
          </li>
        ))}
      </ul>

      <Section
        title="Parameters and metrics"
        id="diff"
        actions={
          <label className="check">
            <input type="checkbox" checked={onlyDiffs} onChange={(e) => setQuery({ diff: e.target.checked ? '1' : undefined }, { replace: true })} />
            Only differences
          </label>
        }
      >
        <div className="table-scroll">
          <table className="table diff-table" aria-label="Parameters and metrics side by side">
            <thead>
              <tr>
                <th scope="col">Key</th>
                {chartRuns.map((r) => <th key={r.id} scope="col"><span className="swatch" style={{ background: r.color }} aria-hidden="true" /> {r.label}</th>)}
              </tr>
            </thead>
            <tbody>
              <DiffTable title="Parameters" rows={params} runs={chartRuns} onlyDiffs={onlyDiffs} />
              <DiffTable title="Metrics (latest)" rows={metrics} runs={chartRuns} onlyDiffs={onlyDiffs} />
              {tags.length ? <DiffTable title="Tags" rows={tags} runs={chartRuns} onlyDiffs={onlyDiffs} /> : null}
            </tbody>
          </table>
        </div>
      </Section>

      <Section title="Metric charts" id="charts">
        {metrics.length === 0 ? <Empty title="These runs logged no metrics" height={80} /> : (
          <div className="chart-grid">
            {metrics.map((m) => <MetricChartCard key={m.key} metricKey={m.key} runs={chartRuns.slice(0, MAX_CHART_RUNS)} maxResults={COMPARE_CHART_POINTS} />)}
          </div>
        )}
      </Section>

      <Section title="Parallel coordinates" id="parallel">
        {candidates.length === 0 ? <Empty title="No params or metrics to plot" height={80} /> : (
          <>
            <fieldset className="axis-picker">
              <legend className="muted small">Axes</legend>
              {candidates.map((c) => (
                <label key={c.key} className="chip-check">
                  <input
                    type="checkbox"
                    checked={axisKeys.includes(c.key)}
                    onChange={() => setAxesChoice(axisKeys.includes(c.key) ? axisKeys.filter((k) => k !== c.key) : [...axisKeys, c.key])}
                  />
                  <span className="muted">{c.key.startsWith('p:') ? 'param' : 'metric'}</span> <span className="mono">{c.label}</span>
                </label>
              ))}
            </fieldset>
            {axes.length ? <ParallelCoordinates lines={chartRuns} axes={axes} /> : <Empty title="Choose at least one axis" height={320} />}
          </>
        )}
      </Section>
    </div>
  );
}

import { useEffect, useMemo, useState } from 'react';
import { tracking } from '@capstan/api';
import { Badge, PageHeader } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { VirtualTable, type VirtualColumn } from '../../../components/virtual-table';
import { client } from '../../../lib/api';
import { formatCount, formatDuration, formatTime, formatValue } from '../../../lib/format';
import { link, navigate, seg, setQuery, useRoute } from '../../../lib/router';
import { useAsync, useTitle } from '../../../lib/use-async';
import { usePagedList } from '../../../lib/use-paged';
import { ColumnPicker } from '../components/column-picker';
import { ATTRIBUTES, DEFAULT_SORT, collectKeys, defaultColumns, orderByOf, parseColumn, toRow, type ColumnRef, type RunRow } from '../runs';

const PAGE = 1000;
/** The most runs one comparison takes (the server's bulk metric-history limit). */
const MAX_COMPARE = 100;
const KIND_LABEL = { attribute: '', metric: 'metric', param: 'param', tag: 'tag' } as const;

function attributeCell(row: RunRow, key: string) {
  switch (key) {
    case 'status': return <Badge value={row.status} />;
    case 'start_time': return formatTime(row.start);
    case 'end_time': return formatTime(row.end);
    case 'duration': return row.end ? formatDuration(row.end - row.start) : row.status === 'RUNNING' ? 'running' : '';
    case 'user_id': return row.user;
    case 'run_id': return <span className="mono">{row.id}</span>;
    default: return '';
  }
}

function columnOf(ref: ColumnRef, sort: string, dir: 'asc' | 'desc'): VirtualColumn<RunRow> {
  const base = { id: ref.id, sort: ref.id === sort ? dir : undefined, sortable: orderByOf(ref.id, dir) !== undefined };
  if (ref.kind === 'attribute') {
    const a = ATTRIBUTES.find((x) => x.key === ref.key);
    return { ...base, label: a?.label ?? ref.key, width: a?.width ?? 120, render: (r) => attributeCell(r, ref.key) };
  }
  if (ref.kind === 'metric') {
    return { ...base, kind: KIND_LABEL.metric, label: ref.key, width: 120, align: 'right', render: (r) => <span className="mono">{formatValue(r.metrics.get(ref.key))}</span> };
  }
  const map = (r: RunRow) => (ref.kind === 'param' ? r.params : r.tags).get(ref.key);
  return { ...base, kind: KIND_LABEL[ref.kind], label: ref.key, width: 140, render: (r) => <span className="mono">{map(r) ?? ''}</span>, title: map };
}

/**
 * `/experiments/:id`: the runs table. Filter (MLflow syntax), sort and columns live in the URL;
 * runs arrive in pages of 1000 and render as they come; rows are virtualised.
 */
export function ExperimentPage({ experimentId }: { experimentId: string }) {
  const { query } = useRoute();
  const filter = query.get('filter') ?? '';
  const sort = query.get('sort') ?? DEFAULT_SORT;
  const dir = query.get('dir') === 'asc' ? 'asc' : query.get('dir') === 'desc' ? 'desc' : 'desc';
  const colsParam = query.get('cols');
  const orderBy = orderByOf(sort, dir);

  const [experiment] = useAsync((signal) => client.call(tracking.getExperiment, { experiment_id: experimentId }, { signal }), [experimentId]);
  const name = experiment.status === 'ready' ? experiment.data.experiment.name : '';
  useTitle(name || `Experiment ${experimentId}`);

  const [text, setText] = useState(filter);
  useEffect(() => setText(filter), [filter]);
  const [picking, setPicking] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  useEffect(() => setSelected(new Set()), [experimentId]);

  const runs = usePagedList(async (token, signal) => {
    const page = await client.call(tracking.searchRuns, {
      experiment_ids: [experimentId],
      filter: filter || undefined,
      order_by: orderBy ? [orderBy] : undefined,
      max_results: PAGE,
      page_token: token,
    }, { signal });
    return { items: (page.runs ?? []).map(toRow), next: page.next_page_token };
  }, [experimentId, filter, orderBy], { all: true });

  const keys = useMemo(() => collectKeys(runs.items, { metrics: new Set(), params: new Set(), tags: new Set() }), [runs.items]);
  const chosen = useMemo(() => (colsParam !== null ? colsParam.split(',').filter((c) => parseColumn(c)) : defaultColumns(keys)), [colsParam, keys]);

  const columns = useMemo<VirtualColumn<RunRow>[]>(() => [
    {
      id: 'a:run_name',
      label: 'Run',
      width: 220,
      sticky: true,
      sortable: true,
      sort: sort === 'a:run_name' ? dir : undefined,
      render: (r) => <a href={link(`/runs/${seg(r.id)}`)} tabIndex={-1} onClick={(e) => e.stopPropagation()}>{r.name}</a>,
      title: (r) => r.name,
    },
    ...chosen.map((c) => columnOf(parseColumn(c)!, sort, dir)),
  ], [chosen, sort, dir]);

  const onSort = (c: VirtualColumn<RunRow>) => {
    const nextDir = c.id === sort ? (dir === 'desc' ? 'asc' : 'desc') : 'desc';
    const isDefault = c.id === DEFAULT_SORT && nextDir === 'desc';
    setQuery({ sort: isDefault ? undefined : c.id, dir: isDefault ? undefined : nextDir });
  };
  const toggle = (id: string) => setSelected((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  const toggleAll = () => setSelected((s) => (s.size >= runs.items.length ? new Set() : new Set(runs.items.map((r) => r.id))));
  const compare = () => navigate(link('/compare', { runs: [...selected].join(',') }));
  const setColumns = (cols: string[] | null) => setQuery({ cols: cols === null ? undefined : cols.join(',') }, { replace: true });

  const count = runs.items.length;
  const filterProblem = runs.problem && count === 0 ? runs.problem : undefined;
  const status = !runs.loaded ? 'Loading runs…' : runs.loading ? `${formatCount(count)} runs loaded, loading more…` : `${formatCount(count)} run${count === 1 ? '' : 's'}${filter ? ' match' : ''}`;

  return (
    <div className="page page-fill">
      <PageHeader
        crumbs={[{ label: 'Experiments', href: link('/experiments') }]}
        title={experiment.status === 'error' ? `Experiment ${experimentId}` : name || '\u00a0'}
        subtitle={experiment.status === 'ready' ? <span className="mono muted">ID {experimentId} · {experiment.data.experiment.artifact_location}</span> : '\u00a0'}
      />
      {experiment.status === 'error' ? <ErrorState problem={experiment.problem} height={60} /> : null}
      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ filter: text.trim() });
        }}
      >
        <input
          className={`input grow mono${filterProblem ? ' invalid' : ''}`}
          type="search"
          placeholder="metrics.rmse < 1 and params.model = 'tree' and tags.team = 'search'"
          aria-label="Filter runs (MLflow search syntax)"
          aria-invalid={filterProblem ? true : undefined}
          aria-describedby="filter-help"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <button className="button" type="submit">Search</button>
        {filter ? <button className="button" type="button" onClick={() => setQuery({ filter: undefined })}>Clear</button> : null}
        <button className="button" type="button" onClick={() => setPicking(true)} aria-haspopup="dialog">Columns</button>
        <button
          className="button primary"
          type="button"
          disabled={selected.size < 2 || selected.size > MAX_COMPARE}
          onClick={compare}
          title={selected.size > MAX_COMPARE ? `Compare at most ${MAX_COMPARE} runs at a time` : 'Select two or more runs to compare'}
        >
          Compare{selected.size ? ` (${selected.size})` : ''}
        </button>
      </form>
      <div id="filter-help" className={`field-note${filterProblem ? ' field-error' : ''}`} role={filterProblem ? 'alert' : undefined}>
        {filterProblem ? filterProblem.message : <span className="muted">MLflow filter syntax: <code>metrics.</code>, <code>params.</code>, <code>tags.</code>, <code>attributes.</code> with <code>= != &lt; &gt; LIKE ILIKE IN</code>, joined by <code>and</code>.</span>}
      </div>
      <div className="table-status" aria-live="polite">
        <span>{status}</span>
        {selected.size ? <span className="muted">{formatCount(selected.size)} selected</span> : null}
      </div>
      <VirtualTable
        label="Runs"
        rows={runs.items}
        columns={columns}
        rowKey={(r) => r.id}
        onSort={onSort}
        onOpen={(r) => navigate(link(`/runs/${seg(r.id)}`))}
        selected={selected}
        onToggle={toggle}
        onToggleAll={toggleAll}
        placeholder={
          !runs.loaded ? <Loading label="Loading runs…" height={200} />
          : filterProblem ? <Empty title="No runs to show" height={200}>Fix the filter above and search again.</Empty>
          : runs.problem ? <ErrorState problem={runs.problem} retry={runs.reload} height={200} />
          : <Empty title={filter ? 'No run matches this filter' : 'No runs in this experiment yet'} height={200}>{filter ? 'Loosen the filter or clear it.' : <>Log one with <code>mlflow.start_run()</code>.</>}</Empty>
        }
      />
      {runs.problem && count > 0 ? <ErrorState problem={runs.problem} retry={runs.reload} height={60} /> : null}
      <ColumnPicker
        open={picking}
        onClose={() => setPicking(false)}
        keys={keys}
        chosen={chosen}
        onChange={setColumns}
        onReset={() => setColumns(null)}
      />
    </div>
  );
}

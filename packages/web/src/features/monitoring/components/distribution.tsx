import { Histogram, TopBars } from '../../../components/bars';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { useAsync } from '../../../lib/use-async';
import { loggedValues, referenceRange } from '../api';

const BINS = 20;

function numeric(values: unknown[]): number[] | null {
  const out: number[] = [];
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    out.push(v);
  }
  return out;
}

function bin(values: number[], lo: number, hi: number): number[] {
  const counts = new Array<number>(BINS).fill(0);
  const width = (hi - lo) / BINS || 1;
  for (const v of values) counts[Math.min(BINS - 1, Math.max(0, Math.floor((v - lo) / width)))]!++;
  return counts;
}

function top(values: unknown[]): { value: string; count: number }[] {
  const m = new Map<string, number>();
  for (const v of values) if (v !== null && v !== undefined) m.set(String(v), (m.get(String(v)) ?? 0) + 1);
  return [...m.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count).slice(0, 10);
}

/**
 * A feature's distribution in the chosen window against the reference, both read from the
 * prediction log (a reference taken from the log names its time range in its source). Numbers
 * share one set of bins; categories show their shares side by side.
 */
export function FeatureDistribution({ deployment, feature, current, referenceSource }: { deployment: string; feature: string; current: { since: number; until: number }; referenceSource: string | null }) {
  const refRange = referenceSource ? referenceRange(referenceSource) : null;
  const [state, reload] = useAsync(async (signal) => {
    const [cur, ref] = await Promise.all([
      loggedValues(deployment, feature, current, signal),
      refRange ? loggedValues(deployment, feature, refRange, signal) : Promise.resolve(null),
    ]);
    return { cur, ref };
  }, [deployment, feature, current.since, current.until, referenceSource]);
  if (state.status === 'error' && !state.data) return <ErrorState problem={state.problem} retry={reload} height={180} />;
  if (!state.data) return <Loading label="Reading the prediction log…" height={180} />;
  const { cur, ref } = state.data;
  if (cur.length === 0) return <Empty title="No logged values of this feature in the window" height={180} />;
  const a = numeric(cur);
  const b = ref ? numeric(ref) : null;
  const legend = (
    <ul className="legend">
      <li><span className="swatch" style={{ background: 'var(--accent)' }} />current ({cur.length} values)</li>
      {ref ? <li><span className="swatch swatch-outline" />reference ({ref.length} values)</li> : <li className="muted">The reference was uploaded as records, so its distribution is not readable here; its drift scores are.</li>}
    </ul>
  );
  if (a && (b || !ref)) {
    const all = b ? [...a, ...b] : a;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of all) { if (v < lo) lo = v; if (v > hi) hi = v; }
    if (lo === hi) hi = lo + 1;
    const edges = Array.from({ length: BINS + 1 }, (_, i) => lo + ((hi - lo) * i) / BINS);
    return (
      <div className="distribution" data-kind="numeric">
        <Histogram edges={edges} counts={bin(a, lo, hi)} label={`Distribution of ${feature}: current vs reference`} height={150} {...(b ? { compare: { counts: bin(b, lo, hi), color: 'var(--warn)', label: 'reference' } } : {})} />
        {legend}
      </div>
    );
  }
  const curTop = top(cur);
  const refTop = ref ? top(ref) : [];
  const keys = [...new Set([...curTop.map((r) => r.value), ...refTop.map((r) => r.value)])].slice(0, 12);
  const count = (rows: { value: string; count: number }[], k: string) => rows.find((r) => r.value === k)?.count ?? 0;
  return (
    <div className="distribution" data-kind="categorical">
      <TopBars rows={keys.map((k) => ({ value: k, count: count(curTop, k) }))} total={cur.filter((v) => v !== null && v !== undefined).length} label={`Distribution of ${feature}: current vs reference`} {...(ref ? { compare: { rows: keys.map((k) => ({ value: k, count: count(refTop, k) })), total: ref.filter((v) => v !== null && v !== undefined).length, color: 'var(--warn)', label: 'reference' } } : {})} />
      {legend}
    </div>
  );
}

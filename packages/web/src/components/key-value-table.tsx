import { useMemo, useState, type ReactNode } from 'react';
import { Empty } from './states';

/** One row of a {@link KeyValueTable}. */
export interface KeyValueRow {
  key: string;
  value: ReactNode;
  /** Text matched by the filter box (defaults to the key). */
  text?: string;
  extra?: ReactNode;
}

/** A two- or three-column key/value table with a filter box once it grows past `filterAbove` rows. */
export function KeyValueTable({ rows, empty, label, extraHeader, filterAbove = 12 }: { rows: KeyValueRow[]; empty: string; label: string; extraHeader?: string; filterAbove?: number }) {
  const [q, setQ] = useState('');
  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return needle ? rows.filter((r) => `${r.key} ${r.text ?? ''}`.toLowerCase().includes(needle)) : rows;
  }, [rows, q]);
  if (rows.length === 0) return <Empty title={empty} height={60} />;
  return (
    <div className="kv">
      {rows.length > filterAbove ? (
        <input className="input input-small" type="search" placeholder={`Filter ${label.toLowerCase()}…`} aria-label={`Filter ${label.toLowerCase()}`} value={q} onChange={(e) => setQ(e.target.value)} />
      ) : null}
      <table className="table kv-table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Value</th>
            {extraHeader ? <th scope="col">{extraHeader}</th> : null}
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.key}>
              <th scope="row" className="mono">{r.key}</th>
              <td className="mono wrap">{r.value}</td>
              {extraHeader ? <td className="muted mono">{r.extra}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

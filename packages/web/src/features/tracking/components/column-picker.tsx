import { useMemo, useState } from 'react';
import { Dialog } from '../../../components/dialog';
import { ATTRIBUTES, columnId, isSystemTag, type ColumnKind, type RunKeys } from '../runs';

const GROUPS: { kind: ColumnKind; title: string }[] = [
  { kind: 'attribute', title: 'Attributes' },
  { kind: 'metric', title: 'Metrics' },
  { kind: 'param', title: 'Parameters' },
  { kind: 'tag', title: 'Tags' },
];

/** The "Columns" dialog: every attribute, metric, param and tag seen in the runs, as checkboxes. */
export function ColumnPicker({ open, onClose, keys, chosen, onChange, onReset }: {
  open: boolean;
  onClose(): void;
  keys: RunKeys;
  chosen: readonly string[];
  onChange(columns: string[]): void;
  onReset(): void;
}) {
  const [q, setQ] = useState('');
  const chosenSet = useMemo(() => new Set(chosen), [chosen]);
  const options = (kind: ColumnKind): { id: string; key: string; label: string }[] => {
    const list = kind === 'attribute'
      ? ATTRIBUTES.map((a) => ({ key: a.key, label: a.label }))
      : (kind === 'metric' ? keys.metrics : kind === 'param' ? keys.params : [...keys.tags].sort((a, b) => Number(isSystemTag(a)) - Number(isSystemTag(b)))).map((k) => ({ key: k, label: k }));
    const needle = q.trim().toLowerCase();
    return list.filter((o) => !needle || o.label.toLowerCase().includes(needle)).map((o) => ({ ...o, id: columnId(kind, o.key) }));
  };
  const toggle = (id: string) => onChange(chosenSet.has(id) ? chosen.filter((c) => c !== id) : [...chosen, id]);

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Columns"
      actions={
        <>
          <button type="button" className="button" onClick={onReset}>Reset to default</button>
          <button type="button" className="button primary" onClick={onClose}>Done</button>
        </>
      }
    >
      <input className="input" type="search" placeholder="Find a column" aria-label="Find a column" value={q} onChange={(e) => setQ(e.target.value)} autoFocus />
      <div className="picker">
        {GROUPS.map((g) => {
          const opts = options(g.kind);
          return (
            <fieldset key={g.kind} className="picker-group">
              <legend>{g.title} <span className="muted">({opts.length})</span></legend>
              {opts.length === 0 ? <div className="muted small">None</div> : null}
              {opts.map((o) => (
                <label key={o.id} className="check">
                  <input type="checkbox" checked={chosenSet.has(o.id)} onChange={() => toggle(o.id)} />
                  <span className="mono">{o.label}</span>
                </label>
              ))}
            </fieldset>
          );
        })}
      </div>
    </Dialog>
  );
}

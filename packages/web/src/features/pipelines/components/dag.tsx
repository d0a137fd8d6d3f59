import type { KeyboardEvent } from 'react';
import { layered } from '../graph';

/** A node of a {@link Dag}. */
export interface DagNode {
  id: string;
  title: string;
  subtitle?: string;
  /** Lower-case state word; styles the node (`complete`, `running`, `cached`, ...). */
  state: string;
  /** Small marks under the title: `cached`, `3/4`, `attempt 2`. */
  marks?: string[];
  shape?: 'step' | 'artifact';
}

const W = 180;
const H = 58;
const GAP_X = 56;
const GAP_Y = 18;
const PAD = 12;

/**
 * A directed graph drawn as SVG with a layered layout, left to right. Nodes are focusable buttons
 * (Tab, Enter/Space select); the selected node is outlined.
 */
export function Dag({ nodes, edges, selected, onSelect, label }: { nodes: DagNode[]; edges: { from: string; to: string; dashed?: boolean }[]; selected?: string; onSelect?(id: string): void; label: string }) {
  const { placed, layers, rows } = layered(nodes.map((n) => n.id), edges);
  const width = PAD * 2 + layers * W + (layers - 1) * GAP_X;
  const height = PAD * 2 + rows * H + (rows - 1) * GAP_Y;
  const pos = (id: string) => {
    const p = placed.get(id)!;
    return { x: PAD + p.layer * (W + GAP_X), y: PAD + p.row * (H + GAP_Y) };
  };
  const key = (e: KeyboardEvent, id: string) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect?.(id);
    }
  };
  return (
    <div className="dag-scroll">
      <svg className="dag" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="group" aria-label={label}>
        <defs>
          <marker id="dag-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="dag-arrow" />
          </marker>
        </defs>
        {edges.filter((e) => placed.has(e.from) && placed.has(e.to)).map((e, i) => {
          const a = pos(e.from);
          const b = pos(e.to);
          const x1 = a.x + W;
          const y1 = a.y + H / 2;
          const x2 = b.x;
          const y2 = b.y + H / 2;
          const mid = (x1 + x2) / 2;
          // an edge skipping layers runs through the gap under its source's row, clear of the boxes between
          const skip = placed.get(e.to)!.layer - placed.get(e.from)!.layer > 1;
          const gap = a.y + H + GAP_Y / 2;
          const d = skip
            ? `M ${x1} ${y1} C ${x1 + 24} ${y1}, ${x1 + 8} ${gap}, ${x1 + 32} ${gap} L ${x2 - 40} ${gap} C ${x2 - 16} ${gap}, ${x2 - 24} ${y2}, ${x2 - 2} ${y2}`
            : `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2 - 2} ${y2}`;
          return <path key={i} className={`dag-edge${e.dashed ? ' dag-edge-dashed' : ''}`} d={d} markerEnd="url(#dag-arrow)" data-edge={`${e.from}->${e.to}`} />;
        })}
        {nodes.map((n) => {
          const { x, y } = pos(n.id);
          const isSelected = n.id === selected;
          return (
            <g
              key={n.id}
              className={`dag-node dag-${n.state} dag-shape-${n.shape ?? 'step'}${isSelected ? ' dag-selected' : ''}`}
              transform={`translate(${x} ${y})`}
              data-node={n.id}
              data-state={n.state}
              tabIndex={onSelect ? 0 : undefined}
              role={onSelect ? 'button' : undefined}
              aria-pressed={onSelect ? isSelected : undefined}
              aria-label={`${n.title}: ${n.state}${n.marks?.length ? `, ${n.marks.join(', ')}` : ''}`}
              onClick={() => onSelect?.(n.id)}
              onKeyDown={(e) => key(e, n.id)}
            >
              <rect className="dag-box" width={W} height={H} rx={n.shape === 'artifact' ? 16 : 6} />
              <rect className="dag-stripe" width={5} height={H} rx={2} />
              <text className="dag-title" x={14} y={20}>{clip(n.title, 22)}</text>
              <text className="dag-sub" x={14} y={37}>{clip(n.subtitle ?? '', 26)}</text>
              <text className="dag-marks" x={14} y={51}>{[n.state, ...(n.marks ?? [])].join(' · ')}</text>
              <title>{`${n.title}${n.subtitle ? ` (${n.subtitle})` : ''}: ${n.state}${n.marks?.length ? ` · ${n.marks.join(' · ')}` : ''}`}</title>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

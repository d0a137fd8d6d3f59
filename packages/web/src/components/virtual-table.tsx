import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent, type ReactNode } from 'react';

/** One column of a {@link VirtualTable}. */
export interface VirtualColumn<T> {
  id: string;
  label: string;
  /** A small caption above the label (e.g. "metric"). */
  kind?: string;
  width: number;
  align?: 'left' | 'right';
  /** Stays in view when scrolling sideways (leading columns only). */
  sticky?: boolean;
  sortable?: boolean;
  /** The current sort of this column, if it is the sort column. */
  sort?: 'asc' | 'desc';
  render(row: T): ReactNode;
  /** Tooltip text of a cell. */
  title?(row: T): string | undefined;
}

/** Props of {@link VirtualTable}. */
export interface VirtualTableProps<T> {
  rows: readonly T[];
  columns: VirtualColumn<T>[];
  rowKey(row: T): string;
  label: string;
  rowHeight?: number;
  onSort?(column: VirtualColumn<T>): void;
  /** Enter on a focused row, or a click on it. */
  onOpen?(row: T): void;
  selected?: ReadonlySet<string>;
  onToggle?(key: string): void;
  /** Header checkbox: select or clear everything. */
  onToggleAll?(): void;
  /** Shown instead of rows when there are none (loading, empty or error state). */
  placeholder?: ReactNode;
}

const HEAD = 44;
const OVERSCAN = 8;
const SELECT_WIDTH = 36;

/**
 * A table that renders only the rows in view (fixed row height), so tens of thousands of rows
 * scroll smoothly. Keyboard: one row is in the tab order; arrows, Page Up/Down, Home/End move,
 * Enter opens, Space selects.
 */
export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { rows, rowKey, label, onSort, onOpen, selected, onToggle, onToggleAll, placeholder } = props;
  const rowHeight = props.rowHeight ?? 32;
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600, width: 1000 });
  const [active, setActive] = useState(0);
  const pendingFocus = useRef<number | null>(null);
  const frame = useRef(0);

  const columns = useMemo<VirtualColumn<T>[]>(() => (onToggle
    ? [{
        id: '__select',
        label: '',
        width: SELECT_WIDTH,
        sticky: true,
        render: () => null,
      }, ...props.columns]
    : props.columns), [Boolean(onToggle), props.columns]);

  const measure = useCallback(() => {
    const el = scroller.current;
    if (el) setView({ top: el.scrollTop, height: el.clientHeight, width: el.clientWidth });
  }, []);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [measure]);

  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const onScroll = () => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(measure);
  };

  const first = Math.max(0, Math.floor((view.top - HEAD) / rowHeight) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((view.top + view.height) / rowHeight) + OVERSCAN);
  const activeIndex = Math.min(active, Math.max(0, rows.length - 1));
  const tabbable = activeIndex >= first && activeIndex < last ? activeIndex : first;

  useEffect(() => {
    if (pendingFocus.current === null) return;
    const el = scroller.current?.querySelector<HTMLElement>(`[data-index="${pendingFocus.current}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      pendingFocus.current = null;
    }
  });

  const focusRow = (index: number) => {
    const el = scroller.current;
    if (!el || rows.length === 0) return;
    const i = Math.max(0, Math.min(rows.length - 1, index));
    const top = i * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (HEAD + top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = HEAD + top + rowHeight - el.clientHeight;
    setActive(i);
    pendingFocus.current = i;
    measure();
  };

  const latest = useRef({ onOpen, onToggle, focusRow: (_: number) => {}, page: 1, last: 0 });
  latest.current = { onOpen, onToggle, focusRow, page: Math.max(1, Math.floor((view.height - HEAD) / rowHeight) - 1), last: rows.length - 1 };
  const handlers = useMemo<RowHandlers<T>>(() => ({
    focus: (index) => setActive(index),
    open: (row) => latest.current.onOpen?.(row),
    toggle: (key) => latest.current.onToggle?.(key),
    keyDown: (e, row, key, index) => {
      const { onOpen: open, onToggle: toggle, focusRow: move, page, last: end } = latest.current;
      switch (e.key) {
        case 'Enter': open?.(row); break;
        case ' ': toggle?.(key); break;
        case 'ArrowDown': move(index + 1); break;
        case 'ArrowUp': move(index - 1); break;
        case 'PageDown': move(index + page); break;
        case 'PageUp': move(index - page); break;
        case 'Home': move(0); break;
        case 'End': move(end); break;
        default: return;
      }
      e.preventDefault();
    },
  }), []);

  const layout = useMemo(() => {
    let offset = 0;
    const cells = columns.map((c) => {
      const style: CSSProperties = { width: c.width, ...(c.sticky ? { left: offset } : {}) };
      if (c.sticky) offset += c.width;
      return { column: c, style, className: `vt-cell${c.sticky ? ' vt-sticky' : ''}${c.align === 'right' ? ' vt-right' : ''}` };
    });
    return { cells, width: columns.reduce((sum, c) => sum + c.width, 0) };
  }, [columns]);
  const { width } = layout;
  const allSelected = rows.length > 0 && (selected?.size ?? 0) >= rows.length;

  const body: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const row = rows[i]!;
    const key = rowKey(row);
    body.push(
      <Row
        key={key}
        row={row}
        rowKey={key}
        index={i}
        top={i * rowHeight}
        height={rowHeight}
        layout={layout}
        selected={selected?.has(key) ?? false}
        selectable={Boolean(onToggle)}
        tabbable={i === tabbable}
        handlers={handlers}
      />,
    );
  }

  return (
    <div ref={scroller} className="vt" role="table" aria-label={label} aria-rowcount={rows.length + 1} onScroll={onScroll}>
      <div className="vt-inner" style={{ width, minHeight: HEAD + rows.length * rowHeight }}>
        <div className="vt-head" role="row" aria-rowindex={1} style={{ height: HEAD, width }}>
          {layout.cells.map(({ column: c, style, className }) => (
            <div
              key={c.id}
              role="columnheader"
              className={`${className} vt-th`}
              style={style}
              aria-sort={c.sort === 'asc' ? 'ascending' : c.sort === 'desc' ? 'descending' : undefined}
            >
              {c.id === '__select' ? (
                onToggleAll ? <input type="checkbox" aria-label="Select all rows" checked={allSelected} onChange={onToggleAll} /> : null
              ) : c.sortable && onSort ? (
                <button type="button" className="th-button" onClick={() => onSort(c)} aria-label={`Sort by ${c.kind ? `${c.kind} ` : ''}${c.label}`} title={`${c.kind ? `${c.kind} ` : ''}${c.label}: click to sort`}>
                  {c.kind ? <span className="th-kind">{c.kind}</span> : null}
                  <span className="th-label">
                    {c.label}
                    <span className="sort-mark" aria-hidden="true">{c.sort === 'asc' ? '▲' : c.sort === 'desc' ? '▼' : ''}</span>
                  </span>
                </button>
              ) : (
                <span className="th-static">
                  {c.kind ? <span className="th-kind">{c.kind}</span> : null}
                  <span className="th-label">{c.label}</span>
                </span>
              )}
            </div>
          ))}
        </div>
        {rows.length === 0 && placeholder ? (
          <div className="vt-placeholder" style={{ width: view.width }}>{placeholder}</div>
        ) : (
          <div className="vt-body" role="rowgroup" style={{ height: rows.length * rowHeight }}>{body}</div>
        )}
      </div>
    </div>
  );
}

interface RowHandlers<T> {
  focus(index: number): void;
  open(row: T): void;
  toggle(key: string): void;
  keyDown(e: KeyboardEvent<HTMLDivElement>, row: T, key: string, index: number): void;
}

interface RowProps<T> {
  row: T;
  rowKey: string;
  index: number;
  top: number;
  height: number;
  layout: { cells: { column: VirtualColumn<T>; style: CSSProperties; className: string }[]; width: number };
  selected: boolean;
  selectable: boolean;
  tabbable: boolean;
  handlers: RowHandlers<T>;
}

/** One row; memoised so that scrolling renders only the rows that come into view. */
const Row = memo(function Row<T>({ row, rowKey, index, top, height, layout, selected, selectable, tabbable, handlers }: RowProps<T>) {
  return (
    <div
      role="row"
      className={`vt-row${selected ? ' vt-selected' : ''}${index % 2 ? ' vt-odd' : ''}`}
      style={{ transform: `translateY(${top}px)`, height, width: layout.width }}
      aria-rowindex={index + 2}
      aria-selected={selectable ? selected : undefined}
      data-index={index}
      data-key={rowKey}
      tabIndex={tabbable ? 0 : -1}
      onFocus={() => handlers.focus(index)}
      onKeyDown={(e) => handlers.keyDown(e, row, rowKey, index)}
      onClick={() => handlers.open(row)}
    >
      {layout.cells.map(({ column: c, style, className }) => (
        <div key={c.id} role="cell" className={className} style={style} title={c.title?.(row)}>
          {c.id === '__select' ? (
            <input type="checkbox" tabIndex={-1} aria-label="Select row" checked={selected} onClick={(e) => e.stopPropagation()} onChange={() => handlers.toggle(rowKey)} />
          ) : c.render(row)}
        </div>
      ))}
    </div>
  );
}) as <T>(props: RowProps<T>) => ReactNode;

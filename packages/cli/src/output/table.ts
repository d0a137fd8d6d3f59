/** One column of a {@link renderTable} table. */
export interface Column<T> {
  /** Header text (printed as given). */
  header: string;
  /** The cell text of a row. */
  value: (row: T) => string;
  /** Right-align (numbers, sizes); left by default. */
  align?: 'left' | 'right';
  /** Longest cell before it is cut with `…`. */
  max?: number;
}

const GAP = '  ';

/** Display width of a string, counting code points (no color codes are ever printed). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const _ of text) width++;
  return width;
}

/** Cuts `text` to `max` code points, ending in `…` when cut; newlines become spaces. */
export function truncate(text: string, max: number | undefined): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ');
  if (max === undefined) return flat;
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/**
 * An aligned plain-text table: a header row and one line per row, columns separated by two
 * spaces, no trailing whitespace. With no rows, returns `empty` instead (when given).
 */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], empty?: string): string {
  if (rows.length === 0 && empty !== undefined) return empty;
  const cells = rows.map((row) => columns.map((c) => truncate(c.value(row), c.max)));
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i]!))));
  const line = (values: string[]) => values.map((v, i) => pad(v, widths[i]!, columns[i]!.align ?? 'left')).join(GAP).trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** `Key:  value` lines with the values aligned; multi-line values are indented under the first. */
export function renderDetails(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([k]) => displayWidth(k) + 1));
  return pairs
    .map(([k, v]) => `${pad(`${k}:`, width, 'left')}  ${v.split('\n').join(`\n${' '.repeat(width + 2)}`)}`.trimEnd())
    .join('\n');
}

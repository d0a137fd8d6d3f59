/** How a file is previewed. */
export type PreviewKind = 'image' | 'svg' | 'json' | 'csv' | 'tsv' | 'text' | 'sniff';

const IMAGES = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'ico', 'avif']);
const TEXT = new Set([
  'txt', 'log', 'md', 'markdown', 'yaml', 'yml', 'py', 'r', 'sql', 'sh', 'toml', 'ini', 'cfg', 'conf', 'xml', 'html', 'htm', 'js', 'ts',
  'ipynb', 'jsonl', 'ndjson', 'properties', 'env', 'lock', 'rst', 'tex', 'scala', 'java', 'go', 'rs', 'c', 'h', 'cpp', 'css', 'out', 'err',
]);
const TEXT_NAMES = new Set(['MLmodel', 'Dockerfile', 'Makefile', 'LICENSE', 'README', 'requirements.txt', 'python_env.yaml', 'conda.yaml']);

/** The preview kind of a file from its name; `sniff` means "look at the bytes". */
export function previewKind(path: string): PreviewKind {
  const name = path.split('/').pop() ?? path;
  if (TEXT_NAMES.has(name)) return 'text';
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (IMAGES.has(ext)) return 'image';
  if (ext === 'svg') return 'svg';
  if (ext === 'json') return 'json';
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv') return 'tsv';
  if (TEXT.has(ext)) return 'text';
  return 'sniff';
}

/**
 * Parses CSV (RFC 4180: quoted fields, doubled quotes, newlines inside quotes) up to `maxRows`
 * rows. A trailing partial row (from a truncated download) is dropped when `truncated`.
 */
export function parseDelimited(text: string, delimiter: string, maxRows: number, truncated = false): { rows: string[][]; more: boolean } {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      rows.push(row);
      row = [];
      if (rows.length > maxRows) return { rows: rows.slice(0, maxRows), more: true };
    } else field += ch;
    i++;
  }
  if (!truncated && (field !== '' || row.length)) {
    row.push(field);
    rows.push(row);
  }
  return { rows: rows.slice(0, maxRows), more: truncated || rows.length > maxRows };
}

/** True when bytes look binary (a NUL in the first 8 KB). */
export function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 8192);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

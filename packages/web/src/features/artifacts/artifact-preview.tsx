import { Empty, ErrorState, Loading } from '../../components/states';
import { artifactUrl, client } from '../../lib/api';
import { formatBytes, formatCount } from '../../lib/format';
import { useAsync } from '../../lib/use-async';
import { looksBinary, parseDelimited, previewKind } from './preview-kind';

const MAX_TEXT = 1024 * 1024;
const MAX_CSV_ROWS = 500;
const PREVIEW_HEIGHT = 420;

type Loaded =
  | { kind: 'image'; url: string }
  | { kind: 'json' | 'text'; text: string; truncated: boolean }
  | { kind: 'table'; rows: string[][]; more: boolean }
  | { kind: 'binary'; url: string };

async function readPrefix(response: Response, max: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const reader = response.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(await response.arrayBuffer()).slice(0, max), truncated: false };
  const parts: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.length;
    if (size >= max) {
      truncated = true;
      await reader.cancel();
      break;
    }
  }
  const bytes = new Uint8Array(Math.min(size, max));
  let at = 0;
  for (const p of parts) {
    const take = Math.min(p.length, bytes.length - at);
    bytes.set(p.subarray(0, take), at);
    at += take;
    if (at >= bytes.length) break;
  }
  return { bytes, truncated };
}

async function load(runId: string, path: string, signal: AbortSignal): Promise<Loaded> {
  const storePath = await client.runs.artifactPath(runId, path);
  const url = artifactUrl(storePath);
  const kind = previewKind(path);
  if (kind === 'image') return { kind: 'image', url };
  const response = await client.artifacts.download(storePath, { signal });
  const { bytes, truncated } = await readPrefix(response, MAX_TEXT);
  if (kind === 'svg') return { kind: 'image', url: URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'image/svg+xml' })) };
  if (kind === 'sniff' && looksBinary(bytes)) return { kind: 'binary', url };
  const text = new TextDecoder().decode(bytes);
  if (kind === 'json' && !truncated) {
    try {
      return { kind: 'json', text: JSON.stringify(JSON.parse(text), null, 2), truncated };
    } catch {
      return { kind: 'text', text, truncated };
    }
  }
  if (kind === 'csv' || kind === 'tsv') return { kind: 'table', ...parseDelimited(text, kind === 'csv' ? ',' : '\t', MAX_CSV_ROWS, truncated) };
  return { kind: 'text', text, truncated };
}

/** Preview of one artifact: images inline, JSON pretty-printed, CSV/TSV as a table, text as is. */
export function ArtifactPreview({ runId, path, size }: { runId: string; path: string; size?: number }) {
  const [state, reload] = useAsync((signal) => load(runId, path, signal), [runId, path]);
  const name = path.split('/').pop() ?? path;
  const downloadUrl = state.status === 'ready' && 'url' in state.data ? state.data.url : undefined;
  return (
    <div className="preview" data-preview={path}>
      <div className="preview-head">
        <span className="mono truncate" title={path}>{path}</span>
        <span className="muted small">{formatBytes(size)}</span>
        <DownloadLink runId={runId} path={path} name={name} known={downloadUrl} />
      </div>
      <div className="preview-body" style={{ minHeight: PREVIEW_HEIGHT }}>
        {state.status === 'loading' ? (
          <Loading label="Loading preview…" height={PREVIEW_HEIGHT} />
        ) : state.status === 'error' ? (
          <ErrorState problem={state.problem} retry={reload} height={PREVIEW_HEIGHT} />
        ) : (
          <Body loaded={state.data} name={name} />
        )}
      </div>
    </div>
  );
}

function DownloadLink({ runId, path, name, known }: { runId: string; path: string; name: string; known?: string }) {
  const [url] = useAsync(async () => known ?? artifactUrl(await client.runs.artifactPath(runId, path)), [runId, path, known]);
  return url.status === 'ready' ? <a className="button small" href={url.data} download={name}>Download</a> : <span />;
}

function Body({ loaded, name }: { loaded: Loaded; name: string }) {
  switch (loaded.kind) {
    case 'image':
      return <div className="preview-image"><img src={loaded.url} alt={name} /></div>;
    case 'binary':
      return <Empty title="No preview for this file type" height={PREVIEW_HEIGHT}>Download it to open it locally.</Empty>;
    case 'json':
    case 'text':
      return (
        <>
          <pre className={`preview-text${loaded.kind === 'json' ? ' preview-json' : ''}`}>{loaded.text}</pre>
          {loaded.truncated ? <div className="muted small">Showing the first {formatBytes(MAX_TEXT)}; download for the rest.</div> : null}
        </>
      );
    case 'table': {
      const [head, ...body] = loaded.rows;
      if (!head) return <Empty title="Empty file" height={PREVIEW_HEIGHT} />;
      return (
        <>
          <div className="preview-table-wrap">
            <table className="table preview-table" aria-label={`Contents of ${name}`}>
              <thead><tr>{head.map((h, i) => <th key={i} scope="col">{h}</th>)}</tr></thead>
              <tbody>{body.map((r, i) => <tr key={i}>{head.map((_, j) => <td key={j} className="mono">{r[j] ?? ''}</td>)}</tr>)}</tbody>
            </table>
          </div>
          <div className="muted small">{formatCount(body.length)} rows{loaded.more ? ` shown (first ${formatCount(MAX_CSV_ROWS)}); download for the rest` : ''}</div>
        </>
      );
    }
  }
}

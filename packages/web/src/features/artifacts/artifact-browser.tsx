import { useEffect, useState } from 'react';
import type { WireFileInfo } from '@capstan/client';
import { Empty, ErrorState, Loading } from '../../components/states';
import { client } from '../../lib/api';
import { formatBytes } from '../../lib/format';
import { setQuery, useRoute } from '../../lib/router';
import { useAsync } from '../../lib/use-async';
import { ArtifactPreview } from './artifact-preview';

async function listAll(runId: string, path: string | undefined): Promise<WireFileInfo[]> {
  const out: WireFileInfo[] = [];
  let token: string | undefined;
  do {
    const page = await client.runs.listArtifacts(runId, path, token);
    out.push(...page.files);
    token = page.next_page_token || undefined;
  } while (token);
  return out.sort((a, b) => Number(b.is_dir) - Number(a.is_dir) || a.path.localeCompare(b.path));
}

function ancestors(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

interface TreeProps {
  runId: string;
  path?: string;
  expanded: ReadonlySet<string>;
  selected?: string;
  onToggle(path: string): void;
  onSelect(file: WireFileInfo): void;
}

function Directory({ runId, path, expanded, selected, onToggle, onSelect }: TreeProps) {
  const [state, reload] = useAsync(() => listAll(runId, path), [runId, path]);
  if (state.status === 'loading') return <div className="tree-note muted">Loading…</div>;
  if (state.status === 'error') return <ErrorState problem={state.problem} retry={reload} height={40} />;
  if (state.data.length === 0) return path ? <div className="tree-note muted">Empty folder</div> : <Empty title="No artifacts" height={80}>This run logged no files.</Empty>;
  return (
    <ul className="tree" role={path ? 'group' : undefined}>
      {state.data.map((f) => {
        const name = f.path.split('/').pop() ?? f.path;
        const open = expanded.has(f.path);
        return (
          <li key={f.path}>
            {f.is_dir ? (
              <>
                <button type="button" className="tree-item" aria-expanded={open} onClick={() => onToggle(f.path)}>
                  <span className="tree-icon" aria-hidden="true">{open ? '▾' : '▸'}</span>
                  <span className="truncate">{name}/</span>
                </button>
                {open ? <Directory runId={runId} path={f.path} expanded={expanded} selected={selected} onToggle={onToggle} onSelect={onSelect} /> : null}
              </>
            ) : (
              <button
                type="button"
                className={`tree-item${selected === f.path ? ' tree-selected' : ''}`}
                aria-current={selected === f.path ? 'true' : undefined}
                onClick={() => onSelect(f)}
              >
                <span className="tree-icon" aria-hidden="true">·</span>
                <span className="truncate">{name}</span>
                <span className="tree-size muted">{formatBytes(f.file_size)}</span>
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** A run's artifacts: a lazily expanded tree and a preview of the file chosen (kept in the URL). */
export function ArtifactBrowser({ runId }: { runId: string }) {
  const { query } = useRoute();
  const selected = query.get('artifact') ?? undefined;
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set(selected ? ancestors(selected) : []));
  const [size, setSize] = useState<number | undefined>();
  useEffect(() => {
    if (selected) setExpanded((e) => new Set([...e, ...ancestors(selected)]));
  }, [selected]);
  const toggle = (path: string) => setExpanded((e) => {
    const next = new Set(e);
    if (next.has(path)) next.delete(path);
    else next.add(path);
    return next;
  });
  return (
    <div className="artifacts">
      <nav className="artifact-tree" aria-label="Artifact files">
        <Directory runId={runId} expanded={expanded} selected={selected} onToggle={toggle} onSelect={(f) => {
          setSize(f.file_size);
          setQuery({ artifact: f.path }, { replace: true });
        }} />
      </nav>
      {selected ? (
        <ArtifactPreview runId={runId} path={selected} size={size} />
      ) : (
        <div className="preview"><Empty title="Choose a file to preview it" height={460}>Text, JSON, CSV and images are shown here.</Empty></div>
      )}
    </div>
  );
}

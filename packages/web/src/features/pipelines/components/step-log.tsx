import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { pipelines as routes, type WireStepLog, type WireStepLogLine } from '@capstan/api';
import { ErrorState } from '../../../components/states';
import { pipelines, problemOf, type Problem } from '../../../lib/api';
import { formatTime } from '../../../lib/format';

const TAIL_MS = 1000;
const PAGE = 5000;

interface LogState {
  lines: WireStepLogLine[];
  meta: Omit<WireStepLog, 'lines'> | null;
  problem: Problem | null;
}

/**
 * One step's output, per attempt: stdout and stderr lines (stderr marked), tailing while the
 * attempt runs, scrolled to the end unless the reader scrolled up, with an attempt picker and a
 * download of the whole text.
 */
export function StepLog({ runId, node, attempt: initial }: { runId: string; node: string; attempt: number }) {
  const [attempt, setAttempt] = useState(initial);
  const [log, setLog] = useState<LogState>({ lines: [], meta: null, problem: null });
  const [retry, setRetry] = useState(0);
  const box = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);

  useEffect(() => setAttempt(initial), [initial]);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let offset = 0;
    setLog({ lines: [], meta: null, problem: null });
    pinned.current = true;
    const step = async () => {
      try {
        const page = await pipelines.transport.call(routes.stepLogs, { runId, step: node, attempt, offset, limit: PAGE } as never, { signal: controller.signal });
        offset = page.next;
        const { lines, ...meta } = page;
        setLog((prev) => ({ lines: lines.length ? [...prev.lines, ...lines] : prev.lines, meta, problem: null }));
        if (!page.complete) timer = setTimeout(step, lines.length === PAGE ? 0 : TAIL_MS);
      } catch (error) {
        if (!controller.signal.aborted) setLog((prev) => ({ ...prev, problem: problemOf(error) }));
      }
    };
    void step();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [runId, node, attempt, retry]);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [log.lines.length]);

  const download = () => {
    const text = log.lines.map((l) => `${new Date(l.t).toISOString()} ${l.s} ${l.l}`).join('\n');
    const url = URL.createObjectURL(new Blob([`${text}\n`], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${runId.slice(0, 8)}-${node}-attempt-${attempt}.log`;
    a.click();
    URL.revokeObjectURL(url);
  };

  const meta = log.meta;
  const tailing = meta !== null && !meta.complete;
  return (
    <div className="log step-log" data-step-log={node}>
      <div className="log-title small muted step-log-head">
        <span>Output{meta ? ` · ${log.lines.length} line${log.lines.length === 1 ? '' : 's'}` : ''}{tailing ? ' · live' : ''}</span>
        {meta && meta.attempts.length > 1 ? (
          <label className="small">Attempt{' '}
            <select className="input small" value={attempt} onChange={(e) => setAttempt(Number(e.target.value))} aria-label={`Attempt of ${node}`}>
              {meta.attempts.map((a) => <option key={a} value={a}>{a}</option>)}
            </select>
          </label>
        ) : null}
        <button type="button" className="button small" onClick={download} disabled={log.lines.length === 0}>Download</button>
      </div>
      {log.problem ? <ErrorState problem={log.problem} retry={() => setRetry((n) => n + 1)} height={80} /> : (
        <pre
          ref={box}
          className="preview-text log-text step-log-text"
          aria-label={`Output of ${node}, attempt ${attempt}`}
          aria-busy={meta === null || tailing}
          tabIndex={0}
          onScroll={(e) => {
            const el = e.currentTarget;
            pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
          }}
        >
          {meta === null ? <span className="muted">Loading output…</span> : log.lines.length === 0 ? <span className="muted">{tailing ? 'No output yet…' : 'This attempt printed nothing.'}</span> : log.lines.map((l, i) => (
            <span key={i} className={`log-line log-${l.s}`} title={formatTime(l.t)}>{l.l}{'\n'}</span>
          ))}
        </pre>
      )}
    </div>
  );
}

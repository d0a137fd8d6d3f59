import type { ReactNode } from 'react';
import type { Problem } from '../lib/api';

/** A placeholder of fixed height while content loads, so nothing jumps when it arrives. */
export function Loading({ label = 'Loading…', height = 120 }: { label?: string; height?: number }) {
  return (
    <div className="state state-loading" style={{ minHeight: height }} role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** Shown when a list has nothing in it: what is missing and, ideally, how to get some. */
export function Empty({ title, children, height = 120 }: { title: string; children?: ReactNode; height?: number }) {
  return (
    <div className="state state-empty" style={{ minHeight: height }}>
      <strong>{title}</strong>
      {children ? <div className="muted">{children}</div> : null}
    </div>
  );
}

/** A failed load or action: the server's code and message, and a retry when one makes sense. */
export function ErrorState({ problem, retry, height = 120 }: { problem: Problem; retry?: () => void; height?: number }) {
  return (
    <div className="state state-error" style={{ minHeight: height }} role="alert">
      <strong>{problem.code ? problem.code.replaceAll('_', ' ').toLowerCase() : 'Something went wrong'}</strong>
      <div className="error-message">{problem.message}</div>
      {retry ? <button type="button" className="button" onClick={retry}>Try again</button> : null}
    </div>
  );
}

import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbort, problemOf, type Problem } from './api';

/** A list fetched page by page with MLflow page tokens. */
export interface PagedList<T> {
  items: T[];
  /** True until the first page arrives (and while a later page loads). */
  loading: boolean;
  /** True once the first page has arrived. */
  loaded: boolean;
  problem?: Problem;
  hasMore: boolean;
  loadMore(): void;
  reload(): void;
}

/**
 * Loads the first page when `deps` change (aborting older loads); `loadMore()` appends the next.
 * With `all`, keeps fetching until the last page, rendering each page as it arrives.
 */
export function usePagedList<T>(
  fetchPage: (token: string | undefined, signal: AbortSignal) => Promise<{ items: T[]; next?: string }>,
  deps: readonly unknown[],
  options: { all?: boolean } = {},
): PagedList<T> {
  const [state, setState] = useState<{ items: T[]; loading: boolean; loaded: boolean; problem?: Problem; next?: string }>({ items: [], loading: true, loaded: false });
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  const controller = useRef<AbortController | null>(null);
  const [tick, setTick] = useState(0);

  const run = useCallback(async (token: string | undefined, signal: AbortSignal, all: boolean) => {
    let next = token;
    do {
      setState((s) => ({ ...s, loading: true, problem: undefined }));
      try {
        const page = await fetchRef.current(next, signal);
        if (signal.aborted) return;
        next = page.next || undefined;
        setState((s) => ({ items: s.items.concat(page.items), loading: all && next !== undefined, loaded: true, next }));
      } catch (error) {
        if (signal.aborted || isAbort(error)) return;
        setState((s) => ({ ...s, loading: false, loaded: true, problem: problemOf(error) }));
        return;
      }
    } while (all && next !== undefined);
  }, []);

  useEffect(() => {
    const c = new AbortController();
    controller.current = c;
    setState({ items: [], loading: true, loaded: false });
    void run(undefined, c.signal, options.all ?? false);
    return () => c.abort();
  }, [...deps, tick]);

  return {
    items: state.items,
    loading: state.loading,
    loaded: state.loaded,
    problem: state.problem,
    hasMore: state.next !== undefined,
    loadMore: () => {
      if (state.next !== undefined && !state.loading && controller.current) void run(state.next, controller.current.signal, false);
    },
    reload: () => setTick((t) => t + 1),
  };
}

import { useSyncExternalStore } from 'react';

/** The current view: path segments (decoded) and the query string of the hash. */
export interface Route {
  path: string;
  segments: string[];
  query: URLSearchParams;
}

function parse(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const segments = path.split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return { path, segments, query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

let current = parse(location.hash);
const listeners = new Set<() => void>();

function update(): void {
  current = parse(location.hash);
  for (const listener of listeners) listener();
}

window.addEventListener('hashchange', update);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current route; re-renders on navigation. */
export function useRoute(): Route {
  return useSyncExternalStore(subscribe, () => current);
}

/** A hash link: `link('/runs/' + id)` or `link('/compare', { runs: 'a,b' })`; empty query values are dropped. */
export function link(path: string, query: Record<string, string | undefined | null> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, v);
  const qs = params.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

/** One path segment, encoded (model names may hold any character). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

/** Goes to a hash link; `replace` rewrites the current history entry instead of adding one. */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  const hash = href.startsWith('#') ? href : `#${href}`;
  if (hash === location.hash) return;
  if (options.replace) {
    history.replaceState(history.state, '', hash);
    update();
  } else {
    location.hash = hash;
  }
}

/** Changes some query parameters of the current view (empty values are removed). */
export function setQuery(patch: Record<string, string | undefined | null>, options: { replace?: boolean } = {}): void {
  const next: Record<string, string> = Object.fromEntries(current.query);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === null || v === '') delete next[k];
    else next[k] = v;
  }
  navigate(link(current.path, next), options);
}

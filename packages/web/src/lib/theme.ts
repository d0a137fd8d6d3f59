import { useSyncExternalStore } from 'react';

/** The two themes. */
export type Theme = 'light' | 'dark';

const KEY = 'capstan.theme';
const media = matchMedia('(prefers-color-scheme: dark)');
const listeners = new Set<() => void>();

function stored(): Theme | null {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : null;
  } catch {
    return null;
  }
}

function resolve(): Theme {
  return stored() ?? (media.matches ? 'dark' : 'light');
}

function apply(): void {
  document.documentElement.dataset.theme = resolve();
  for (const l of listeners) l();
}

media.addEventListener('change', apply);
window.addEventListener('storage', (e) => {
  if (e.key === KEY) apply();
});

/** The active theme (a stored choice, else the system's); re-renders when it changes. */
export function useTheme(): Theme {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light'),
  );
}

/** Switches to the other theme and remembers the choice. */
export function toggleTheme(): void {
  const next: Theme = resolve() === 'dark' ? 'light' : 'dark';
  try {
    localStorage.setItem(KEY, next);
  } catch {
    // private mode: the choice lasts for this page only
  }
  document.documentElement.dataset.theme = next;
  for (const l of listeners) l();
}

/** A CSS custom property's value on the root (for canvas drawing, which cannot use var()). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Distinct series colours, the same in both themes. */
export const PALETTE = ['#2f6fdf', '#e8730c', '#1a9e55', '#d6336c', '#7c4dcc', '#0f9fb5', '#b0891a', '#8a5a44', '#5b6b7f', '#c43d2f'];

/** The colour of the i-th series. */
export function colorAt(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

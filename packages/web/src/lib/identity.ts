import { useSyncExternalStore } from 'react';

const KEY = 'capstan.user';
const listeners = new Set<() => void>();

/** The name this browser acts as (sent as `X-Capstan-User` and recorded on changes), or null. */
export function currentUser(): string | null {
  try {
    const v = localStorage.getItem(KEY)?.trim();
    return v ? v.slice(0, 256) : null;
  } catch {
    return null;
  }
}

/** Stores the name (empty clears it). */
export function setCurrentUser(name: string): void {
  try {
    if (name.trim()) localStorage.setItem(KEY, name.trim().slice(0, 256));
    else localStorage.removeItem(KEY);
  } catch {
    // storage disabled: the name lasts until reload
  }
  for (const l of listeners) l();
}

/** {@link currentUser}, re-rendering when it changes. */
export function useCurrentUser(): string | null {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, currentUser);
}

/** `fetch` that adds `X-Capstan-User` when a name is set, so the server records who made a change. */
export const fetchAsUser: typeof fetch = (input, init) => {
  const user = currentUser();
  if (!user) return globalThis.fetch(input, init);
  const headers = new Headers(init?.headers);
  headers.set('x-capstan-user', user);
  return globalThis.fetch(input, { ...init, headers });
};

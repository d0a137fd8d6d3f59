import { useEffect } from 'react';
import { useAsync, type AsyncState } from './use-async';

/**
 * {@link useAsync} that loads again `intervalMs` after each load settles, but only while the page
 * is visible (a hidden tab stops polling and catches up when shown). Data survives each reload, so
 * views do not flicker.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[], intervalMs: number, enabled = true): [AsyncState<T>, () => void] {
  const [state, reload] = useAsync(load, deps);
  useEffect(() => {
    if (!enabled || state.status === 'loading') return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      timer = setTimeout(() => {
        if (document.visibilityState === 'visible') reload();
        else document.addEventListener('visibilitychange', onShow);
      }, intervalMs);
    };
    const onShow = () => {
      if (document.visibilityState !== 'visible') return;
      document.removeEventListener('visibilitychange', onShow);
      reload();
    };
    arm();
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onShow);
    };
  }, [state, enabled, intervalMs, reload]);
  return [state, reload];
}

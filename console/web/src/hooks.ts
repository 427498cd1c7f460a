import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { isAbort } from './api';

export interface Fetched<T> {
  data?: T;
  error?: string;
  loading: boolean;
}

/**
 * useFetch runs fn whenever a dependency changes, aborting the previous run; the last data stays
 * on screen while the next one loads. A null fn means nothing to fetch.
 */
export function useFetch<T>(fn: ((signal: AbortSignal) => Promise<T>) | null, deps: unknown[]): Fetched<T> {
  const [state, setState] = useState<Fetched<T>>({ loading: fn !== null });
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    const f = fnRef.current;
    if (!f) {
      setState({ loading: false });
      return;
    }
    const ctl = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    f(ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setState({ data, loading: false });
      },
      (e) => {
        if (ctl.signal.aborted || isAbort(e)) return;
        setState({ error: (e as Error).message || String(e), loading: false });
      },
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}

/** useElementWidth follows an element's width (for charts). */
export function useElementWidth<E extends HTMLElement>(): [(el: E | null) => void, number] {
  const [width, setWidth] = useState(0);
  const obs = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: E | null) => {
    obs.current?.disconnect();
    obs.current = null;
    if (!el) return;
    setWidth(Math.floor(el.clientWidth));
    obs.current = new ResizeObserver((entries) => {
      for (const e of entries) setWidth(Math.floor(e.contentRect.width));
    });
    obs.current.observe(el);
  }, []);
  return [ref, width];
}

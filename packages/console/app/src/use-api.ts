/** Loads an API resource for a component, with reload; errors are kept for display. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from './api';

/** What {@link useApi} returns. */
export interface Loaded<T> {
  data?: T;
  error?: string;
  reload: () => void;
}

/** `GET path` on mount and on `reload()`. */
export function useApi<T>(path: string): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    api<T>('GET', path).then(
      (body) => {
        if (!live) return;
        setData(body);
        setError(undefined);
      },
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload };
}

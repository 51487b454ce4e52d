/** Loads data for a view and says so: loading, the data, or the error to show, with a reload. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.js';

export interface Loaded<T> {
  /** The last data loaded; while `loading`, it may be for the previous deps (views may keep showing it). */
  data: T | undefined;
  error: ApiError | null;
  /** True from the render in which the deps change, not only once the effect has run. */
  loading: boolean;
  reload: () => void;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [round, setRound] = useState(0);
  const key = JSON.stringify([...deps, round]);
  const [state, setState] = useState<{ data: T | undefined; error: ApiError | null; key: string | null }>({ data: undefined, error: null, key: null });
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setState({ data, error: null, key }),
      (err: unknown) => current && setState({ data: undefined, error: asApiError(err), key }),
    );
    return () => {
      current = false;
    };
  }, [key]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  const loading = state.key !== key;
  return { data: state.data, error: loading ? null : state.error, loading, reload };
}

export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError({ title: 'Something went wrong', status: 0, detail: String((err as Error)?.message ?? err) });
}

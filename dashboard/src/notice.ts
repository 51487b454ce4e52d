/** One-line notices ("Endpoint created") announced in the page's live region, surviving a route change. */
import { useEffect, useState } from 'preact/hooks';

let current: string | null = null;
const listeners = new Set<(n: string | null) => void>();

export function announce(message: string | null): void {
  current = message;
  for (const l of listeners) l(message);
}

export function useNotice(): string | null {
  const [notice, setNotice] = useState(current);
  useEffect(() => {
    listeners.add(setNotice);
    return () => {
      listeners.delete(setNotice);
    };
  }, []);
  return notice;
}

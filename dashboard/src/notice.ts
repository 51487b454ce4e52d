/**
 * One-line notices ("Endpoint created") announced in the page's live region. A notice belongs
 * to one view: the one it was made on, or the one an action is about to navigate to; leaving
 * that view clears it, so a notice never lingers over an unrelated page.
 */
import { useEffect, useState } from 'preact/hooks';

let current: { message: string; route: string } | null = null;
const listeners = new Set<(n: string | null) => void>();

const here = () => location.hash.replace(/^#/, '');

/** `route`: the view the notice is for (a navigate() path); default the current one. */
export function announce(message: string | null, route = here()): void {
  current = message === null ? null : { message, route };
  for (const l of listeners) l(current?.message ?? null);
}

export function useNotice(): string | null {
  const [notice, setNotice] = useState(current?.message ?? null);
  useEffect(() => {
    listeners.add(setNotice);
    const leave = () => {
      if (current && current.route !== here()) announce(null);
    };
    addEventListener('hashchange', leave);
    return () => {
      listeners.delete(setNotice);
      removeEventListener('hashchange', leave);
    };
  }, []);
  return notice;
}

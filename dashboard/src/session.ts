/**
 * The dashboard's credential: a workspace key typed in, or a portal session token from a
 * portal link (`/#portal=hkps_…`). Kept in sessionStorage, so it lives as long as the tab and is
 * never shared with other tabs or left behind on disk.
 */
const STORAGE_KEY = 'hookd.session';

export interface Session {
  credential: string;
  kind: 'key' | 'portal';
  live: boolean;
  /** Known for portal sessions (read from the token; the server is what checks it). */
  workspace: string | null;
  /** Unix ms, portal sessions only. */
  expires: number | null;
}

export const WORKSPACE_KEY = /^fsk[tl]_[0-9A-Za-z]{32,200}$/;

export function sessionFromKey(key: string): Session {
  return { credential: key, kind: 'key', live: key.startsWith('fskl_'), workspace: null, expires: null };
}

/** Reads a portal token's claims for display; a forged one still fails at the API. */
export function sessionFromPortalToken(token: string): Session | null {
  const body = token.replace(/^hkps_/, '').split('.')[0];
  if (!token.startsWith('hkps_') || !body) return null;
  try {
    const json = atob(body.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { workspace?: unknown; live?: unknown; expires?: unknown };
    if (typeof claims.workspace !== 'string' || typeof claims.live !== 'boolean' || typeof claims.expires !== 'number') return null;
    return { credential: token, kind: 'portal', live: claims.live, workspace: claims.workspace, expires: claims.expires };
  } catch {
    return null;
  }
}

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(STORAGE_KEY);
}

/** A portal link's token, taken out of the address bar so that it is not bookmarked or shared. */
export function takePortalToken(): string | null {
  const match = /^#portal=(hkps_[\w.-]+)$/.exec(location.hash);
  if (!match) return null;
  // replace(): the link leaves no history entry to go Back to; only the fragment changes, so no reload.
  location.replace(`${location.pathname}${location.search}#/endpoints`);
  return match[1]!;
}

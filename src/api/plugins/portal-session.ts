/**
 * Portal session tokens: what a portal link carries and the dashboard then sends as its bearer
 * credential. Signed and self-contained (signed-token.ts) rather than stored, so any API
 * process accepts a link another issued and nothing needs pruning; the price is that a link
 * cannot be revoked before it expires, which is why links live at most a day (docs/dashboard.md).
 */
import { openToken, signToken } from '../../domain/signed-token.js';

export const PORTAL_TOKEN_PREFIX = 'hkps_';

export interface PortalSession {
  workspace: string;
  live: boolean;
  /** Unix ms */
  expires: number;
}

export function signPortalToken(session: PortalSession, key: Buffer): string {
  return PORTAL_TOKEN_PREFIX + signToken(session, key);
}

/** The session, or null when the token is forged, malformed or expired at `now`. */
export function openPortalToken(token: string, key: Buffer, now: number): PortalSession | null {
  if (!token.startsWith(PORTAL_TOKEN_PREFIX)) return null;
  const session = openToken<PortalSession>(token.slice(PORTAL_TOKEN_PREFIX.length), key, now);
  if (!session || typeof session.workspace !== 'string' || typeof session.live !== 'boolean') return null;
  return session;
}

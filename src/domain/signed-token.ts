/**
 * Self-contained signed tokens: `<base64url JSON>.<base64url HMAC-SHA256>`, carrying their own
 * expiry. Used where any process must accept what another issued without a shared table: the
 * listen grant (realtime/grant.ts) and the dashboard's portal sessions (api/plugins/portal-session.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest('base64url');

export function signToken<T extends { expires: number }>(payload: T, key: Buffer): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The payload, or null when the token is forged, malformed or expired at `now`. */
export function openToken<T extends { expires: number }>(token: string, key: Buffer, now: number): T | null {
  // Exactly two parts: with `body.mac.anything` accepted, tokens hookd never issued would open.
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return null;
  const expected = Buffer.from(mac(key, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
    return typeof payload?.expires === 'number' && payload.expires > now ? payload : null;
  } catch {
    return null;
  }
}

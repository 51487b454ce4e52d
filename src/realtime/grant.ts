/**
 * The listen grant: what `POST /v1/realtime/negotiate/events` hands out and the WebSocket
 * checks. A signed, self-contained token (workspace, mode, event filter, expiry), so any API
 * process can accept a socket negotiated with another, and nothing is stored.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The WebSocket subprotocol of the listen channel (Falu's devproxy). */
export const SUBPROTOCOL = 'json.devproxy.falu.v1';
/** WebSocket close code for an expired grant (4000–4999 are the application's). */
export const CLOSE_EXPIRED = 4001;

export interface ListenGrant {
  workspace: string;
  live: boolean;
  /** Event-type patterns (`*`, `prefix.*`, exact); empty means every type. */
  events: string[];
  /** Unix ms */
  expires: number;
}

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest('base64url');

export function signGrant(grant: ListenGrant, key: Buffer): string {
  const body = Buffer.from(JSON.stringify(grant)).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The grant, or null when the token is forged, malformed or expired at `now`. */
export function openGrant(token: string, key: Buffer, now: number): ListenGrant | null {
  // Exactly two parts: with `body.mac.anything` accepted, tokens hookd never issued would open.
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return null;
  const expected = Buffer.from(mac(key, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const grant = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ListenGrant;
    return grant.expires > now ? grant : null;
  } catch {
    return null;
  }
}

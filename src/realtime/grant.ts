/**
 * The listen grant: what `POST /v1/realtime/negotiate/events` hands out and the WebSocket
 * checks. A signed, self-contained token (workspace, mode, event filter, expiry), so any API
 * process can accept a socket negotiated with another, and nothing is stored.
 */
import { openToken, signToken } from '../domain/signed-token.js';

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

export function signGrant(grant: ListenGrant, key: Buffer): string {
  return signToken(grant, key);
}

/** The grant, or null when the token is forged, malformed or expired at `now`. */
export function openGrant(token: string, key: Buffer, now: number): ListenGrant | null {
  return openToken<ListenGrant>(token, key, now);
}

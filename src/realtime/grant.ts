/**
 * The listen grant: what `POST /v1/realtime/negotiate/events` hands out and the WebSocket
 * checks. A signed, self-contained token (workspace, mode, event filter, key generation,
 * expiry), so any API process can accept a socket negotiated with another, and nothing is
 * stored. What it cannot say by itself, whether the workspace's keys were rolled since, is the
 * key generation's job: checked against the store on connect and while the socket is open.
 */
import { openToken, signToken } from '../domain/signed-token.js';

/** The WebSocket subprotocol of the listen channel (Falu's devproxy). */
export const SUBPROTOCOL = 'json.devproxy.falu.v1';
/** WebSocket close code for an expired grant (4000–4999 are the application's). */
export const CLOSE_EXPIRED = 4001;
/** WebSocket close code for a grant whose workspace's keys were rolled since it was negotiated. */
export const CLOSE_REVOKED = 4003;
/** WebSocket close code for a session over the workspace and mode's cap. */
export const CLOSE_TOO_MANY = 4029;
/** WebSocket close code for a client message hookd cannot act on: not a subscription, or a malformed one. */
export const CLOSE_BAD_MESSAGE = 4400;

/**
 * Falu's CLI, when it negotiated (docs/api.md, "Falu's CLI"). `falu`: it reads each message
 * into a 10 KiB buffer. `falu-subscribe`: the same, and it names its filter in a subscribe
 * message once connected (the versions that negotiate at `/v1/realtime/negotiate`), so no
 * event is sent before that message.
 */
export type ListenClient = 'falu' | 'falu-subscribe';

export interface ListenGrant {
  workspace: string;
  live: boolean;
  /** Event-type patterns (`*`, `prefix.*`, exact); empty means every type. */
  events: string[];
  /** The workspace's key generation when the grant was negotiated; a roll ends the grant. */
  keyGeneration: number;
  /** Unix ms: never later than the credential that negotiated it stops working. */
  expires: number;
  /** Absent for hookd's own protocol (`hookd listen`). */
  client?: ListenClient;
}

export function signGrant(grant: ListenGrant, key: Buffer): string {
  return signToken(grant, key);
}

/** The grant, or null when the token is forged, malformed or expired at `now`. */
export function openGrant(token: string, key: Buffer, now: number): ListenGrant | null {
  const grant = openToken<ListenGrant>(token, key, now);
  // A grant signed before grants carried a generation has none: it cannot be checked, so it is refused.
  return grant && Number.isInteger(grant.keyGeneration) ? grant : null;
}

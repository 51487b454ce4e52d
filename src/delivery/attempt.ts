/**
 * One attempt, start to finish, shared by the dispatcher and the manual routes (/retry, /test):
 * build the exact body for the endpoint's format, have it signed with every secret still valid
 * and sent, and describe what happened as an Attempt record.
 */
import { newId } from '../domain/ids.js';
import type { Attempt, Endpoint, HookdEvent } from '../domain/types.js';
import { VERSION } from '../version.js';
import { serialisePayload } from './payload.js';
import { BODY_LIMIT, type SendRequest, type SendResult, type Sender } from './sender.js';

/** The current secret first, then rolled ones still in their grace period. */
export function validSecrets(endpoint: Endpoint, now: number): string[] {
  return [endpoint.secret, ...endpoint.previousSecrets.filter((p) => p.expires > now).map((p) => p.secret)];
}

/** The request for one attempt; the sender signs it (sender.ts), on whichever thread sends it. */
/** The Ed25519 private keys still signing, current first; undefined for an HMAC endpoint. */
export function validSigningKeys(endpoint: Endpoint, now: number): string[] | undefined {
  if (endpoint.signing !== 'ed25519' || !endpoint.signingKey) return undefined;
  return [endpoint.signingKey.privateKey, ...endpoint.previousSigningKeys.filter((p) => p.expires > now).map((p) => p.privateKey)];
}

export function buildRequest(event: HookdEvent, endpoint: Endpoint, typePrefix: string, now: number): SendRequest {
  const body = serialisePayload(event, endpoint.format, typePrefix);
  // Custom headers first: the API refuses every name hookd sets (domain/custom-headers.ts), and
  // hookd's own would win anyway.
  const headers: Record<string, string> = { ...endpoint.headers, 'content-type': 'application/json', 'user-agent': `hookd/${VERSION}` };
  if (endpoint.token) headers.authorization = `Bearer ${endpoint.token}`;
  const sign = { secrets: validSecrets(endpoint, now), id: event.id, timestamp: Math.floor(now / 1000), ed25519: validSigningKeys(endpoint, now) };
  const request: SendRequest = { url: endpoint.url, body, headers, sign };
  if (endpoint.clientCertificate) request.clientCertificate = endpoint.clientCertificate;
  return request;
}

export interface AttemptRun {
  attempt: Attempt;
  result: SendResult;
}

export async function runAttempt(
  sender: Sender, event: HookdEvent, endpoint: Endpoint,
  options: { deliveryId: string; manual: boolean; typePrefix: string; now: () => number; signal?: AbortSignal },
): Promise<AttemptRun> {
  const attempted = options.now();
  const req = buildRequest(event, endpoint, options.typePrefix, attempted);
  const result = await sender.send({ ...req, signal: options.signal });
  const successful = result.status !== null && result.status >= 200 && result.status < 300;
  return {
    result,
    attempt: {
      id: newId('wha', attempted), delivery: options.deliveryId, manual: options.manual, url: endpoint.url, attempted,
      request: req.body.length > BODY_LIMIT ? req.body.slice(0, BODY_LIMIT) : req.body,
      code: result.status, response: result.response, time: result.time, successful, error: result.error,
    },
  };
}

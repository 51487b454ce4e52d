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
export function buildRequest(event: HookdEvent, endpoint: Endpoint, typePrefix: string, now: number): SendRequest {
  const body = serialisePayload(event, endpoint.format, typePrefix);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': `hookd/${VERSION}` };
  if (endpoint.token) headers.authorization = `Bearer ${endpoint.token}`;
  return { url: endpoint.url, body, headers, sign: { secrets: validSecrets(endpoint, now), id: event.id, timestamp: Math.floor(now / 1000) } };
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

/**
 * What an attempt makes of its delivery (docs/delivery.md): completed, failed, or pending again
 * at the schedule's next time, and whether its endpoint is disabled; and the operational event
 * published when an endpoint is.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import { newId, randomToken } from '../domain/ids.js';
import { renderEndpoint } from '../domain/render.js';
import type { Delivery, Endpoint } from '../domain/types.js';
import type { DeliveryResult, Store } from '../store/types.js';
import type { AttemptRun } from './attempt.js';
import { nextDelay, verdictOf } from './retry-policy.js';

export interface OutcomePolicy {
  config: Pick<Config, 'retrySchedule' | 'retryOn4xx' | 'disableAfter'>;
  /** ms epoch the attempt ended. */
  end: number;
  /** The retry's jitter, in [0, 1); asked only when a retry is scheduled. */
  random: () => number;
}

export function attemptOutcome({ config, end, random }: OutcomePolicy, d: Delivery, ep: Endpoint, run: AttemptRun): DeliveryResult {
  const verdict = verdictOf({ status: run.result.status }, config.retryOn4xx);
  let status: DeliveryResult['status'] = 'failed';
  let nextAttemptAt: number | null = null;
  if (verdict === 'succeeded') status = 'succeeded';
  else if (verdict === 'retry') {
    const delay = nextDelay(config.retrySchedule, d.attemptCount + 1, random(), run.result.retryAfter);
    if (delay !== null) [status, nextAttemptAt] = ['pending', end + delay];
  }
  const failingTooLong = !run.attempt.successful && ep.failingSince !== null && end - ep.failingSince >= config.disableAfter;
  return {
    delivery: d.id, attempt: run.attempt, workspace: d.workspace, live: d.live, endpoint: d.endpoint, status, nextAttemptAt,
    etag: randomToken(), disableEndpoint: verdict === 'gone' || failingTooLong,
  };
}

/** The endpoint was disabled or deleted since the fan-out: the delivery ends failed, without a request. */
export function endedWithoutRequest(d: Delivery): DeliveryResult {
  return {
    delivery: d.id, attempt: null, workspace: d.workspace, live: d.live, endpoint: d.endpoint, status: 'failed', nextAttemptAt: null,
    etag: randomToken(), disableEndpoint: false,
  };
}

/** The operational event `webhook_endpoint.disabled`, published into each endpoint's workspace. */
export async function announceDisabled(
  { store, clock, log, wake }: { store: Store; clock: Clock; log: FastifyBaseLogger; wake: (endpoints: string[]) => void },
  ids: string[],
): Promise<void> {
  try {
    const endpoints = await store.getEndpointsByIds(ids);
    for (const ep of endpoints.values()) {
      const now = clock.now();
      const published = await store.publishEvent({
        id: newId('evt', now), workspace: ep.workspace, live: ep.live, type: 'webhook_endpoint.disabled',
        data: { object: renderEndpoint(ep) }, requestId: newId('req', now), idempotencyKey: null, redaction: null,
        created: now, updated: now, etag: randomToken(),
      });
      wake(published.endpoints);
      log.warn({ endpoint: ep.id, workspace: ep.workspace }, 'endpoint disabled');
    }
  } catch (err) {
    log.error({ err }, 'publishing webhook_endpoint.disabled failed');
  }
}

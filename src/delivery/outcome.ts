/**
 * What an attempt makes of its delivery (docs/delivery.md): completed, failed, or pending again
 * at the schedule's next time, and whether its endpoint is disabled; and the operational event
 * published when an endpoint is.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import { newId, randomToken } from '../domain/ids.js';
import { newEvent } from '../domain/new-event.js';
import type { Delivery, Endpoint } from '../domain/types.js';
import type { DeliveryResult, Store } from '../store/types.js';
import type { Metrics } from '../metrics.js';
import { runAttempt, type AttemptRun } from './attempt.js';
import type { RequestOutcome } from './endpoint-slots.js';
import type { ReadyJob } from './ready-buffer.js';
import type { ResultWriter } from './result-writer.js';
import { scheduleInForce } from '../domain/retry-schedule.js';
import { nextDelay, verdictOf } from './retry-policy.js';
import type { Sender } from './sender.js';

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
    // The endpoint's own schedule, read with the endpoint at claim time: an edit applies from the next attempt on.
    const { schedule } = scheduleInForce(ep.retrySchedule, config.retrySchedule);
    const delay = nextDelay(schedule, d.attemptCount + 1, random(), run.result.retryAfter);
    if (delay !== null) [status, nextAttemptAt] = ['pending', end + delay];
  }
  const failingTooLong = !run.attempt.successful && ep.failingSince !== null && end - ep.failingSince >= config.disableAfter;
  const result: DeliveryResult = {
    delivery: d.id, attempt: run.attempt, workspace: d.workspace, live: d.live, endpoint: d.endpoint, status, nextAttemptAt,
    etag: randomToken(), disableEndpoint: verdict === 'gone' || failingTooLong,
  };
  // A throttled endpoint that asks for a pause gets one for all its deliveries, not just this
  // one: its bucket stays empty until then, and the stricter of the two wins (docs/delivery.md).
  const retryAfter = run.result.retryAfter ?? 0;
  if (ep.rateLimit !== null && retryAfter > 0) result.pauseEndpointUntil = end + retryAfter * 1000;
  return result;
}

export interface SendJobContext {
  sender: Sender;
  config: OutcomePolicy['config'] & Pick<Config, 'cloudEventsTypePrefix'>;
  clock: Clock;
  random: () => number;
  writer: Pick<ResultWriter, 'push'>;
  metrics?: Pick<Metrics, 'attempts' | 'attemptsBySchedule' | 'retriesScheduled' | 'attemptDuration'>;
  log: Pick<FastifyBaseLogger, 'error'>;
  /** A throttled endpoint asked for a pause: claim nothing more for it here until the pause is written. */
  hold?: (endpoint: string) => void;
}

/**
 * Sends one claimed job and hands its outcome to the result writer; resolves to how the
 * request went, for the endpoint's slots, and never rejects. A request aborted by `signal` (a
 * stop's grace period ended) writes nothing: stop() releases its lease, and the delivery goes
 * out after the restart.
 */
export async function sendJob({ delivery: d, event, endpoint: ep }: ReadyJob, signal: AbortSignal, ctx: SendJobContext): Promise<RequestOutcome> {
  const { config, clock, metrics } = ctx;
  try {
    const run = await runAttempt(ctx.sender, event, ep, {
      deliveryId: d.id, manual: false, typePrefix: config.cloudEventsTypePrefix, now: clock.now, signal,
    });
    if (signal.aborted) return 'aborted';
    const result = attemptOutcome({ config, end: clock.now(), random: ctx.random }, d, ep, run);
    if (result.pauseEndpointUntil !== undefined) ctx.hold?.(ep.id);
    ctx.writer.push(result, ep.ordering === 'fifo');
    metrics?.attempts.inc({ outcome: result.status === 'pending' ? 'retry_scheduled' : result.status });
    metrics?.attemptsBySchedule.inc({ schedule: ep.retrySchedule === null ? 'platform' : 'endpoint' });
    if (result.status === 'pending') metrics?.retriesScheduled.inc();
    metrics?.attemptDuration.observe(run.attempt.time / 1000);
    return run.attempt.successful ? 'success' : run.result.unreachable ? 'unreachable' : 'http_error';
  } catch (err) {
    // runAttempt describes every network failure itself; reaching here is a bug. The lease
    // expires and the delivery is sent again, so log loudly and lose nothing.
    ctx.log.error({ err, delivery: d.id }, 'delivery attempt threw');
    return 'aborted';
  }
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
  { store, clock, log, wake, renderEndpoint }: {
    store: Store; clock: Clock; log: FastifyBaseLogger; wake: (endpoints: string[]) => void; renderEndpoint: (endpoint: Endpoint) => unknown;
  },
  ids: string[],
): Promise<void> {
  try {
    const endpoints = await store.getEndpointsByIds(ids);
    for (const ep of endpoints.values()) {
      const now = clock.now();
      const published = await store.publishEvent(newEvent({ mode: ep, type: 'webhook_endpoint.disabled', data: { object: renderEndpoint(ep) }, requestId: newId('req', now) }, now));
      wake(published.endpoints);
      log.warn({ endpoint: ep.id, workspace: ep.workspace }, 'endpoint disabled');
    }
  } catch (err) {
    log.error({ err }, 'publishing webhook_endpoint.disabled failed');
  }
}

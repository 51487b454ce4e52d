/**
 * Delivery statistics for the dashboard (docs/dashboard.md), for the workspace: each endpoint's
 * success rate and p95 latency (/v1/stats/endpoints) and the hourly series (/v1/stats/hourly);
 * one endpoint's series is /v1/webhooks/endpoints/{id}/stats (endpoints/actions.ts). hookd's own
 * routes, beside the Falu API; scoped like every other.
 */
import { Type } from '@sinclair/typebox';
import type { Mode } from '../../domain/types.js';
import type { ApiDeps, App } from '../../api/deps.js';
import { answer, withProblems, ScopeHeaders } from '../../api/schemas.js';
import { EndpointStatsObject, HOUR, HourObject, HoursQuery, renderEndpointStats, renderHours, type HourJson } from './shape.js';

/** The hourly series of the last `count` hours, of the workspace or one endpoint: oldest first, the current (partial) hour last. */
export async function hourlyStats({ store, clock }: Pick<ApiDeps, 'store' | 'clock'>, mode: Mode, count: number, endpoint?: string): Promise<HourJson[]> {
  const first = Math.floor(clock.now() / HOUR) * HOUR - (count - 1) * HOUR;
  const window = endpoint === undefined ? { since: first } : { since: first, endpoint };
  const [deliveries, attempts] = await Promise.all([store.deliveryHours(mode, window), store.attemptHours(mode, window)]);
  return renderHours(first, count, deliveries, attempts);
}

export async function statsRoutes(app: App, deps: ApiDeps): Promise<void> {
  const { store, clock, auth } = deps;
  const tags = ['statistics'];

  app.get('/v1/stats/endpoints', {
    onRequest: auth.workspace,
    schema: {
      headers: ScopeHeaders, tags, operationId: 'listEndpointStats', summary: 'Success rate and p95 latency of each endpoint with attempts in the last `hours`',
      querystring: HoursQuery,
      response: withProblems({ 200: answer(Type.Array(EndpointStatsObject), 'One entry per endpoint with attempts in the span') }, 403, 404),
    },
  }, async (request) => {
    const since = clock.now() - (request.query.hours ?? 24) * HOUR;
    return (await store.endpointStats(request.mode!, { since })).map(renderEndpointStats);
  });

  app.get('/v1/stats/hourly', {
    onRequest: auth.workspace,
    schema: {
      headers: ScopeHeaders, tags, operationId: 'getHourlyStats', summary: 'Deliveries by outcome and attempt latency percentiles per hour, for the workspace',
      querystring: HoursQuery,
      response: withProblems({ 200: answer(Type.Array(HourObject), 'One entry per hour, oldest first; the current hour last') }, 403, 404),
    },
  }, async (request) => hourlyStats(deps, request.mode!, request.query.hours ?? 24));
}

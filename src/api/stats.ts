/**
 * Delivery statistics for the dashboard (docs/dashboard.md): each endpoint's success rate and p95
 * latency, and hourly series of deliveries by outcome and attempt latency percentiles, for the
 * workspace (/v1/stats/hourly) or one endpoint (/v1/webhooks/endpoints/{id}/stats). hookd's own routes, beside the Falu API; scoped like every other.
 */
import { Type } from '@sinclair/typebox';
import type { Mode } from '../domain/types.js';
import type { AttemptHour, DeliveryHour } from '../store/types.js';
import type { ApiDeps, App } from './deps.js';
import { loadEndpoint } from './endpoints.js';
import { IdString, Timestamp, withProblems } from './schemas.js';

const HOUR = 3_600_000;
const Hours = Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 30, default: 24, description: 'Hours back from now (1–720, default 24)' }));
const Ms = Type.Union([Type.Integer(), Type.Null()], { description: 'ms; null without attempts' });

const EndpointStatsObject = Type.Object({
  endpoint: Type.String(), attempts: Type.Integer(), successful: Type.Integer(),
  success_rate: Type.Union([Type.Number(), Type.Null()], { description: 'successful / attempts, 0–1; null without attempts' }), p95: Ms,
});

const HourObject = Type.Object({
  hour: Timestamp,
  deliveries: Type.Object({ succeeded: Type.Integer(), failed: Type.Integer(), pending: Type.Integer() }, { description: 'Created this hour, by their status now' }),
  attempts: Type.Integer(), successful: Type.Integer(),
  latency: Type.Object({ p50: Ms, p90: Ms, p99: Ms }, { description: 'Attempt durations this hour (nearest rank)' }),
});

/** One entry per hour of the window, oldest first, hours without traffic as zeros. */
function hourly(first: number, count: number, deliveries: DeliveryHour[], attempts: AttemptHour[]) {
  const delivered = new Map(deliveries.map((d) => [`${d.hour}:${d.status}`, d.count]));
  const attempted = new Map(attempts.map((a) => [a.hour, a]));
  return Array.from({ length: count }, (_, i) => {
    const hour = first + i * HOUR;
    const of = (status: DeliveryHour['status']) => delivered.get(`${hour}:${status}`) ?? 0;
    const a = attempted.get(hour);
    return {
      hour: new Date(hour).toISOString(),
      deliveries: { succeeded: of('succeeded'), failed: of('failed'), pending: of('pending') },
      attempts: a?.attempts ?? 0, successful: a?.successful ?? 0,
      latency: { p50: a?.p50 ?? null, p90: a?.p90 ?? null, p99: a?.p99 ?? null },
    };
  });
}

export async function statsRoutes(app: App, { store, clock, auth }: ApiDeps): Promise<void> {
  const tags = ['statistics'];

  app.get('/v1/stats/endpoints', {
    onRequest: auth.workspace,
    schema: {
      tags, summary: 'Success rate and p95 latency of each endpoint with attempts in the last `hours`',
      querystring: Type.Object({ hours: Hours }, { additionalProperties: false }),
      response: withProblems({ 200: Type.Array(EndpointStatsObject) }, 403, 404),
    },
  }, async (request) => {
    const since = clock.now() - (request.query.hours ?? 24) * HOUR;
    const rows = await store.endpointStats(request.mode!, { since });
    return rows.map((r) => ({ ...r, success_rate: r.attempts === 0 ? null : r.successful / r.attempts }));
  });

  /** Oldest first, the current (partial) hour last. */
  async function hours(mode: Mode, count: number, endpoint?: string) {
    const first = Math.floor(clock.now() / HOUR) * HOUR - (count - 1) * HOUR;
    const window = endpoint === undefined ? { since: first } : { since: first, endpoint };
    const [deliveries, attempts] = await Promise.all([store.deliveryHours(mode, window), store.attemptHours(mode, window)]);
    return hourly(first, count, deliveries, attempts);
  }

  app.get('/v1/stats/hourly', {
    onRequest: auth.workspace,
    schema: {
      tags, summary: 'Deliveries by outcome and attempt latency percentiles per hour, for the workspace',
      querystring: Type.Object({ hours: Hours }, { additionalProperties: false }),
      response: withProblems({ 200: Type.Array(HourObject) }, 403, 404),
    },
  }, async (request) => hours(request.mode!, request.query.hours ?? 24));

  app.get('/v1/webhooks/endpoints/:id/stats', {
    onRequest: auth.workspace,
    schema: {
      tags, summary: 'Deliveries by outcome and attempt latency percentiles per hour, for one endpoint',
      params: Type.Object({ id: IdString('we') }),
      querystring: Type.Object({ hours: Hours }, { additionalProperties: false }),
      response: withProblems({ 200: Type.Array(HourObject) }, 403, 404),
    },
  }, async (request) => {
    const endpoint = await loadEndpoint(store, request.mode!, request.params.id);
    return hours(request.mode!, request.query.hours ?? 24, endpoint.id);
  });
}

/**
 * The statistics the dashboard draws (docs/dashboard.md): each endpoint's success rate and p95
 * latency, and hourly series of deliveries by outcome and attempt latency percentiles. Their
 * schemas, and the functions that render the store's rows as them.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { AttemptHour, DeliveryHour, EndpointStats } from '../../store/types.js';
import { iso, Timestamp } from '../../api/schemas.js';

/** ms: the series' bucket, in the SQL (queries.ts) and in the answer. */
export const HOUR = 3_600_000;

/** `?hours=`: the window, back from now. */
export const HoursQuery = Type.Object({
  hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 30, default: 24, description: 'Hours back from now (1–720, default 24)' })),
}, { additionalProperties: false });

const Ms = Type.Union([Type.Integer(), Type.Null()], { description: 'ms; null without attempts' });

export const EndpointStatsObject = Type.Object({
  endpoint: Type.String(), attempts: Type.Integer(), successful: Type.Integer(),
  success_rate: Type.Union([Type.Number(), Type.Null()], { description: 'successful / attempts, 0–1; null without attempts' }), p95: Ms,
});

export const HourObject = Type.Object({
  hour: Timestamp,
  deliveries: Type.Object({ succeeded: Type.Integer(), failed: Type.Integer(), pending: Type.Integer() }, { description: 'Created this hour, by their status now' }),
  attempts: Type.Integer(), successful: Type.Integer(),
  latency: Type.Object({ p50: Ms, p90: Ms, p99: Ms }, { description: 'Attempt durations this hour (nearest rank)' }),
});

export type EndpointStatsJson = Static<typeof EndpointStatsObject>;
export type HourJson = Static<typeof HourObject>;

export function renderEndpointStats(r: EndpointStats): EndpointStatsJson {
  return { ...r, success_rate: r.attempts === 0 ? null : r.successful / r.attempts };
}

/** One entry per hour of the window from `first`, oldest first, hours without traffic as zeros. */
export function renderHours(first: number, count: number, deliveries: DeliveryHour[], attempts: AttemptHour[]): HourJson[] {
  const delivered = new Map(deliveries.map((d) => [`${d.hour}:${d.status}`, d.count]));
  const attempted = new Map(attempts.map((a) => [a.hour, a]));
  return Array.from({ length: count }, (_, i) => {
    const hour = first + i * HOUR;
    const of = (status: DeliveryHour['status']) => delivered.get(`${hour}:${status}`) ?? 0;
    const a = attempted.get(hour);
    return {
      hour: iso(hour),
      deliveries: { succeeded: of('succeeded'), failed: of('failed'), pending: of('pending') },
      attempts: a?.attempts ?? 0, successful: a?.successful ?? 0,
      latency: { p50: a?.p50 ?? null, p90: a?.p90 ?? null, p99: a?.p99 ?? null },
    };
  });
}

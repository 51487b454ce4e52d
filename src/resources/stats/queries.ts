/**
 * Delivery statistics for the dashboard: per-endpoint success rate and p95 latency, and hourly
 * series (deliveries by outcome, attempt latency percentiles). One SQL text for both dialects:
 * window functions (SQLite 3.25+, PostgreSQL) rank attempts by time, and integer arithmetic
 * picks the nearest-rank percentile, ceil(p·n/100) = (p·n + 99) / 100, since SQLite has no
 * percentile_cont. Hour buckets are `ms - ms % 3600000`, bigint arithmetic in both.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Mode } from '../../domain/types.js';
import { bit } from '../../store/columns.js';
import type { Database } from '../../store/schema.js';
import type { AttemptHour, DeliveryHour, EndpointStats, StatsWindow, Store } from '../../store/types.js';
import { HOUR } from './shape.js';

/** The p-th percentile of the ranked group: its ceil(p·n/100)-th fastest attempt. */
const percentile = (p: number) => sql`MAX(CASE WHEN rn = (${sql.lit(p)} * n + 99) / 100 THEN "time" END)`;

/** Attempts of the window with their endpoint and hour bucket, ranked by time within `partition`. */
function rankedAttempts(mode: Mode, window: StatsWindow, partition: RawBuilder<unknown>) {
  const endpoint = window.endpoint === undefined ? sql`` : sql`AND d.endpoint = ${window.endpoint}`;
  return sql`
    SELECT endpoint, bucket, successful, "time",
      ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY "time") AS rn,
      COUNT(*) OVER (PARTITION BY ${partition}) AS n
    FROM (
      SELECT d.endpoint AS endpoint, a.attempted - a.attempted % ${sql.lit(HOUR)} AS bucket, a.successful AS successful, a."time" AS "time"
      FROM attempts a JOIN deliveries d ON d.id = a.delivery
      WHERE a.workspace = ${mode.workspace} AND a.live = ${bit(mode.live)} AND a.attempted >= ${window.since} ${endpoint}
    ) windowed`;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function endpointStats(db: Kysely<Database>, mode: Mode, window: StatsWindow): Promise<EndpointStats[]> {
  const { rows } = await sql<{ endpoint: string; attempts: unknown; successful: unknown; p95: unknown }>`
    SELECT endpoint, COUNT(*) AS attempts, SUM(successful) AS successful, ${percentile(95)} AS p95
    FROM (${rankedAttempts(mode, window, sql`endpoint`)}) ranked
    GROUP BY endpoint ORDER BY endpoint`.execute(db);
  return rows.map((r) => ({ endpoint: r.endpoint, attempts: Number(r.attempts), successful: Number(r.successful), p95: num(r.p95) }));
}

export async function attemptHours(db: Kysely<Database>, mode: Mode, window: StatsWindow): Promise<AttemptHour[]> {
  const { rows } = await sql<{ bucket: unknown; attempts: unknown; successful: unknown; p50: unknown; p90: unknown; p99: unknown }>`
    SELECT bucket, COUNT(*) AS attempts, SUM(successful) AS successful, ${percentile(50)} AS p50, ${percentile(90)} AS p90, ${percentile(99)} AS p99
    FROM (${rankedAttempts(mode, window, sql`bucket`)}) ranked
    GROUP BY bucket ORDER BY bucket`.execute(db);
  return rows.map((r) => ({
    hour: Number(r.bucket), attempts: Number(r.attempts), successful: Number(r.successful), p50: num(r.p50), p90: num(r.p90), p99: num(r.p99),
  }));
}

/** Deliveries by the hour they were created in and their status now. */
export async function deliveryHours(db: Kysely<Database>, mode: Mode, window: StatsWindow): Promise<DeliveryHour[]> {
  const endpoint = window.endpoint === undefined ? sql`` : sql`AND endpoint = ${window.endpoint}`;
  const { rows } = await sql<{ bucket: unknown; status: string; n: unknown }>`
    SELECT created - created % ${sql.lit(HOUR)} AS bucket, status, COUNT(*) AS n
    FROM deliveries
    WHERE workspace = ${mode.workspace} AND live = ${bit(mode.live)} AND created >= ${window.since} ${endpoint}
    GROUP BY 1, 2 ORDER BY 1`.execute(db);
  return rows.map((r) => ({ hour: Number(r.bucket), status: r.status as DeliveryHour['status'], count: Number(r.n) }));
}

/** This resource's part of the Store (store/sql/kysely-store.ts composes the parts). */
export function statsQueries(db: Kysely<Database>): Pick<Store, 'endpointStats' | 'attemptHours' | 'deliveryHours'> {
  return {
    endpointStats: (mode, window) => endpointStats(db, mode, window),
    attemptHours: (mode, window) => attemptHours(db, mode, window),
    deliveryHours: (mode, window) => deliveryHours(db, mode, window),
  };
}

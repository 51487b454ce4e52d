/**
 * The store's own operations: the backlog, the FIFO heads and the throttled backlog for /metrics, the summary behind `GET /v1/status`
 * (`hookd status`), which migrations the store records for /ready, the settings table, and
 * retention. Each read is bounded (a count over an index, a LIMIT, a time window), because
 * operators and scrapers call them on a timer whatever the store's size; retention deletes in
 * bounded batches. The same SQL serves SQLite and PostgreSQL.
 */
import { sql, type Kysely } from 'kysely';
import type { Mode } from '../../domain/types.js';
import type { Database } from '../schema.js';
import type { DeliveryHealth, DeliveryHealthOptions, FifoHeads, Store } from '../types.js';
import { bit, isSet } from '../columns.js';

/**
 * `status = 'pending'` as a literal, in both queries here: the partial index deliveries_pending
 * (migration 0003) holds exactly the pending rows, and SQLite uses a partial index only when
 * the query states its condition, which a bound parameter does not.
 */
const PENDING = sql<boolean>`status = 'pending'`;

/** Pending deliveries of the whole store: a count over the partial index deliveries_pending. */
export async function countPendingDeliveries(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n'))
    .where(PENDING)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Endpoints in a run of failures, of the whole store: a scan of the endpoints table, which holds at most a few per workspace. */
export async function countFailingEndpoints(db: Kysely<Database>): Promise<number> {
  const row = await failingEndpoints(db, null).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The head of each FIFO endpoint: per FIFO endpoint, its lowest pending place read from
 * deliveries_fifo_pending (migration 0008), then the head's row by (endpoint, sequence) in
 * deliveries_sequence. MIN, not ORDER BY … LIMIT 1: for the latter SQLite picks the unique
 * index, which holds every place ever given, and would walk an endpoint's whole delivered
 * history before its first pending row. The endpoints scan is the table's, a few rows per workspace.
 */
export async function fifoHeads(db: Kysely<Database>): Promise<FifoHeads> {
  const heads = db.selectFrom('endpoints as e')
    .select((eb) => ['e.id', 'e.status', eb.selectFrom('deliveries as d').select((d) => d.fn.min('d.sequence').as('first'))
      .whereRef('d.endpoint', '=', 'e.id').where(sql<boolean>`d.status = 'pending' AND d.sequence IS NOT NULL`).as('head')])
    .where('e.ordering', '=', 'fifo')
    .as('x');
  const row = await db.selectFrom(heads).innerJoin('deliveries as h', (join) => join.onRef('h.endpoint', '=', 'x.id').onRef('h.sequence', '=', 'x.head'))
    .select([
      sql<number>`COALESCE(SUM(CASE WHEN h.attempts > 0 OR x.status = 'disabled' THEN 1 ELSE 0 END), 0)`.as('blocked'),
      sql<number | null>`MIN(h.created)`.as('oldest'),
    ])
    .executeTakeFirstOrThrow();
  return { blocked: Number(row.blocked), oldestCreated: row.oldest === null ? null : Number(row.oldest) };
}

/**
 * Due deliveries of throttled endpoints: a count over a range of deliveries_pending per enabled
 * endpoint with a rate_limit, correlated so that neither planner trades it for a scan of every
 * pending row. A disabled endpoint's backlog waits on its status, not its throttle (a FIFO one
 * is counted as blocked by fifoHeads instead).
 */
export async function countThrottledWaiting(db: Kysely<Database>, now: number): Promise<number> {
  const row = await db.selectFrom('endpoints as e')
    .select((eb) => sql<number | null>`SUM(${eb.selectFrom('deliveries as d').select((d) => d.fn.countAll().as('n'))
      .whereRef('d.endpoint', '=', 'e.id').where(sql<boolean>`d.status = 'pending'`).where('d.next_attempt_at', '<=', now)})`.as('n'))
    .where('e.rate_limit', 'is not', null).where('e.status', '=', 'enabled')
    .executeTakeFirstOrThrow();
  return Number(row.n ?? 0);
}

export async function deliveryHealth(db: Kysely<Database>, scope: Mode | null, options: DeliveryHealthOptions): Promise<DeliveryHealth> {
  const [backlog, failingCount, failing, errors] = await Promise.all([
    pendingIn(db, scope),
    failingEndpoints(db, scope).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    failingEndpoints(db, scope).select(['id', 'workspace', 'live', 'url', 'status', 'failing_since'])
      .orderBy('failing_since', 'asc').orderBy('id', 'asc').limit(options.limit).execute(),
    recentErrors(db, scope, options),
  ]);
  return {
    pending: backlog.pending,
    oldestDue: backlog.oldestDue,
    failingEndpointCount: Number(failingCount.n),
    failingEndpoints: failing.map((r) => ({
      id: r.id, workspace: r.workspace, live: isSet(r.live), url: r.url, status: r.status as 'enabled' | 'disabled', failingSince: Number(r.failing_since),
    })),
    recentErrors: errors,
  };
}

/**
 * Scoped through the workspace's endpoints, so that the count walks the deliveries_pending index
 * per endpoint instead of every delivery the workspace kept for 30 days.
 */
async function pendingIn(db: Kysely<Database>, scope: Mode | null): Promise<{ pending: number; oldestDue: number | null }> {
  let query = db.selectFrom('deliveries')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('next_attempt_at').as('oldest')])
    .where(PENDING);
  if (scope) {
    query = query.where('endpoint', 'in', db.selectFrom('endpoints').select('id').where('workspace', '=', scope.workspace).where('live', '=', bit(scope.live)));
  }
  const row = await query.executeTakeFirstOrThrow();
  return { pending: Number(row.n), oldestDue: row.oldest === null ? null : Number(row.oldest) };
}

/** Endpoints in a run of failures (failing_since is cleared by any success), enabled or already disabled. */
function failingEndpoints(db: Kysely<Database>, scope: Mode | null) {
  let query = db.selectFrom('endpoints').where('failing_since', 'is not', null);
  if (scope) query = query.where('workspace', '=', scope.workspace).where('live', '=', bit(scope.live));
  return query;
}

async function recentErrors(db: Kysely<Database>, scope: Mode | null, options: DeliveryHealthOptions): Promise<DeliveryHealth['recentErrors']> {
  let query = db.selectFrom('attempts').innerJoin('deliveries', 'deliveries.id', 'attempts.delivery')
    .select(['attempts.delivery', 'deliveries.endpoint', 'deliveries.event', 'attempts.workspace', 'attempts.live', 'attempts.url',
      'attempts.attempted', 'attempts.code', 'attempts.error', 'attempts.manual'])
    .where('attempts.successful', '=', 0)
    .where('attempts.attempted', '>=', options.since);
  if (scope) query = query.where('attempts.workspace', '=', scope.workspace).where('attempts.live', '=', bit(scope.live));
  const rows = await query.orderBy('attempts.attempted', 'desc').orderBy('attempts.id', 'desc').limit(options.limit).execute();
  return rows.map((r) => ({
    delivery: r.delivery, endpoint: r.endpoint, event: r.event, workspace: r.workspace, live: isSet(r.live), url: r.url,
    attempted: Number(r.attempted), code: r.code, error: r.error, manual: isSet(r.manual),
  }));
}

/**
 * Names in kysely's migration table. The table lives in the store's own schema (PostgreSQL's
 * search_path), as migrateToLatest made it.
 */
async function appliedMigrations(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT name FROM hookd_migrations`.execute(db);
  return rows.map((r) => r.name);
}

/** Retention: events, deliveries and attempts created before `before`; returns how many events went. */
export async function pruneBefore(db: Kysely<Database>, before: number, batch = 5_000): Promise<number> {
  // In batches, so that a first prune of a large store never holds the write lock for long.
  const old = await db.selectFrom('events').select('id').where('created', '<', before).limit(batch).execute();
  if (old.length === 0) return 0;
  const ids = old.map((r) => r.id);
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < ids.length; i += 500) {
      const slice = ids.slice(i, i + 500);
      const deliveries = await tx.selectFrom('deliveries').select('id').where('event', 'in', slice).execute();
      const dIds = deliveries.map((d) => d.id);
      for (let j = 0; j < dIds.length; j += 500) {
        await tx.deleteFrom('attempts').where('delivery', 'in', dIds.slice(j, j + 500)).execute();
        await tx.deleteFrom('deliveries').where('id', 'in', dIds.slice(j, j + 500)).execute();
      }
      await tx.deleteFrom('events').where('id', 'in', slice).execute();
    }
  });
  return ids.length;
}

async function getSetting(db: Kysely<Database>, name: string): Promise<string | null> {
  const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value ?? null;
}

async function putSettingIfAbsent(db: Kysely<Database>, name: string, value: string): Promise<string> {
  await db.insertInto('settings').values({ name, value }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}

/** These operations' part of the Store (kysely-store.ts composes the parts). */
export function operationQueries(db: Kysely<Database>): Pick<Store,
  'ping' | 'getSetting' | 'putSettingIfAbsent' | 'countPendingDeliveries' | 'countFailingEndpoints' | 'fifoHeads' | 'countThrottledWaiting' | 'deliveryHealth' | 'missingMigrations' | 'pruneBefore'> {
  // The openers (sqlite/, postgres/) migrate before they build the store, so the migration
  // table read now lists every migration this build knows: /ready checks they stay applied.
  const openedWith = appliedMigrations(db).catch(() => [] as string[]);
  return {
    async ping() {
      await db.selectFrom('settings').select('name').limit(1).execute();
    },
    getSetting: (name) => getSetting(db, name),
    putSettingIfAbsent: (name, value) => putSettingIfAbsent(db, name, value),
    countPendingDeliveries: () => countPendingDeliveries(db),
    countFailingEndpoints: () => countFailingEndpoints(db),
    fifoHeads: () => fifoHeads(db),
    countThrottledWaiting: (now) => countThrottledWaiting(db, now),
    deliveryHealth: (scope, options) => deliveryHealth(db, scope, options),
    async missingMigrations() {
      const [opened, now] = await Promise.all([openedWith, appliedMigrations(db)]);
      return opened.filter((name) => !now.includes(name));
    },
    pruneBefore: (before) => pruneBefore(db, before),
  };
}

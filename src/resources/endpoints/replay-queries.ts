/**
 * The replay of what an endpoint missed (docs/delivery.md, "Replay"): one Store method,
 * `replayDeliveries`, in both dialects.
 *
 * In batches of at most 500 events, each in a transaction of its own: a replay of thousands
 * never holds SQLite's one writer (and so every publish) for longer than one batch, and never
 * holds more than one batch in memory. Each batch reads the endpoint's row first (locked FOR
 * UPDATE on PostgreSQL, where replays and edits of one endpoint then take turns; SQLite's one
 * connection serialises them anyway), so a batch uses the subscription as it is then and stops
 * when the endpoint was disabled or deleted meanwhile.
 */
import { sql, type ExpressionBuilder, type Insertable, type Kysely, type SqlBool, type Expression } from 'kysely';
import { filterMatches } from '../../domain/event-filter.js';
import { newId, randomToken } from '../../domain/ids.js';
import type { EventData, EventFilter, Mode } from '../../domain/types.js';
import { bit, fromJson, fromJsonOrNull } from '../../store/columns.js';
import { takePlaces } from '../../store/fifo-order.js';
import type { Database, DeliveriesTable } from '../../store/schema.js';
import type { ReplayOptions, ReplayResult, Store } from '../../store/types.js';

const BATCH = 500;

type EventsScope = ExpressionBuilder<Database, 'events'>;

/** The SQL twin of domain/event-matching.ts: `*`, `prefix.*` (a prefix compare, exact and case-sensitive in both dialects, unlike LIKE), or the type itself. */
function covers(eb: EventsScope, patterns: readonly string[]): Expression<SqlBool> {
  if (patterns.includes('*')) return sql<SqlBool>`1 = 1`;
  const exact = patterns.filter((p) => !p.endsWith('.*'));
  const prefixes = patterns.filter((p) => p.endsWith('.*')).map((p) => p.slice(0, -1));
  const terms: Expression<SqlBool>[] = prefixes.map((prefix) => sql<SqlBool>`substr(${eb.ref('events.type')}, 1, ${sql.lit(prefix.length)}) = ${prefix}`);
  if (exact.length > 0) terms.push(eb('events.type', 'in', exact));
  return terms.length === 0 ? sql<SqlBool>`1 = 0` : eb.or(terms);
}

/** The candidates a publish would have sent to an endpoint with this filter. */
function matching<T extends { type: string; data?: string }>(filter: EventFilter | null, events: T[]): T[] {
  return filter === null ? events : events.filter((e) => filterMatches(filter, { type: e.type, data: fromJson<EventData>(e.data!) }));
}

interface Position {
  created: number;
  id: string;
}

/**
 * The next events of the window the endpoint's subscription covers and it has not had, in
 * (created, id) order after `after`. Their data is read only for an endpoint with a filter,
 * which `matching` applies: SQL cannot evaluate it in both dialects alike.
 */
function candidates(db: Kysely<Database>, mode: Mode, options: ReplayOptions, patterns: string[], filter: EventFilter | null, after: Position | null, limit: number) {
  return db.selectFrom('events').select(['events.id', 'events.type', 'events.created'])
    .$if(filter !== null, (q) => q.select('events.data'))
    .where('events.workspace', '=', mode.workspace).where('events.live', '=', bit(mode.live))
    .where('events.created', '>=', options.since).where('events.created', '<', options.until)
    .where((eb) => covers(eb, patterns))
    .$if(options.types !== undefined, (q) => q.where((eb) => covers(eb, options.types!)))
    .$if(after !== null, (q) => q.where((eb) => eb.or([
      eb('events.created', '>', after!.created),
      eb.and([eb('events.created', '=', after!.created), eb('events.id', '>', after!.id)]),
    ])))
    // Without include_delivered any row for (event, endpoint) means it was sent; with it, only
    // a row this same replay wrote (its key) does. The deliveries_event index serves both.
    .where((eb) => eb.not(eb.exists(eb.selectFrom('deliveries').select('deliveries.id')
      .whereRef('deliveries.event', '=', 'events.id').where('deliveries.endpoint', '=', options.endpoint)
      .$if(options.includeDelivered, (q) => q.where('deliveries.replay', '=', options.key)))))
    .orderBy('events.created').orderBy('events.id')
    .limit(limit);
}

/** One batch: null when the endpoint is no longer there and enabled. */
async function replayBatch(db: Kysely<Database>, dialect: Store['dialect'], mode: Mode, options: ReplayOptions, after: Position | null, limit: number) {
  return db.transaction().execute(async (tx) => {
    // The lock a switch to FIFO waits for (resources/endpoints/queries.ts), taken before the
    // endpoint's row so that the two always lock in the same order and never deadlock.
    if (dialect === 'postgres') await sql`LOCK TABLE deliveries IN ROW EXCLUSIVE MODE`.execute(tx);
    const endpoint = await tx.selectFrom('endpoints').select(['status', 'events', 'ordering', 'filter'])
      .where('id', '=', options.endpoint).where('workspace', '=', mode.workspace).where('live', '=', bit(mode.live))
      .$if(dialect === 'postgres', (q) => q.forUpdate())
      .executeTakeFirst();
    if (!endpoint || endpoint.status !== 'enabled') return null;
    const patterns = fromJson<string[]>(endpoint.events);
    const filter = fromJsonOrNull<EventFilter>(endpoint.filter);
    const events = await candidates(tx, mode, options, patterns, filter, after, limit).execute();
    if (events.length === 0) return { found: 0, queued: 0, last: after };
    const last = events[events.length - 1]!;
    const position = { created: Number(last.created), id: last.id };
    // A batch the filter empties still moves the position on: `found` counts candidates, not matches.
    const chosen = matching(filter, events);
    if (chosen.length === 0) return { found: events.length, queued: 0, last: position };
    const { now } = options;
    const rows: Insertable<DeliveriesTable>[] = chosen.map((e) => ({
      id: newId('wh', now), event: e.id, endpoint: options.endpoint, workspace: mode.workspace, live: bit(mode.live), type: e.type,
      status: 'pending', attempts: 0, next_attempt_at: now, locked_until: null, last_attempt_at: null,
      created: now, updated: now, etag: randomToken(), replay: options.key, sequence: null,
    }));
    // A FIFO endpoint's replayed deliveries go to the end of its queue, in the events' order. A
    // row skipped below leaves its place unused: a gap, which the order allows.
    if (endpoint.ordering === 'fifo') {
      const first = await takePlaces(tx, options.endpoint, rows.length);
      rows.forEach((row, i) => { row.sequence = first + i; });
    }
    // A row an identical replay committed meanwhile (deliveries_replay, migration 0007) is skipped, not doubled.
    const result = await tx.insertInto('deliveries').values(rows).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return { found: events.length, queued: Number(result.numInsertedOrUpdatedRows ?? 0), last: position };
  });
}

export async function replayDeliveries(db: Kysely<Database>, dialect: Store['dialect'], mode: Mode, options: ReplayOptions): Promise<ReplayResult> {
  let queued = 0;
  let after: Position | null = null;
  for (;;) {
    const take = Math.min(BATCH, options.limit - queued);
    if (take <= 0) break;
    const batch = await replayBatch(db, dialect, mode, options, after, take);
    if (batch === null) return { queued, hasMore: false };
    queued += batch.queued;
    if (batch.found < take) return { queued, hasMore: false };
    after = batch.last;
  }
  // The limit was reached: is anything left for the next call (the same request again)? With a
  // filter, candidates are read a batch at a time until one matches or none is left.
  const endpoint = await db.selectFrom('endpoints').select(['events', 'filter'])
    .where('id', '=', options.endpoint).where('workspace', '=', mode.workspace).where('live', '=', bit(mode.live))
    .executeTakeFirst();
  if (!endpoint) return { queued, hasMore: false };
  const patterns = fromJson<string[]>(endpoint.events);
  const filter = fromJsonOrNull<EventFilter>(endpoint.filter);
  for (;;) {
    const left = await candidates(db, mode, options, patterns, filter, after, filter === null ? 1 : BATCH).execute();
    if (matching(filter, left).length > 0) return { queued, hasMore: true };
    if (filter === null || left.length < BATCH) return { queued, hasMore: false };
    const last = left[left.length - 1]!;
    after = { created: Number(last.created), id: last.id };
  }
}

import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not as it is now. */
export async function up(db: Kysely<any>): Promise<void> {
  // Per-endpoint delivery control (docs/delivery.md, "Ordered endpoints" and "Throttles").
  // `ordering` has a constant default and the rest are nullable or constant-defaulted, so on
  // PostgreSQL adding them rewrites no row, and on SQLite it is a schema change only.
  await db.schema.alterTable('endpoints').addColumn('ordering', 'text', (c) => c.notNull().defaultTo('unordered')).execute();
  await db.schema.alterTable('endpoints').addColumn('rate_limit', 'integer').execute();
  // The last place given in the endpoint's order; a publish takes the next ones under the row's
  // lock, so places follow the order of commits (docs/delivery.md).
  await db.schema.alterTable('endpoints').addColumn('last_sequence', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  // The throttle's token bucket, shared by every worker: tokens held at `throttle_at` (ms).
  await db.schema.alterTable('endpoints').addColumn('throttle_tokens', 'double precision').execute();
  await db.schema.alterTable('endpoints').addColumn('throttle_at', 'bigint').execute();

  // A delivery's place in its FIFO endpoint's order; NULL for every unordered delivery, which
  // therefore enters neither index below: endpoints that do not use ordering pay nothing.
  await db.schema.alterTable('deliveries').addColumn('sequence', 'bigint').execute();
  // The head of each FIFO queue: the first pending delivery in order, one index seek.
  await db.schema.createIndex('deliveries_fifo_pending').on('deliveries').columns(['endpoint', 'sequence'])
    .where(sql<boolean>`status = 'pending' AND sequence IS NOT NULL`).execute();
  // One place per delivery: two deliveries can never share a place, and a record finds its
  // neighbour in the order (the one before it, when that one was given up on).
  await db.schema.createIndex('deliveries_sequence').on('deliveries').columns(['endpoint', 'sequence']).unique()
    .where(sql.ref('sequence'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('deliveries_sequence').execute();
  await db.schema.dropIndex('deliveries_fifo_pending').execute();
  await db.schema.alterTable('deliveries').dropColumn('sequence').execute();
  for (const column of ['throttle_at', 'throttle_tokens', 'last_sequence', 'rate_limit', 'ordering']) {
    await db.schema.alterTable('endpoints').dropColumn(column).execute();
  }
}

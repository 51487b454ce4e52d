import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not as it is now. */
export async function up(db: Kysely<any>): Promise<void> {
  // Every attempt, automatic or manual, oldest first per delivery (docs/delivery.md).
  await db.schema.createTable('attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('delivery', 'text', (c) => c.notNull())
    .addColumn('workspace', 'text', (c) => c.notNull())
    .addColumn('live', 'integer', (c) => c.notNull())
    .addColumn('manual', 'integer', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('attempted', 'bigint', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('code', 'integer')
    .addColumn('response', 'text')
    .addColumn('time', 'integer', (c) => c.notNull())
    .addColumn('successful', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('attempts_delivery').on('attempts').columns(['delivery', 'attempted']).execute();
  await db.schema.createIndex('attempts_attempted').on('attempts').column('attempted').execute();

  await db.schema.alterTable('deliveries').addColumn('last_attempt_at', 'bigint').execute();
  await db.schema.createIndex('deliveries_endpoint_status').on('deliveries').columns(['endpoint', 'status', 'created']).execute();

  // Rolled secrets that still sign, sealed as one JSON list: [{secret, expires}].
  await db.schema.alterTable('endpoints').addColumn('previous_secrets', 'text').execute();
  // Start of the current run of failures; null after any success (auto-disable, docs/delivery.md).
  await db.schema.alterTable('endpoints').addColumn('failing_since', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('attempts').execute();
}

import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not as it is now. */
export async function up(db: Kysely<any>): Promise<void> {
  // The replay that queued a delivery (docs/delivery.md, "Replay"); null for the publish's own
  // rows. Unique with its event and endpoint, so two identical replays racing on PostgreSQL
  // insert each event once: the loser's row is skipped by ON CONFLICT DO NOTHING.
  await db.schema.alterTable('deliveries').addColumn('replay', 'text').execute();
  await db.schema.createIndex('deliveries_replay').on('deliveries').columns(['event', 'endpoint', 'replay']).unique()
    .where(sql.ref('replay'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('deliveries_replay').execute();
  await db.schema.alterTable('deliveries').dropColumn('replay').execute();
}

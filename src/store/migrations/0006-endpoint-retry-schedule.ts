import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not as it is now. */
export async function up(db: Kysely<any>): Promise<void> {
  // An endpoint's own retry schedule, JSON ms; NULL (every endpoint that existed before) follows
  // HOOKD_RETRY_SCHEDULE (docs/delivery.md). Nullable with no default, so adding it rewrites no
  // row on either database.
  await db.schema.alterTable('endpoints').addColumn('retry_schedule', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('endpoints').dropColumn('retry_schedule').execute();
}

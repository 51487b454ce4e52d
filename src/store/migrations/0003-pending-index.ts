import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not as it is now. */
export async function up(db: Kysely<any>): Promise<void> {
  // The queue's index (sql/claim.ts): per endpoint, in due order, pending rows only, so it holds
  // the backlog rather than the history. It replaces deliveries_due (status, next_attempt_at),
  // which served the old claim that walked every endpoint's due rows in one order.
  await db.schema.createIndex('deliveries_pending').on('deliveries').columns(['endpoint', 'next_attempt_at'])
    .where(sql.ref('status'), '=', 'pending').execute();
  await db.schema.dropIndex('deliveries_due').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('deliveries_due').on('deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.dropIndex('deliveries_pending').execute();
}

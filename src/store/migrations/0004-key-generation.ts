import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not as it is now. */
export async function up(db: Kysely<any>): Promise<void> {
  // Counts key rolls: a listen grant carries the generation it was negotiated in, and a roll
  // that moves it on ends every grant of the workspace (docs/security.md, listen grants).
  await db.schema.alterTable('workspaces').addColumn('key_generation', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workspaces').dropColumn('key_generation').execute();
}

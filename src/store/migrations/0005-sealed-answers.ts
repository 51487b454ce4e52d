import type { Kysely, Migration } from 'kysely';
import type { SecretBox } from '../secret-box.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not as it is now. */

/** Sealed values start `v1.` or `v2.`; kept answers are JSON, which never does. */
const SEALED = /^v\d\./;

/**
 * Seals the idempotent answers kept before answers were sealed: create and roll answers hold
 * signing secrets, tokens and workspace keys whole (docs/security.md, "Idempotency records").
 * The only migration that needs the secret box; the openers hand it in (migrations/index.ts).
 */
export function sealKeptAnswers(box: SecretBox): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await eachKeptAnswer(db, async (row) => {
        if (SEALED.test(row.body)) return;
        await db.updateTable('idempotency_keys').set({ body: box.seal(row.body) })
          .where('scope', '=', row.scope).where('key', '=', row.key).execute();
      });
    },
    // A hookd from before cannot read a sealed answer, and must not be given the plain one
    // back: its kept answers go, and a retry with one of their keys runs again.
    async down(db: Kysely<any>): Promise<void> {
      await db.deleteFrom('idempotency_keys').where('body', 'is not', null).execute();
    },
  };
}

/** 500 rows a query, in key order. */
async function eachKeptAnswer(db: Kysely<any>, visit: (row: { scope: string; key: string; body: string }) => Promise<void>): Promise<void> {
  let after: { scope: string; key: string } | null = null;
  for (;;) {
    let query = db.selectFrom('idempotency_keys').select(['scope', 'key', 'body']).where('body', 'is not', null)
      .orderBy('scope').orderBy('key').limit(500);
    if (after) {
      const { scope, key } = after;
      query = query.where((eb: any) => eb.or([eb('scope', '>', scope), eb.and([eb('scope', '=', scope), eb('key', '>', key)])]));
    }
    const rows = await query.execute() as { scope: string; key: string; body: string }[];
    if (rows.length === 0) return;
    for (const row of rows) await visit(row);
    after = rows[rows.length - 1]!;
  }
}

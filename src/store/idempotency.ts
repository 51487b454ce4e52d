/**
 * X-Idempotency-Key records. A key is claimed by inserting its row before the request runs (the
 * primary key makes the claim atomic across processes); the answer is written when it is
 * known. A request that failed with 5xx abandons its claim so that the client may retry.
 *
 * Answers are kept sealed with the secret box, like endpoint secrets: a create or roll answer
 * holds a signing secret, a token or a workspace's keys whole (docs/security.md, "Idempotency
 * records"). Every answer is sealed, not only those: a route that starts to answer with a
 * secret cannot then be forgotten. Measured on a loaded 2-core machine: sealing a 600-byte
 * answer takes ~35 µs and opening it ~25 µs; a 256 KiB publish answer ~3 ms and ~1.2 ms.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { SecretBox } from './secret-box.js';
import type { IdempotencyBegin, Store, StoredResponse } from './types.js';
import { fromJson, toJson } from './columns.js';

/**
 * Sealed values start `v1.` or `v2.`; a JSON answer starts `{` or `[`. An answer that is not
 * sealed was kept by a hookd from before answers were sealed (a process of the previous
 * version, during a rolling upgrade) and is replayed as it is.
 */
const SEALED = /^v\d\./;

function openAnswer(box: SecretBox, body: string): string {
  return SEALED.test(body) ? box.open(body, { remember: false }) : body;
}

/** ms; far longer than any request may run (the slowest, /test, is bounded by the 15 s send timeout). */
const ABANDONED_CLAIM_MS = 60_000;

export async function beginIdempotent(
  db: Kysely<Database>, box: SecretBox, scope: string, key: string, fingerprint: string, now: number, since: number,
): Promise<IdempotencyBegin> {
  // A record older than the replay window is stale, and so is a claim whose request never
  // finished (its process died): remove either so that the key starts afresh.
  await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key)
    .where((eb) => eb.or([eb('created', '<', since), eb.and([eb('status', 'is', null), eb('created', '<', now - ABANDONED_CLAIM_MS)])]))
    .execute();
  const inserted = await db.insertInto('idempotency_keys')
    .values({ scope, key, fingerprint, status: null, headers: null, body: null, created: now })
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { state: 'new' };
  const row = await db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
  if (!row) return { state: 'in_progress' };
  if (row.fingerprint !== fingerprint) return { state: 'mismatch' };
  if (row.status === null) return { state: 'in_progress' };
  return { state: 'replay', response: { status: row.status, headers: fromJson(row.headers ?? '{}'), body: openAnswer(box, row.body ?? '') } };
}

export async function completeIdempotent(db: Kysely<Database>, box: SecretBox, scope: string, key: string, response: StoredResponse): Promise<void> {
  await db.updateTable('idempotency_keys')
    .set({ status: response.status, headers: toJson(response.headers), body: box.seal(response.body) })
    .where('scope', '=', scope).where('key', '=', key).execute();
}

/**
 * Re-seals every kept answer with the box's current key (key rotation), and seals any kept
 * before answers were sealed; returns how many changed. Compare-and-set on the body, 500 rows
 * a transaction, in key order, so that it ends even while new answers are written.
 */
export async function reencryptAnswers(db: Kysely<Database>, box: SecretBox): Promise<number> {
  let changed = 0;
  let after: { scope: string; key: string } | null = null;
  for (;;) {
    let query = db.selectFrom('idempotency_keys').select(['scope', 'key', 'body']).where('body', 'is not', null)
      .orderBy('scope').orderBy('key').limit(500);
    if (after) {
      const { scope, key } = after;
      query = query.where((eb) => eb.or([eb('scope', '>', scope), eb.and([eb('scope', '=', scope), eb('key', '>', key)])]));
    }
    const rows = await query.execute();
    if (rows.length === 0) return changed;
    after = rows[rows.length - 1]!;
    await db.transaction().execute(async (tx) => {
      for (const r of rows) {
        const body = r.body!;
        if (SEALED.test(body) && box.isCurrent(body)) continue;
        const result = await tx.updateTable('idempotency_keys').set({ body: box.seal(openAnswer(box, body)) })
          .where('scope', '=', r.scope).where('key', '=', r.key).where('body', '=', body).executeTakeFirst();
        changed += Number(result.numUpdatedRows);
      }
    });
  }
}

export async function abandonIdempotent(db: Kysely<Database>, scope: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).where('status', 'is', null).execute();
}

export async function pruneIdempotency(db: Kysely<Database>, before: number): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('created', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The idempotency records' part of the Store (sql/kysely-store.ts composes the parts). */
export function idempotencyQueries(db: Kysely<Database>, box: SecretBox): Pick<Store, 'beginIdempotent' | 'completeIdempotent' | 'abandonIdempotent' | 'pruneIdempotency'> {
  return {
    beginIdempotent: (scope, key, fp, now, since) => beginIdempotent(db, box, scope, key, fp, now, since),
    completeIdempotent: (scope, key, response) => completeIdempotent(db, box, scope, key, response),
    abandonIdempotent: (scope, key) => abandonIdempotent(db, scope, key),
    pruneIdempotency: (before) => pruneIdempotency(db, before),
  };
}

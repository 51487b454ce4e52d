/**
 * X-Idempotency-Key records. A key is claimed by inserting its row before the request runs (the
 * primary key makes the claim atomic across processes); the answer is written when it is
 * known. A request that failed with 5xx abandons its claim so that the client may retry.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { IdempotencyBegin, StoredResponse } from '../types.js';

/** ms; far longer than any request may run (the slowest, /test, is bounded by the 15 s send timeout). */
const ABANDONED_CLAIM_MS = 60_000;

export async function beginIdempotent(
  db: Kysely<Database>, scope: string, key: string, fingerprint: string, now: number, since: number,
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
  return { state: 'replay', response: { status: row.status, headers: JSON.parse(row.headers ?? '{}'), body: row.body ?? '' } };
}

export async function completeIdempotent(db: Kysely<Database>, scope: string, key: string, response: StoredResponse): Promise<void> {
  await db.updateTable('idempotency_keys')
    .set({ status: response.status, headers: JSON.stringify(response.headers), body: response.body })
    .where('scope', '=', scope).where('key', '=', key).execute();
}

export async function abandonIdempotent(db: Kysely<Database>, scope: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).where('status', 'is', null).execute();
}

export async function pruneIdempotency(db: Kysely<Database>, before: number): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('created', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * The dispatcher's writes: each batch of outcomes with its attempts in one transaction, and the
 * leases it hands back unused. Store-level, beside the claim (claim.ts): the queue works across
 * workspaces, and no route reaches these.
 */
import { sql, type Kysely } from 'kysely';
import { portableWrites, type BatchWrites, type OutcomeRow } from '../batch-writes.js';
import { bit } from '../columns.js';
import type { AttemptsTable, Database } from '../schema.js';
import type { DeliveryResult } from '../types.js';

/**
 * One transaction for a whole batch of outcomes: a commit is a WAL write on SQLite and several
 * round trips on PostgreSQL, so one commit per attempt would cap delivery at a few hundred per
 * second; batching amortises it across every result in the batch.
 */
export async function recordResults(db: Kysely<Database>, results: DeliveryResult[], now: number, writes: BatchWrites = portableWrites): Promise<string[]> {
  if (results.length === 0) return [];
  return db.transaction().execute(async (tx) => {
    const attempts: AttemptsTable[] = [];
    const outcomes: OutcomeRow[] = [];
    for (const r of results) {
      const a = r.attempt;
      outcomes.push({
        delivery: r.delivery, status: r.status, counted: a !== null && !a.manual ? 1 : 0, nextAttemptAt: r.nextAttemptAt,
        attempted: a?.attempted ?? null, etag: r.etag,
      });
      if (!a) continue;
      attempts.push({
        id: a.id, delivery: a.delivery, workspace: r.workspace, live: bit(r.live), manual: bit(a.manual), url: a.url, attempted: a.attempted,
        request: a.request, code: a.code, response: a.response, time: a.time, successful: bit(a.successful), error: a.error,
      });
    }
    await writes.insertRows(tx, 'attempts', attempts);
    await writes.updateOutcomes(tx, outcomes, now);
    // Endpoint health: the first failure of a run starts the clock, any success stops it.
    const tried = results.filter((r) => r.attempt);
    const succeeded = [...new Set(tried.filter((r) => r.attempt!.successful).map((r) => r.endpoint))];
    const failed = [...new Set(tried.filter((r) => !r.attempt!.successful).map((r) => r.endpoint))].filter((e) => !succeeded.includes(e));
    // Only rows that change: rewriting every healthy endpoint's row on every batch was a dead
    // tuple per endpoint per batch on PostgreSQL and a dirtied page in each SQLite commit.
    if (succeeded.length > 0) {
      await tx.updateTable('endpoints').set({ failing_since: null })
        .where('id', 'in', succeeded).where('failing_since', 'is not', null).execute();
    }
    if (failed.length > 0) {
      await tx.updateTable('endpoints').set({ failing_since: now })
        .where('id', 'in', failed).where('failing_since', 'is', null).execute();
    }
    // Retry-After from a throttled endpoint: its shared bucket is empty until then (domain/rate-limit.ts `pausedUntil`).
    for (const r of results) {
      if (r.pauseEndpointUntil === undefined) continue;
      const until = r.pauseEndpointUntil;
      await tx.updateTable('endpoints')
        .set({ throttle_tokens: 0, throttle_at: sql<number>`CASE WHEN throttle_at IS NULL OR throttle_at < ${until} THEN ${until} ELSE throttle_at END` })
        .where('id', '=', r.endpoint).execute();
    }
    const disabled: string[] = [];
    for (const r of results) {
      if (!r.disableEndpoint || disabled.includes(r.endpoint)) continue;
      const changed = await tx.updateTable('endpoints').set({ status: 'disabled', updated: now, etag: r.etag })
        .where('id', '=', r.endpoint).where('status', '=', 'enabled').executeTakeFirst();
      if (Number(changed.numUpdatedRows) === 1) disabled.push(r.endpoint);
    }
    return disabled;
  });
}

export async function releaseDeliveries(db: Kysely<Database>, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await db.updateTable('deliveries').set({ locked_until: null }).where('id', 'in', ids.slice(i, i + 500)).execute();
  }
}

export async function releaseAllLeases(db: Kysely<Database>): Promise<number> {
  const result = await db.updateTable('deliveries').set({ locked_until: null }).where('locked_until', 'is not', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

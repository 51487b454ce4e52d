import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../migrations/index.js';
import type { Database as Schema } from '../schema.js';
import { claimDeliveries } from './claim.js';

describe('sqlite claim', () => {
  it('leases without an fsync and leaves every later commit fully synchronous, even when it fails', async () => {
    const sqlite = new Database(':memory:');
    sqlite.pragma('synchronous = FULL');
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrateToLatest(db);
    await db.insertInto('deliveries').values({
      id: 'wh_1', event: 'evt_1', endpoint: 'we_1', workspace: 'wksp_1', live: 0, type: 't', status: 'pending', attempts: 0,
      next_attempt_at: 10, locked_until: null, created: 10, updated: 10, etag: 'e',
    }).execute();
    const claimed = await claimDeliveries(db, { now: 20, lease: 1_000, take: [{ endpoint: 'we_1', limit: 5 }] });
    expect(claimed.map((d) => d.id)).toEqual(['wh_1']);
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(2); // FULL
    await db.schema.dropTable('deliveries').execute();
    await expect(claimDeliveries(db, { now: 20, lease: 1_000, take: [{ endpoint: 'we_1', limit: 5 }] })).rejects.toThrow(/deliveries/);
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(2);
    await db.destroy();
  });
});

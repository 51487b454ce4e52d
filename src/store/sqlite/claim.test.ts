import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { migrateToLatest } from '../migrations/index.js';
import { createSecretBox } from '../secret-box.js';
import type { Database as Schema } from '../schema.js';
import { createMemoryLeases } from './claim.js';

describe('sqlite claim with leases in memory', () => {
  let db: Kysely<Schema>;
  let sqlite: Database.Database;
  beforeEach(async () => {
    sqlite = new Database(':memory:');
    db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrateToLatest(db, createSecretBox(randomBytes(32)));
    // Endpoint a: four rows due at 10, 11, 12, 13; endpoint b: one row due at 10.
    const row = (id: string, endpoint: string, due: number) => ({
      id, event: 'evt_1', endpoint, workspace: 'wksp_1', live: 0, type: 't', status: 'pending', attempts: 0,
      next_attempt_at: due, locked_until: null, created: due, updated: due, etag: 'e',
    });
    await db.insertInto('deliveries').values([row('a1', 'a', 10), row('a2', 'a', 11), row('a3', 'a', 12), row('a4', 'a', 13), row('b1', 'b', 10)]).execute();
  });
  afterEach(() => db.destroy());

  const ids = ({ deliveries }: { deliveries: { id: string }[] }) => deliveries.map((d) => d.id);

  it('skips what it leased, oldest due first, within each endpoint\'s limit, and writes nothing', async () => {
    const leases = createMemoryLeases(sqlite);
    const claim = (now: number, take: [string, number][]) =>
      leases.claim(db, { now, lease: 1_000, take: take.map(([endpoint, limit]) => ({ endpoint, limit })) });
    expect(ids(await claim(20, [['a', 2], ['b', 5]]))).toEqual(['a1', 'b1', 'a2']);
    expect(ids(await claim(20, [['a', 1]]))).toEqual(['a3']); // past its two leased rows
    expect(ids(await claim(20, [['a', 5], ['b', 5]]))).toEqual(['a4']);
    expect(ids(await claim(20, [['a', 5], ['b', 5]]))).toEqual([]);
    leases.release(['a2']);
    expect(ids(await claim(20, [['a', 5]]))).toEqual(['a2']);
    // Leases that ran out free their rows.
    expect(ids(await claim(1_020, [['a', 2], ['b', 1]]))).toEqual(['a1', 'b1', 'a2']);
    expect(leases.releaseAll()).toBe(3);
    expect(ids(await claim(1_020, [['a', 1]]))).toEqual(['a1']);
    const locked = await db.selectFrom('deliveries').select('id').where('locked_until', 'is not', null).execute();
    expect(locked).toEqual([]);
  });
});

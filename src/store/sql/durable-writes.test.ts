import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKyselyStore } from './kysely-store.js';
import { migrateToLatest } from '../migrations/index.js';
import type { Database as Schema } from '../schema.js';
import { createSecretBox } from '../secret-box.js';
import { createSqliteDialect } from '../sqlite/dialect.js';

describe('durable writes', () => {
  it('answers a publish or an endpoint write only after the commit is synced, and does not sync delivery outcomes', async () => {
    const db = new Kysely<Schema>({ dialect: createSqliteDialect(new Database(':memory:')) });
    const box = createSecretBox(randomBytes(32));
    await migrateToLatest(db, box);
    let syncs = 0;
    let release: (() => void) | null = null;
    const store = createKyselyStore({
      dialect: 'sqlite', db, box, classifyError: () => undefined, publishConcurrency: 1,
      claim: async () => ({ deliveries: [], controlled: [] }),
      syncCommitted: () => new Promise<void>((resolve) => {
        syncs++;
        release = resolve;
      }),
    });
    const now = 1_768_000_000_000;
    const event = {
      id: 'evt_1', workspace: 'wksp_1', live: false, type: 'message.delivered', data: { object: {} }, requestId: 'req_1',
      idempotencyKey: null, redaction: null, created: now, updated: now, etag: 'e',
    };
    let published = false;
    const publishing = store.publishEvent(event).then(() => {
      published = true;
    });
    while (syncs === 0) await new Promise((r) => setTimeout(r, 1));
    // Committed (readable) but not answered until the sync ends.
    expect(await db.selectFrom('events').select('id').execute()).toEqual([{ id: 'evt_1' }]);
    await new Promise((r) => setTimeout(r, 20));
    expect(published).toBe(false);
    release!();
    await publishing;

    const workspace = store.createWorkspace({ id: 'wksp_1', name: 'w', created: now, updated: now, etag: 'e', keyGeneration: 0 }, []);
    while (syncs === 1) await new Promise((r) => setTimeout(r, 1));
    release!();
    await workspace;
    await store.recordResults([], now);
    await store.releaseDeliveries([]);
    expect(syncs).toBe(2);
    await store.close();
  });
});

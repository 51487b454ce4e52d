import type { Kysely } from 'kysely';
import type { ApiKeyRecord, ListOptions, Page, Workspace } from '../../domain/types.js';
import type { Database } from '../schema.js';
import type { FoundApiKey } from '../types.js';
import { fetchPage } from './pagination.js';
import { apiKeyFromRow, apiKeyToRow, workspaceFromRow, workspaceToRow } from './rows.js';

export async function createWorkspace(db: Kysely<Database>, ws: Workspace, keys: ApiKeyRecord[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('workspaces').values(workspaceToRow(ws)).execute();
    if (keys.length > 0) await tx.insertInto('api_keys').values(keys.map(apiKeyToRow)).execute();
  });
}

export async function getWorkspace(db: Kysely<Database>, id: string): Promise<Workspace | null> {
  const row = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? workspaceFromRow(row) : null;
}

export async function listWorkspaces(db: Kysely<Database>, options: ListOptions): Promise<Page<Workspace>> {
  return fetchPage(db.selectFrom('workspaces').selectAll(), options, 'id', workspaceFromRow);
}

export async function rollWorkspaceKeys(
  db: Kysely<Database>, id: string, keys: ApiKeyRecord[], oldKeysExpire: number, etag: string, now: number,
): Promise<Workspace | null> {
  return db.transaction().execute(async (tx) => {
    const updated = await tx.updateTable('workspaces')
      .set((eb) => ({ updated: now, etag, key_generation: eb('key_generation', '+', 1) }))
      .where('id', '=', id).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return null;
    // Keys that already expire sooner keep their earlier end; rolling twice never extends a key.
    await tx.updateTable('api_keys').set({ expires: oldKeysExpire })
      .where('workspace', '=', id)
      .where((eb) => eb.or([eb('expires', 'is', null), eb('expires', '>', oldKeysExpire)]))
      .execute();
    await tx.insertInto('api_keys').values(keys.map(apiKeyToRow)).execute();
    const row = await tx.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return workspaceFromRow(row);
  });
}

export async function listApiKeys(db: Kysely<Database>, workspace: string, now: number): Promise<ApiKeyRecord[]> {
  const rows = await db.selectFrom('api_keys').selectAll()
    .where('workspace', '=', workspace)
    .where((eb) => eb.or([eb('expires', 'is', null), eb('expires', '>', now)]))
    .orderBy('created', 'desc')
    .execute();
  return rows.map(apiKeyFromRow);
}

export async function findApiKey(db: Kysely<Database>, hash: string): Promise<FoundApiKey | null> {
  // One statement, so the generation and the key's expiry are of the same moment: a roll
  // changes both in one transaction (rollWorkspaceKeys).
  const row = await db.selectFrom('api_keys').innerJoin('workspaces', 'workspaces.id', 'api_keys.workspace')
    .selectAll('api_keys').select('workspaces.key_generation')
    .where('api_keys.hash', '=', hash).executeTakeFirst();
  return row ? { ...apiKeyFromRow(row), keyGeneration: Number(row.key_generation) } : null;
}

export async function keyGenerations(db: Kysely<Database>, ids: string[]): Promise<Map<string, number>> {
  const rows = ids.length === 0 ? [] : await db.selectFrom('workspaces').select(['id', 'key_generation']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, Number(r.key_generation)]));
}

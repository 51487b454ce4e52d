/** Workspaces and their API keys in the store: rows, mapping, and the Store methods they serve. */
import type { Kysely, Selectable } from 'kysely';
import type { ApiKeyRecord, ListOptions, Page, Workspace } from '../../domain/types.js';
import { bit, isSet } from '../../store/columns.js';
import { fetchPage } from '../../store/pagination.js';
import type { ApiKeysTable, Database, WorkspacesTable } from '../../store/schema.js';
import type { FoundApiKey, Store } from '../../store/types.js';

function workspaceFromRow(r: Selectable<WorkspacesTable>): Workspace {
  return { id: r.id, name: r.name, created: Number(r.created), updated: Number(r.updated), etag: r.etag, keyGeneration: Number(r.key_generation) };
}

function workspaceToRow(w: Workspace): WorkspacesTable {
  return { id: w.id, name: w.name, created: w.created, updated: w.updated, etag: w.etag, key_generation: w.keyGeneration };
}

function apiKeyFromRow(r: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    hash: r.hash, workspace: r.workspace, live: isSet(r.live), hint: r.hint, created: Number(r.created),
    expires: r.expires === null ? null : Number(r.expires),
  };
}

function apiKeyToRow(k: ApiKeyRecord): ApiKeysTable {
  return { hash: k.hash, workspace: k.workspace, live: bit(k.live), hint: k.hint, created: k.created, expires: k.expires };
}

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

/** This resource's part of the Store (store/sql/kysely-store.ts composes the parts). */
export function workspaceQueries(db: Kysely<Database>): Pick<Store,
  'createWorkspace' | 'getWorkspace' | 'listWorkspaces' | 'rollWorkspaceKeys' | 'listApiKeys' | 'findApiKey' | 'keyGenerations'> {
  return {
    createWorkspace: (ws, keys) => createWorkspace(db, ws, keys),
    getWorkspace: (id) => getWorkspace(db, id),
    listWorkspaces: (options) => listWorkspaces(db, options),
    rollWorkspaceKeys: (id, keys, expire, etag, now) => rollWorkspaceKeys(db, id, keys, expire, etag, now),
    listApiKeys: (workspace, now) => listApiKeys(db, workspace, now),
    findApiKey: (hash) => findApiKey(db, hash),
    keyGenerations: (ids) => keyGenerations(db, ids),
  };
}

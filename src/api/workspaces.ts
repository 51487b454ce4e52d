/** Workspaces and their keys: platform key only (docs/api.md). */
import { Type } from '@sinclair/typebox';
import { HookdError } from '../domain/errors.js';
import { newId, newWorkspaceKey, randomToken } from '../domain/ids.js';
import type { ApiKeyRecord } from '../domain/types.js';
import type { ApiDeps, App } from './deps.js';
import { hashKey } from './plugins/auth.js';
import { absentBodyIsEmpty } from './plugins/body.js';
import { sendObject } from './plugins/etag.js';
import { renderWorkspace } from '../domain/render.js';
import { IdString, ListQuery, NAME_PATTERN, Timestamp, withProblems } from './schemas.js';

const Keys = Type.Object({ test: Type.Union([Type.String(), Type.Null()]), live: Type.Union([Type.String(), Type.Null()]) });
const WorkspaceObject = Type.Object({ id: Type.String(), name: Type.String(), created: Timestamp, updated: Timestamp, keys: Keys }, { $id: 'Workspace' });
const Name = Type.String({ minLength: 1, maxLength: 100, pattern: NAME_PATTERN });
/** At most 7 days: a longer overlap would defeat the point of rolling a leaked key. */
const ROLL_GRACE_MAX_S = 7 * 86_400;

function newKeys(workspace: string, now: number): { records: ApiKeyRecord[]; test: string; live: string } {
  const test = newWorkspaceKey('test');
  const live = newWorkspaceKey('live');
  const record = (key: string, isLive: boolean): ApiKeyRecord => ({
    hash: hashKey(key), workspace, live: isLive, hint: key.slice(-4), created: now, expires: null,
  });
  return { records: [record(test, false), record(live, true)], test, live };
}

export async function workspaceRoutes(app: App, { store, clock, auth, pagination, onKeysRolled }: ApiDeps): Promise<void> {
  app.addSchema(WorkspaceObject);
  const tags = ['workspaces'];

  app.post('/v1/workspaces', {
    onRequest: auth.platform,
    schema: {
      tags, summary: 'Create a workspace with a test and a live key (shown whole only here)',
      body: Type.Object({ name: Name }, { additionalProperties: false }),
      response: withProblems({ 201: Type.Ref('Workspace') }, 403),
    },
  }, async (request, reply) => {
    const now = clock.now();
    const ws = { id: newId('wksp', now), name: request.body.name.trim(), created: now, updated: now, etag: randomToken(), keyGeneration: 0 };
    const keys = newKeys(ws.id, now);
    await store.createWorkspace(ws, keys.records);
    reply.header('Location', `/v1/workspaces/${ws.id}`);
    return sendObject(request, reply, ws.etag, renderWorkspace(ws, { test: keys.test, live: keys.live }), 201);
  });

  app.get('/v1/workspaces', {
    onRequest: auth.platform,
    schema: {
      tags, summary: 'List workspaces',
      querystring: Type.Object(ListQuery, { additionalProperties: false }),
      response: withProblems({ 200: Type.Array(Type.Ref('Workspace')) }, 403),
    },
  }, async (request, reply) => {
    const options = pagination.parse('workspaces', request.query);
    const page = await store.listWorkspaces(options);
    const now = clock.now();
    const items = await Promise.all(page.items.map(async (ws) => renderWorkspace(ws, await store.listApiKeys(ws.id, now))));
    return pagination.send(reply, 'workspaces', options, page, items);
  });

  app.get('/v1/workspaces/:id', {
    onRequest: auth.platform,
    schema: {
      tags, summary: 'Get a workspace (keys masked)',
      params: Type.Object({ id: IdString('wksp') }),
      response: withProblems({ 200: Type.Ref('Workspace') }, 403, 404),
    },
  }, async (request, reply) => {
    const ws = await store.getWorkspace(request.params.id);
    if (!ws) throw HookdError.notFound('Workspace', request.params.id);
    return sendObject(request, reply, ws.etag, renderWorkspace(ws, await store.listApiKeys(ws.id, clock.now())));
  });

  app.post('/v1/workspaces/:id/keys/roll', {
    onRequest: auth.platform,
    preValidation: absentBodyIsEmpty,
    schema: {
      tags, summary: 'Replace both keys; the old ones stop working now, or after expires_in seconds',
      params: Type.Object({ id: IdString('wksp') }),
      body: Type.Optional(Type.Object({
        expires_in: Type.Optional(Type.Integer({ minimum: 0, maximum: ROLL_GRACE_MAX_S, description: 'Seconds the old keys keep working (0–604800, default 0)' })),
      }, { additionalProperties: false })),
      response: withProblems({ 200: Type.Ref('Workspace') }, 403, 404),
    },
  }, async (request, reply) => {
    const now = clock.now();
    const keys = newKeys(request.params.id, now);
    const expire = now + (request.body?.expires_in ?? 0) * 1000;
    const ws = await store.rollWorkspaceKeys(request.params.id, keys.records, expire, randomToken(), now);
    if (!ws) throw HookdError.notFound('Workspace', request.params.id);
    onKeysRolled(ws.id, ws.keyGeneration);
    return sendObject(request, reply, ws.etag, renderWorkspace(ws, { test: keys.test, live: keys.live }));
  });
}

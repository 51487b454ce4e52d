/** Workspaces and their keys: platform key only (docs/api.md). */
import { Type } from '@sinclair/typebox';
import { newId, newWorkspaceKey, randomToken } from '../../domain/ids.js';
import type { ApiKeyRecord } from '../../domain/types.js';
import type { ApiDeps, App } from '../../api/deps.js';
import { orNotFound } from '../../api/load.js';
import { hashKey } from '../../api/plugins/auth.js';
import { absentBodyIsEmpty } from '../../api/plugins/body.js';
import { sendObject } from '../../api/plugins/etag.js';
import { createdAnswer, IdString, ListQuery, NAME_PATTERN, NotModified, objectAnswer, pageAnswer, RollGrace, withProblems } from '../../api/schemas.js';
import { renderWorkspace } from './shape.js';

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: NAME_PATTERN });

function newKeys(workspace: string, now: number): { records: ApiKeyRecord[]; test: string; live: string } {
  const test = newWorkspaceKey('test');
  const live = newWorkspaceKey('live');
  const record = (key: string, isLive: boolean): ApiKeyRecord => ({
    hash: hashKey(key), workspace, live: isLive, hint: key.slice(-4), created: now, expires: null,
  });
  return { records: [record(test, false), record(live, true)], test, live };
}

export async function workspaceRoutes(app: App, { store, clock, auth, pagination, onKeysRolled }: ApiDeps): Promise<void> {
  const tags = ['workspaces'];

  app.post('/v1/workspaces', {
    onRequest: auth.platform,
    schema: {
      tags, operationId: 'createWorkspace', summary: 'Create a workspace with a test and a live key (shown whole only here)',
      body: Type.Object({ name: Name }, { additionalProperties: false }),
      response: withProblems({ 201: createdAnswer('Workspace', 'The workspace, with both keys whole: the only time but a roll') }, 403, 409, 413, 415),
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
      tags, operationId: 'listWorkspaces', summary: 'List workspaces',
      querystring: Type.Object(ListQuery, { additionalProperties: false }),
      response: withProblems({ 200: pageAnswer(Type.Ref('Workspace'), 'Workspaces, keys masked') }, 403),
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
      tags, operationId: 'getWorkspace', summary: 'Get a workspace (keys masked)',
      params: Type.Object({ id: IdString('wksp') }),
      response: withProblems({ 200: objectAnswer('Workspace', 'The workspace, keys masked'), 304: NotModified }, 403, 404),
    },
  }, async (request, reply) => {
    const ws = await orNotFound(store.getWorkspace(request.params.id), 'Workspace', request.params.id);
    return sendObject(request, reply, ws.etag, renderWorkspace(ws, await store.listApiKeys(ws.id, clock.now())));
  });

  app.post('/v1/workspaces/:id/keys/roll', {
    onRequest: auth.platform,
    preValidation: absentBodyIsEmpty,
    schema: {
      tags, operationId: 'rollWorkspaceKeys', summary: 'Replace both keys; the old ones stop working now, or after expires_in seconds',
      params: Type.Object({ id: IdString('wksp') }),
      body: Type.Optional(Type.Object({
        expires_in: RollGrace('Seconds the old keys keep working (0–604800, default 0)'),
      }, { additionalProperties: false })),
      response: withProblems({ 200: objectAnswer('Workspace', 'The workspace with its new keys, whole') }, 403, 404, 409, 413, 415),
    },
  }, async (request, reply) => {
    const now = clock.now();
    const keys = newKeys(request.params.id, now);
    const expire = now + (request.body?.expires_in ?? 0) * 1000;
    const ws = await orNotFound(store.rollWorkspaceKeys(request.params.id, keys.records, expire, randomToken(), now), 'Workspace', request.params.id);
    onKeysRolled(ws.id, ws.keyGeneration);
    return sendObject(request, reply, ws.etag, renderWorkspace(ws, { test: keys.test, live: keys.live }));
  });
}

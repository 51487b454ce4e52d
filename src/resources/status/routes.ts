/**
 * `GET /v1/status`: what `hookd status` shows on one screen: the backlog, the endpoints that
 * are failing, and the last failed attempts. A workspace key (or the platform key with
 * X-Workspace-Id) sees its workspace and mode; the platform key alone sees the whole store.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { ApiDeps, App } from '../../api/deps.js';
import { PORTAL_TOKEN_PREFIX } from '../../api/plugins/portal-session.js';
import { answer, withProblems, ScopeHeaders } from '../../api/schemas.js';
import { renderStatus } from './shape.js';

/** Failed attempts this far back are "recent". */
const ERRORS_WINDOW = 24 * 3_600_000;

export async function statusRoutes(app: App, { store, clock, auth }: ApiDeps): Promise<void> {

  /**
   * A workspace key, a portal session or X-Workspace-Id scopes the answer; the platform key
   * alone may see everything. Told apart by the key's prefix, so that a key is checked once.
   */
  async function scoped(request: FastifyRequest): Promise<void> {
    const token = /^Bearer +(\S+)/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const workspaceScoped = /^fsk[tl]_/.test(token) || token.startsWith(PORTAL_TOKEN_PREFIX);
    if (workspaceScoped || request.headers['x-workspace-id'] !== undefined) await auth.workspace(request);
    else await auth.platform(request);
  }

  app.get('/v1/status', {
    onRequest: scoped,
    schema: {
      headers: ScopeHeaders, tags: ['operations'], operationId: 'getStatus', summary: 'Backlog, failing endpoints and recent errors, for `hookd status`',
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Endpoints and errors listed, 1–100' })) }, { additionalProperties: false }),
      response: withProblems({ 200: answer(Type.Ref('Status'), 'The backlog, the failing endpoints and the recent errors') }, 403, 404),
    },
  }, async (request) => {
    const now = clock.now();
    const scope = request.mode ?? null;
    const health = await store.deliveryHealth(scope, { since: now - ERRORS_WINDOW, limit: request.query.limit ?? 10 });
    return renderStatus(health, scope, now);
  });
}

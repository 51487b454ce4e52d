/**
 * `GET /v1/status`: what `hookd status` shows on one screen: the backlog, the endpoints that
 * are failing, and the last failed attempts. A workspace key (or the platform key with
 * X-Workspace-Id) sees its workspace and mode; the platform key alone sees the whole store.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { iso } from '../domain/render.js';
import type { ApiDeps, App } from './deps.js';
import { PORTAL_TOKEN_PREFIX } from './plugins/portal-session.js';
import { Timestamp, withProblems } from './schemas.js';

/** Failed attempts this far back are "recent". */
const ERRORS_WINDOW = 24 * 3_600_000;

const StatusObject = Type.Object({
  scope: Type.Object({ workspace: Type.Union([Type.String(), Type.Null()]), live: Type.Union([Type.Boolean(), Type.Null()]) }, {
    description: 'The workspace and mode summarised; both null for the whole store (the platform key without X-Workspace-Id)',
  }),
  generated: Timestamp,
  deliveries: Type.Object({
    pending: Type.Integer({ description: 'Deliveries waiting for their next attempt' }),
    oldest_due: Type.Union([Timestamp, Type.Null()], { description: 'When the longest-waiting pending delivery was due' }),
  }),
  failing_endpoints: Type.Object({
    count: Type.Integer({ description: 'Endpoints whose latest attempts all failed' }),
    data: Type.Array(Type.Object({
      id: Type.String(), url: Type.String(), status: Type.String(), failing_since: Timestamp, workspace: Type.String(), live: Type.Boolean(),
    }), { description: 'The longest-failing first' }),
  }),
  recent_errors: Type.Array(Type.Object({
    attempted: Timestamp, delivery: Type.String(), event: Type.String(), endpoint: Type.String(), url: Type.String(),
    code: Type.Union([Type.Integer(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]), manual: Type.Boolean(),
    workspace: Type.String(), live: Type.Boolean(),
  }), { description: 'Failed attempts of the last 24 hours, newest first' }),
}, { $id: 'Status' });

export async function statusRoutes(app: App, { store, clock, auth }: ApiDeps): Promise<void> {
  app.addSchema(StatusObject);

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
      tags: ['operations'], summary: 'Backlog, failing endpoints and recent errors, for `hookd status`',
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Endpoints and errors listed, 1–100' })) }, { additionalProperties: false }),
      response: withProblems({ 200: Type.Ref('Status') }, 403, 404),
    },
  }, async (request) => {
    const now = clock.now();
    const scope = request.mode ?? null;
    const health = await store.deliveryHealth(scope, { since: now - ERRORS_WINDOW, limit: request.query.limit ?? 10 });
    return {
      scope: { workspace: scope?.workspace ?? null, live: scope?.live ?? null },
      generated: iso(now),
      deliveries: { pending: health.pending, oldest_due: health.oldestDue === null ? null : iso(health.oldestDue) },
      failing_endpoints: {
        count: health.failingEndpointCount,
        data: health.failingEndpoints.map((e) => ({ id: e.id, url: e.url, status: e.status, failing_since: iso(e.failingSince), workspace: e.workspace, live: e.live })),
      },
      recent_errors: health.recentErrors.map((e) => ({
        attempted: iso(e.attempted), delivery: e.delivery, event: e.event, endpoint: e.endpoint, url: e.url, code: e.code, error: e.error,
        manual: e.manual, workspace: e.workspace, live: e.live,
      })),
    };
  });
}

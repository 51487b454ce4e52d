/**
 * `POST /v1/portal/sessions` (platform key only): a short-lived link that opens the dashboard
 * for one workspace and mode, for a platform to hand its customers (docs/dashboard.md).
 * The token rides in the URL's fragment, which browsers never send to a server nor in Referer,
 * so it stays out of access logs; the dashboard moves it to sessionStorage and clears the URL.
 */
import { Type } from '@sinclair/typebox';
import { HookdError } from '../../domain/errors.js';
import type { ApiDeps, App } from '../../api/deps.js';
import { signPortalToken } from '../../api/plugins/portal-session.js';
import { publicBase } from '../../api/public-url.js';
import { answer, IdString, iso, Timestamp, withProblems } from '../../api/schemas.js';

/** s: a link is for opening now, not for keeping; a day at most bounds what a leaked one is worth. */
const PORTAL_TTL_DEFAULT_S = 3_600;
const PORTAL_TTL_MIN_S = 60;
const PORTAL_TTL_MAX_S = 86_400;

export async function portalRoutes(app: App, { store, clock, auth, config, portalKey }: ApiDeps & { portalKey: Buffer }): Promise<void> {
  app.post('/v1/portal/sessions', {
    onRequest: auth.platform,
    schema: {
      tags: ['portal'], operationId: 'createPortalSession', summary: 'A dashboard link for one workspace and mode, valid for expires_in seconds',
      body: Type.Object({
        workspace: IdString('wksp'),
        live: Type.Boolean({ description: 'The mode the dashboard acts in' }),
        expires_in: Type.Optional(Type.Integer({
          minimum: PORTAL_TTL_MIN_S, maximum: PORTAL_TTL_MAX_S, default: PORTAL_TTL_DEFAULT_S,
          description: `Seconds the link and the session it opens last (${PORTAL_TTL_MIN_S}–${PORTAL_TTL_MAX_S}, default ${PORTAL_TTL_DEFAULT_S})`,
        })),
      }, { additionalProperties: false }),
      response: withProblems({ 201: answer(Type.Object({ url: Type.String(), expires: Timestamp }), 'The dashboard link, and when it stops working') }, 403, 404, 409, 413, 415),
    },
  }, async (request, reply) => {
    const { workspace, live } = request.body;
    if (!(await store.getWorkspace(workspace))) {
      throw new HookdError('not_found', 'Workspace not found', { errors: { workspace: [`no workspace '${workspace}' exists`] } });
    }
    const expires = clock.now() + (request.body.expires_in ?? PORTAL_TTL_DEFAULT_S) * 1000;
    const token = signPortalToken({ workspace, live, expires }, portalKey);
    reply.code(201);
    return { url: `${publicBase(config, request.server.server)}/#portal=${token}`, expires: iso(expires) };
  });
}

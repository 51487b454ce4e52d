/**
 * The listen channel (docs/receiving.md): `POST /v1/realtime/negotiate/events` grants a short-lived
 * token for one workspace and mode (and optionally an event filter); the WebSocket at
 * `/v1/realtime/events` (subprotocol `json.devproxy.falu.v1`, `Authorization: Bearer <token>`)
 * then receives `{type: "event", object}` for every matching event, until the grant expires.
 */
import websocket from '@fastify/websocket';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { eventPatternProblems } from '../domain/endpoint-rules.js';
import { HookdError } from '../domain/errors.js';
import type { ApiDeps, App } from '../api/deps.js';
import { absentBodyIsEmpty } from '../api/plugins/body.js';
import { orNotFound } from '../api/load.js';
import { answer, withProblems } from '../api/schemas.js';
import { publicBase } from '../api/public-url.js';
import type { Hub } from './hub.js';
import { CLOSE_TOO_MANY, openGrant, signGrant, SUBPROTOCOL, type ListenGrant } from './grant.js';

/** ms a grant lasts; the CLI negotiates again when it ends. */
export const GRANT_TTL = 60 * 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    listenGrant?: ListenGrant;
  }
}

export async function realtimeRoutes(app: App, deps: ApiDeps & { hub: Hub; grantKey: Buffer }): Promise<void> {
  const { auth, clock, catalog, config, hub, grantKey, store } = deps;
  await app.register(websocket, {
    options: { handleProtocols: (protocols: Set<string>) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false), maxPayload: 64 * 1024 },
  });

  app.post('/v1/realtime/negotiate/events', {
    onRequest: auth.workspace,
    preValidation: absentBodyIsEmpty,
    schema: {
      tags: ['realtime'], operationId: 'negotiateRealtimeEvents', summary: 'Grant a listen session: a WebSocket URL and a token that expires',
      body: Type.Object({
        events: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, description: 'Event types or wildcards; default every type' })),
      }, { additionalProperties: false }),
      response: withProblems({
        200: answer(Type.Object({ url: Type.String(), expires: Type.String(), token: Type.String(), workspace: Type.String(), live: Type.Boolean() }), 'The WebSocket URL, and the token to open it with'),
      }, 403, 404, 409, 413, 415),
    },
  }, async (request) => {
    const mode = request.mode!;
    const events = request.body.events ?? [];
    if (events.length > 0) {
      const problems = eventPatternProblems(events, await catalog.names());
      if (problems.length > 0) throw HookdError.validation({ events: problems });
    }
    const principal = request.principal!;
    // A key's generation was read with the key (store.findApiKey), so a roll cannot slip in
    // between them; a portal session or the platform key is not rolled, so reading it now is as good.
    const keyGeneration = (principal.kind === 'workspace' ? principal.keyGeneration : undefined)
      ?? (await orNotFound(store.getWorkspace(mode.workspace), 'Workspace', mode.workspace)).keyGeneration;
    // Never outlives the credential behind it: a portal session's end, a rolled key's grace.
    const credentialEnds = principal.kind === 'workspace' ? principal.expires ?? Infinity : Infinity;
    const grant: ListenGrant = { workspace: mode.workspace, live: mode.live, events, keyGeneration, expires: Math.min(clock.now() + GRANT_TTL, credentialEnds) };
    const base = publicBase(config, request.server.server).replace(/^http/, 'ws');
    return { url: `${base}/v1/realtime/events`, expires: new Date(grant.expires).toISOString(), token: signGrant(grant, grantKey), workspace: mode.workspace, live: mode.live };
  });

  /** Checked before the upgrade, so a refusal is an ordinary problem+json answer. */
  async function admit(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    const token = header?.match(/^Bearer +(\S+)$/i)?.[1];
    const grant = token ? openGrant(token, grantKey, clock.now()) : null;
    if (!grant) {
      throw new HookdError('unauthenticated', 'Invalid listen token', { detail: 'Negotiate a token with POST /v1/realtime/negotiate/events and send it as Authorization: Bearer <token>; tokens expire.' });
    }
    const current = (await store.keyGenerations([grant.workspace])).get(grant.workspace);
    if (current !== grant.keyGeneration) {
      throw new HookdError('unauthenticated', 'Invalid listen token', { detail: 'The workspace\'s keys were rolled after this token was negotiated. Negotiate a new one.' });
    }
    const offered = String(request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(SUBPROTOCOL)) {
      throw HookdError.validation({ 'Sec-WebSocket-Protocol': [`must offer ${SUBPROTOCOL}`] });
    }
    if (request.headers.upgrade?.toLowerCase() !== 'websocket') {
      throw HookdError.validation({ upgrade: ['this route only speaks WebSocket'] });
    }
    hub.checkRoom({ workspace: grant.workspace, live: grant.live });
    request.listenGrant = grant;
  }

  app.get('/v1/realtime/events', { websocket: true, preValidation: admit, schema: { hide: true } }, (socket, request) => {
    const grant = request.listenGrant!;
    let remove: () => void;
    try {
      remove = hub.add({
        mode: { workspace: grant.workspace, live: grant.live },
        events: grant.events,
        keyGeneration: grant.keyGeneration,
        expires: grant.expires,
        send: (message) => socket.send(message),
        close: (code, reason) => socket.close(code, reason),
      });
    } catch (err) {
      socket.close(CLOSE_TOO_MANY, err instanceof HookdError ? err.message : 'refused');
      return;
    }
    // The hub ends the session at the grant's expiry or a key roll; this is for the client's own close.
    socket.on('close', () => remove());
    // Clients send nothing that hookd acts on; ignore it rather than echo.
    socket.on('message', () => undefined);
  });
}

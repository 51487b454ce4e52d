/**
 * The listen channel (docs/receiving.md): `POST /v1/realtime/negotiate/events` grants a short-lived
 * token for one workspace and mode (and optionally an event filter); the WebSocket at
 * `/v1/realtime/events` (subprotocol `json.devproxy.falu.v1`, `Authorization: Bearer <token>`)
 * then receives `{type: "event", object}` for every matching event, until the grant expires.
 *
 * Falu's CLI (`falu events listen`) speaks the same channel in each of its versions (docs/api.md,
 * "Falu's CLI"): its negotiation body (`ttl`, `filters.types`), the older
 * `POST /v1/realtime/negotiate {purpose: "events"}`, a bare token in `Authorization`, and the
 * subscribe message its older versions send once connected. One negotiation serves both URLs.
 */
import websocket from '@fastify/websocket';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { parseIsoDuration } from '../domain/duration.js';
import { eventPatternProblems } from '../domain/endpoint-rules.js';
import { HookdError } from '../domain/errors.js';
import type { ApiDeps, App } from '../api/deps.js';
import { absentBodyIsEmpty } from '../api/plugins/body.js';
import { orNotFound } from '../api/load.js';
import { answer, withProblems, ScopeHeaders } from '../api/schemas.js';
import { publicBase } from '../api/public-url.js';
import type { Hub, SessionHandle } from './hub.js';
import { CLOSE_BAD_MESSAGE, CLOSE_TOO_MANY, openGrant, signGrant, SUBPROTOCOL, type ListenClient, type ListenGrant } from './grant.js';
import { closeReason, FALU_CLI_MESSAGE_MAX, parseSubscribe } from './messages.js';

/** ms a grant lasts at most; `hookd listen` negotiates again when it ends. */
export const GRANT_TTL = 60 * 60_000;
/** ms a grant lasts at least: Falu's CLI stops 2 s before `expires`, and cannot start when that is past. */
const TTL_MIN = 60_000;
/**
 * Falu's CLI sends the negotiation's `state` back as X-Negotiated-State when it connects. The
 * token carries everything a session needs, so the state is a constant and the header is ignored.
 */
const LISTEN_STATE = 'hookd';

const EventPatterns = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 });
const Ttl = Type.String({ maxLength: 40, description: 'ISO 8601 duration (PT60M), at least a minute; longer than an hour is cut to an hour' });
const Negotiation = Type.Object({
  type: Type.Literal('events'), url: Type.String(), expires: Type.String(), token: Type.String(),
  state: Type.String({ description: 'Opaque; Falu\'s CLI sends it back as X-Negotiated-State, which hookd ignores' }),
  workspace: Type.String(), live: Type.Boolean(),
});

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

  /** Grants a listen session, whichever URL and body shape asked for it. */
  async function negotiate(request: FastifyRequest, wanted: { events: string[]; field: string; ttl?: string; client?: ListenClient }) {
    const mode = request.mode!;
    const { events } = wanted;
    if (events.length > 0) {
      const problems = eventPatternProblems(events, await catalog.names());
      if (problems.length > 0) throw HookdError.validation({ [wanted.field]: problems });
    }
    const ttl = wanted.ttl === undefined ? GRANT_TTL : parseIsoDuration(wanted.ttl);
    if (ttl === undefined || ttl < TTL_MIN) throw HookdError.validation({ ttl: ['must be an ISO 8601 duration of at least a minute, such as PT60M'] });
    const principal = request.principal!;
    // A key's generation was read with the key (store.findApiKey), so a roll cannot slip in
    // between them; a portal session or the platform key is not rolled, so reading it now is as good.
    const keyGeneration = (principal.kind === 'workspace' ? principal.keyGeneration : undefined)
      ?? (await orNotFound(store.getWorkspace(mode.workspace), 'Workspace', mode.workspace)).keyGeneration;
    // Never outlives the credential behind it: a portal session's end, a rolled key's grace.
    const credentialEnds = principal.kind === 'workspace' ? principal.expires ?? Infinity : Infinity;
    const grant: ListenGrant = {
      workspace: mode.workspace, live: mode.live, events, keyGeneration,
      expires: Math.min(clock.now() + Math.min(ttl, GRANT_TTL), credentialEnds), ...(wanted.client ? { client: wanted.client } : {}),
    };
    const base = publicBase(config, request.server.server).replace(/^http/, 'ws');
    return {
      type: 'events' as const, url: `${base}/v1/realtime/events`, expires: new Date(grant.expires).toISOString(),
      token: signGrant(grant, grantKey), state: LISTEN_STATE, workspace: mode.workspace, live: mode.live,
    };
  }

  app.post('/v1/realtime/negotiate/events', {
    onRequest: auth.workspace,
    preValidation: absentBodyIsEmpty,
    schema: {
      headers: ScopeHeaders, tags: ['realtime'], operationId: 'negotiateRealtimeEvents', summary: 'Grant a listen session: a WebSocket URL and a token that expires',
      body: Type.Object({
        events: Type.Optional({ ...EventPatterns, description: 'Event types or wildcards; default every type' }),
        ttl: Type.Optional(Ttl),
        filters: Type.Optional(Type.Union([
          Type.Object({ types: Type.Optional(Type.Union([EventPatterns, Type.Null()])) }, { additionalProperties: false }),
          Type.Null(),
        ], { description: 'Falu\'s CLI\'s filter: `types` as `events`' })),
      }, { additionalProperties: false }),
      response: withProblems({ 200: answer(Negotiation, 'The WebSocket URL, and the token to open it with') }, 403, 404, 409, 413, 415),
    },
  }, async (request) => {
    const { events, ttl, filters } = request.body;
    const types = filters?.types ?? undefined;
    if (events !== undefined && types !== undefined) throw HookdError.validation({ events: ['cannot be sent with filters.types: send one of them'] });
    // Only Falu's CLI sends `filters` (empty when it filters nothing): its sessions get messages it can read.
    return negotiate(request, { events: events ?? types ?? [], field: events === undefined ? 'filters.types' : 'events', ttl, client: filters === undefined ? undefined : 'falu' });
  });

  app.post('/v1/realtime/negotiate', {
    onRequest: auth.workspace,
    preValidation: absentBodyIsEmpty,
    schema: {
      headers: ScopeHeaders, tags: ['realtime'], operationId: 'negotiateRealtime', summary: 'Grant a listen session, as older versions of Falu\'s CLI ask: their filter comes in a subscribe message',
      body: Type.Object({
        purpose: Type.String({ maxLength: 100, description: 'What to stream: `events`' }),
        ttl: Type.Optional(Ttl),
        type: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()], { description: 'Sent by some versions of Falu\'s CLI; ignored' })),
      }, { additionalProperties: false }),
      response: withProblems({ 200: answer(Negotiation, 'The WebSocket URL, and the token to open it with') }, 403, 404, 409, 413, 415),
    },
  }, async (request) => {
    if (request.body.purpose !== 'events') throw HookdError.validation({ purpose: ['must be events: hookd streams events only'] });
    return negotiate(request, { events: [], field: 'events', ttl: request.body.ttl, client: 'falu-subscribe' });
  });

  /** Checked before the upgrade, so a refusal is an ordinary problem+json answer. */
  async function admit(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    // The oldest versions of Falu's CLI send the token alone, without "Bearer".
    const token = header?.match(/^(?:Bearer +)?(\S+)$/i)?.[1];
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
    let session: SessionHandle;
    try {
      session = hub.add({
        mode: { workspace: grant.workspace, live: grant.live },
        events: grant.events,
        keyGeneration: grant.keyGeneration,
        expires: grant.expires,
        ...(grant.client ? { maxMessageBytes: FALU_CLI_MESSAGE_MAX } : {}),
        awaitsSubscription: grant.client === 'falu-subscribe',
        send: (message) => socket.send(message),
        close: (code, reason) => socket.close(code, reason),
      });
    } catch (err) {
      socket.close(CLOSE_TOO_MANY, err instanceof HookdError ? err.message : 'refused');
      return;
    }
    // The hub ends the session at the grant's expiry or a key roll; this is for the client's own close.
    socket.on('close', () => session.remove());

    const refuse = (reason: string) => {
      session.remove();
      socket.close(CLOSE_BAD_MESSAGE, closeReason(reason));
    };
    /** The one message a client sends: a subscription. Anything else ends the session, saying why. */
    async function subscribe(text: string): Promise<void> {
      const parsed = parseSubscribe(text, grant);
      if ('refused' in parsed) return refuse(parsed.refused);
      if (parsed.types.length > 0) {
        const problems = eventPatternProblems(parsed.types, await catalog.names());
        if (problems.length > 0) return refuse(`filters.events.types: ${problems[0]}`);
      }
      session.subscribe(parsed.types);
    }
    // One message at a time: a later subscription never loses to an earlier one still reading the catalog.
    let handled = Promise.resolve();
    socket.on('message', (data: Buffer) => {
      handled = handled.then(() => subscribe(data.toString('utf8'))).catch((err: unknown) => {
        request.log.warn({ err }, 'listen subscription could not be checked');
        session.remove();
        socket.close(1011, 'hookd could not check the subscription; connect again');
      });
    });
  });
}

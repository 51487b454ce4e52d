/**
 * X-Idempotency-Key on POST and PATCH (docs/api.md): the same key and body within 24 h replays
 * the first answer with X-Cached-Response: true; the same key with another body, or while the
 * first request still runs, is 409. Keys are scoped to the caller (credential kind, workspace,
 * mode), so two workspaces never share one. 5xx answers are not kept: the client may retry them.
 *
 * The replay runs in preHandler, after every onRequest hook: a credential's right to make the
 * request is checked there (plugins/auth.ts), never in a handler, which a replay never reaches.
 * The store keeps answers sealed (store/idempotency.ts): create and roll answers hold
 * secrets and keys whole.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../domain/clock.js';
import { HookdError } from '../../domain/errors.js';
import type { Store } from '../../store/types.js';

export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
const KEY = /^[\x21-\x7e]{1,255}$/;
const KEPT_HEADERS = ['content-type', 'etag', 'location', 'x-continuation-token'];

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { scope: string; key: string };
  }
}

/**
 * Workspace keys (`ws:`), portal sessions (`portal:`) and the platform key each have scopes of
 * their own: a portal session may do less than a key, and must not be handed a key's answer.
 * Keys keep the `ws:` of the records made before portal sessions had a scope of their own.
 */
function scopeOf(request: FastifyRequest): string {
  const p = request.principal;
  const who = p?.kind === 'workspace' ? `${p.portal ? 'portal' : 'ws'}:${p.workspace}:${p.live}` : 'platform';
  const mode = request.mode ? `${request.mode.workspace}:${request.mode.live}` : '-';
  return `${who}|${mode}`;
}

export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers['x-idempotency-key'];
  if (raw === undefined) return undefined;
  if (Array.isArray(raw) || !KEY.test(raw)) {
    throw HookdError.validation({ 'X-Idempotency-Key': ['must be 1–255 visible ASCII characters, sent once'] });
  }
  return raw;
}

export function registerIdempotency(app: FastifyInstance, { store, clock }: { store: Store; clock: Clock }): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' && request.method !== 'PATCH') return;
    const key = idempotencyKeyOf(request);
    if (key === undefined || !request.principal) return;
    const scope = scopeOf(request);
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url}\n`).update(request.rawBody ?? '')
      .digest('hex');
    const now = clock.now();
    const begun = await store.beginIdempotent(scope, key, fingerprint, now, now - IDEMPOTENCY_WINDOW_MS);
    switch (begun.state) {
      case 'new':
        request.idempotency = { scope, key };
        return;
      case 'replay':
        reply.headers(begun.response.headers).header('X-Cached-Response', 'true').code(begun.response.status);
        return reply.send(begun.response.body);
      case 'mismatch':
        throw new HookdError('idempotency_conflict', 'Idempotency key reused with another request', {
          detail: 'This X-Idempotency-Key was first used with a different method, URL or body. Use a new key for a new request.',
          errors: { 'X-Idempotency-Key': ['was already used with another request'] },
        });
      case 'in_progress':
        throw new HookdError('idempotency_conflict', 'A request with this idempotency key is in progress', {
          detail: 'Wait for the first request to finish, then retry to receive its answer.', retryAfter: 1,
          errors: { 'X-Idempotency-Key': ['is in use by a request that has not finished'] },
        });
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = undefined;
    if (reply.statusCode >= 500 || typeof payload !== 'string' && payload !== null && payload !== undefined) {
      await store.abandonIdempotent(claim.scope, claim.key).catch(() => undefined);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    try {
      await store.completeIdempotent(claim.scope, claim.key, { status: reply.statusCode, headers, body: payload ?? '' });
    } catch (err) {
      // The answer itself is good; only its replay copy is lost, and the claim goes stale in a minute.
      request.log.warn({ err }, 'could not keep the idempotent answer');
    }
    return payload;
  });
}

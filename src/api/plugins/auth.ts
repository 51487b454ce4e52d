/**
 * Bearer keys (docs/api.md). Workspace keys (`fskt_`/`fskl_`) name their workspace and mode;
 * the platform key acts for any workspace through X-Workspace-Id and X-Live-Mode and alone may
 * manage workspaces and the catalog. Keys are compared by SHA-256 hash, the platform key in
 * constant time; a missing or wrong key is 401 with WWW-Authenticate. A portal session token
 * (`hkps_…`, api/plugins/portal-session.ts) acts like that workspace's key for one mode until it expires.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../domain/clock.js';
import { HookdError } from '../../domain/errors.js';
import { isId } from '../../domain/ids.js';
import type { Mode } from '../../domain/types.js';
import type { Store } from '../../store/types.js';
import type { RateLimiter } from './rate-limit.js';
import { booleanText } from './boolean-text.js';
import { openPortalToken, PORTAL_TOKEN_PREFIX } from './portal-session.js';

export type Principal =
  | { kind: 'platform' }
  /**
   * `portal`: a dashboard session from a portal link, not a key the workspace holds.
   * `expires`: when the credential stops working (a portal session's end, a rolled key's grace),
   * absent while it has no end. `keyGeneration`: a key's workspace generation, read with the key.
   * Both bound what the credential may hand on, such as a listen grant (realtime/routes.ts).
   */
  | { kind: 'workspace'; workspace: string; live: boolean; portal?: boolean; expires?: number; keyGeneration?: number };

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** The workspace and mode every query of this request is scoped to. */
    mode?: Mode;
  }
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface AuthDeps {
  store: Store;
  clock: Clock;
  /** Workspace keys; the platform key's limiter is null when it is not limited. */
  limits: { workspace: RateLimiter; platform: RateLimiter | null };
  /** SHA-256 hex of the platform key. */
  platformKeyHash: string;
  /** Signs portal session tokens (derived from the encryption key). */
  portalKey: Buffer;
}

const WORKSPACE_KEY = /^fsk[tl]_[0-9A-Za-z]{32,200}$/;

export function createAuth({ store, clock, platformKeyHash, portalKey, limits }: AuthDeps) {
  const platformHash = Buffer.from(platformKeyHash, 'hex');
  // Workspaces the platform key has named and that exist: a workspace is never deleted (no
  // route does), so once seen it need not be read again on every publish. Misses are not kept.
  const knownWorkspaces = new Set<string>();
  const KNOWN_WORKSPACES_MAX = 100_000;

  async function identify(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization;
    if (!header) {
      throw new HookdError('unauthenticated', 'Authentication required', { detail: 'Send Authorization: Bearer <key>.' });
    }
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (!match) {
      throw new HookdError('unauthenticated', 'Authentication required', {
        detail: 'The Authorization header must be "Bearer <key>".', errors: { authorization: ['must be "Bearer <key>"'] },
      });
    }
    const key = match[1]!;
    const hash = hashKey(key);
    if (WORKSPACE_KEY.test(key)) {
      const record = await store.findApiKey(hash);
      if (record && (record.expires === null || record.expires > clock.now())) {
        limits.workspace.check(hash);
        return {
          kind: 'workspace', workspace: record.workspace, live: record.live, keyGeneration: record.keyGeneration,
          ...(record.expires === null ? {} : { expires: record.expires }),
        };
      }
    } else {
      const session = key.startsWith(PORTAL_TOKEN_PREFIX) ? openPortalToken(key, portalKey, clock.now()) : null;
      if (session) {
        limits.workspace.check(hash);
        return { kind: 'workspace', workspace: session.workspace, live: session.live, portal: true, expires: session.expires };
      }
      // Not `else`: a chosen HOOKD_ADMIN_KEY may happen to start with hkps_ too.
      if (timingSafeEqual(Buffer.from(hash, 'hex'), platformHash)) {
        limits.platform?.check('platform');
        return { kind: 'platform' };
      }
    }
    throw new HookdError('unauthenticated', 'Invalid API key', { detail: 'The key is unknown, rolled or expired. Check which key you sent.' });
  }

  /** Any valid key. */
  async function anyKey(request: FastifyRequest): Promise<void> {
    request.principal = await identify(request);
  }

  async function platform(request: FastifyRequest): Promise<void> {
    const principal = await identify(request);
    if (principal.kind !== 'platform') {
      throw new HookdError('forbidden', 'Platform key required', { detail: 'Only the platform key may manage workspaces and the event-type catalog.' });
    }
    request.principal = principal;
  }

  /** A workspace key, or the platform key acting for the workspace named in X-Workspace-Id. */
  async function workspace(request: FastifyRequest): Promise<void> {
    const principal = await identify(request);
    request.principal = principal;
    const headerWorkspace = single(request, 'x-workspace-id');
    const liveHeader = single(request, 'x-live-mode');
    const headerLive = liveHeader === undefined ? undefined : booleanText(liveHeader);
    // Malformed headers are a 400 whichever key sent them; only a well-formed header that
    // disagrees with a workspace key is the 403 below.
    if (headerWorkspace !== undefined && !isId(headerWorkspace, 'wksp')) {
      throw HookdError.validation({ 'X-Workspace-Id': ['must be a workspace id (wksp_…)'] });
    }
    if (headerLive === null) {
      throw HookdError.validation({ 'X-Live-Mode': ['must be true or false (in any case)'] });
    }
    if (principal.kind === 'workspace') {
      if (headerWorkspace !== undefined && headerWorkspace !== principal.workspace) {
        throw new HookdError('forbidden', 'Workspace keys act only for their own workspace', {
          errors: { 'X-Workspace-Id': ['must be the key\'s own workspace, or absent'] },
        });
      }
      if (headerLive !== undefined && headerLive !== principal.live) {
        throw new HookdError('forbidden', 'The key and X-Live-Mode disagree', {
          errors: { 'X-Live-Mode': [`this is a ${principal.live ? 'live' : 'test'} key; send ${principal.live} or leave the header out`] },
        });
      }
      request.mode = { workspace: principal.workspace, live: principal.live };
      return;
    }
    if (headerWorkspace === undefined) {
      throw HookdError.validation({ 'X-Workspace-Id': ['is required with the platform key on workspace routes'] });
    }
    if (!knownWorkspaces.has(headerWorkspace)) {
      if (!(await store.getWorkspace(headerWorkspace))) {
        throw new HookdError('not_found', 'Workspace not found', { errors: { 'X-Workspace-Id': [`no workspace '${headerWorkspace}' exists`] } });
      }
      if (knownWorkspaces.size >= KNOWN_WORKSPACES_MAX) knownWorkspaces.clear();
      knownWorkspaces.add(headerWorkspace);
    }
    request.mode = { workspace: headerWorkspace, live: headerLive === true };
  }

  /**
   * `workspace`, refusing portal sessions: for what a portal link must not do. Such a check
   * belongs here, on the route's onRequest, never in its handler: the idempotency replay
   * (plugins/idempotency.ts) runs between the two, and a check it skips is no check.
   */
  function workspaceNotPortal(action: string, detail: string) {
    return async (request: FastifyRequest): Promise<void> => {
      await workspace(request);
      const principal = request.principal;
      if (principal?.kind === 'workspace' && principal.portal) throw new HookdError('forbidden', `Portal sessions cannot ${action}`, { detail });
    };
  }

  return { anyKey, platform, workspace, workspaceNotPortal };
}

function single(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  if (Array.isArray(value)) throw HookdError.validation({ [name]: ['must be sent once'] });
  return value;
}

export type Auth = ReturnType<typeof createAuth>;

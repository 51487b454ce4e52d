/**
 * Security headers on every answer (docs/security.md), and CORS, which is off unless
 * HOOKD_CORS_ORIGINS lists the origins that may call the API from a browser.
 *
 * API answers carry secrets (a created endpoint's signing secret, a new workspace's keys), so
 * they are never cached, never sniffed, never framed. /docs is a page with scripts and styles
 * of its own (served locally by @fastify/swagger-ui, which sets its own CSP), so the strict
 * CSP below is for everything else.
 */
import type { FastifyInstance } from 'fastify';

const STRICT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** s: browsers may reuse a preflight answer this long. */
const PREFLIGHT_MAX_AGE = 600;
const ALLOWED_HEADERS = 'Authorization, Content-Type, If-Match, If-None-Match, X-Idempotency-Key, X-Workspace-Id, X-Live-Mode';
const EXPOSED_HEADERS = 'ETag, Location, Retry-After, X-Continuation-Token, X-Cached-Response, X-Request-Id';

export function registerSecurityHeaders(app: FastifyInstance, options: { corsOrigins: readonly string[]; https: boolean }): void {
  const origins = new Set(options.corsOrigins);
  const anyOrigin = origins.has('*');

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    if (options.https) reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    if (!request.url.startsWith('/docs')) {
      reply.header('Content-Security-Policy', STRICT_CSP);
      reply.header('Cache-Control', 'no-store');
    }

    const origin = request.headers.origin;
    if (origin === undefined || !(anyOrigin || origins.has(origin))) return;
    // Credentials are bearer keys in a header, never cookies: no Allow-Credentials.
    reply.header('Access-Control-Allow-Origin', anyOrigin ? '*' : origin);
    reply.header('Vary', 'Origin');
    reply.header('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      reply.header('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE');
      reply.header('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      reply.header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE));
      return reply.code(204).send();
    }
  });
}

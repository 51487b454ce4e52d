/**
 * The OpenAPI document's own parts (docs/api.md, "The OpenAPI document"): what @fastify/swagger
 * cannot take from the route schemas (info, tags and their descriptions, the security scheme),
 * and the `servers` entry, which depends on who asks and so is filled per request.
 */
import type { FastifyDynamicSwaggerOptions, SwaggerTransform } from '@fastify/swagger';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest, FastifySchema } from 'fastify';
import type { Config } from '../config/config.js';
import { publicBase } from './public-url.js';

/** Every tag a route may use, described once; test/openapi-document.sqlite.test.ts fails on a tag missing here. */
export const OPENAPI_TAGS = [
  { name: 'workspaces', description: 'Tenants, each with a test and a live key (platform key only)' },
  { name: 'event types', description: 'The catalog of event types an event may have; the platform adds to it' },
  { name: 'webhook endpoints', description: 'The URLs a workspace\'s events are delivered to, what each receives, its signing secret' },
  { name: 'events', description: 'What happened: published by the platform, delivered to every matching endpoint' },
  { name: 'webhook deliveries', description: 'One event on its way to one endpoint: its status and every attempt' },
  { name: 'statistics', description: 'Delivery outcomes and latencies, per hour and per endpoint (the dashboard reads them)' },
  { name: 'realtime', description: 'Listen sessions: events streamed over a WebSocket to `hookd listen`' },
  { name: 'portal', description: 'Dashboard links a platform hands its customers' },
  { name: 'operations', description: 'Probes and the delivery status of the whole store' },
];

/** The document's top level, for @fastify/swagger's `openapi` option. */
export function openApiDefinition(version: string): FastifyDynamicSwaggerOptions['openapi'] {
  return {
    openapi: '3.1.0',
    info: {
      title: 'hookd API',
      version,
      description: 'Falu-compatible webhooks API. Errors are application/problem+json (RFC 9457).',
      license: { name: 'MIT', identifier: 'MIT' },
      contact: { name: 'hookd' },
    },
    tags: OPENAPI_TAGS,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'fskt_/fskl_ workspace key, a portal session (hkps_), or the platform key' } } },
    security: [{ bearer: [] }],
  };
}

/** A Host header that is a host name, IPv4 or bracketed IPv6 address, and an optional port: nothing else goes into a URL. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * The API's base URL as the document's `servers` names it: HOOKD_PUBLIC_URL when set, else
 * the origin the request reached (its scheme and Host). Unlike the URLs hookd hands out
 * (public-url.ts), a Host-built URL is safe here: it carries no token and goes back only to
 * whoever sent that Host, naming the origin they already talk to (what Swagger UI would use
 * with no `servers` at all); the answer is never stored by a cache (Cache-Control: no-store).
 * A missing or malformed Host falls back to the listening address.
 */
export function apiServerUrl(config: Config, request: FastifyRequest): string {
  if (config.publicUrl) return config.publicUrl;
  const host = request.host;
  if (typeof host === 'string' && HOST.test(host)) return `${request.protocol}://${host}`;
  return publicBase(config, request.server.server);
}

/** The served document: the one @fastify/swagger built, with this request's `servers`. The built one is cached and shared: copied, never changed. */
export function withServers<T extends object>(document: T, config: Config, request: FastifyRequest): T & { servers: { url: string }[] } {
  return { ...document, servers: [{ url: apiServerUrl(config, request) }] };
}


/**
 * The request headers every /v1 route shares, which plugins read before validation
 * (falu-version.ts, idempotency.ts, etag.ts): declared in the document only, by the rule each
 * plugin applies (POST and PATCH take an idempotency key; a route that may answer 304 reads
 * If-None-Match, one that may answer 412 If-Match), so that a new route is declared as it behaves.
 */
const CONVENTION_HEADERS = {
  version: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'The Falu API version the client was written for (any date; answered the same)' })),
  idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Visible ASCII; the same key with the same request within 24 h replays the first answer' })),
  ifNoneMatch: Type.Optional(Type.String({ description: 'An ETag: 304 when it is the current one' })),
  ifMatch: Type.Optional(Type.String({ description: 'The ETag the change expects: 412 when it is not the current one' })),
};

/** @fastify/swagger's `transform`: a route's own headers (ScopeHeaders in schemas.ts) and the shared ones above. */
export const withConventionHeaders: SwaggerTransform<FastifySchema> = ({ schema, url, route }) => {
  if (!schema || !url.startsWith('/v1/')) return { schema, url };
  const methods = [route.method].flat();
  const statuses = Object.keys((schema.response as Record<string, unknown> | undefined) ?? {});
  const own = (schema.headers as { properties?: Record<string, TSchema> } | undefined)?.properties ?? {};
  const headers: Record<string, TSchema> = { ...own, 'x-falu-version': CONVENTION_HEADERS.version };
  if (methods.includes('POST') || methods.includes('PATCH')) headers['x-idempotency-key'] = CONVENTION_HEADERS.idempotencyKey;
  if (statuses.includes('304')) headers['if-none-match'] = CONVENTION_HEADERS.ifNoneMatch;
  if (statuses.includes('412')) headers['if-match'] = CONVENTION_HEADERS.ifMatch;
  return { schema: { ...schema, headers: Type.Object(headers) }, url };
};

/**
 * api/: the Fastify application. buildApp() takes its dependencies (config, store, clock,
 * secret box, platform key hash) and wires the plugins (problem errors, body parsing, auth,
 * idempotency, pagination, ETags) and one module per resource. Nothing here opens a database
 * or reads the environment: serve.ts does, so tests can hand in their own.
 */
import Fastify, { type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Store } from '../store/types.js';
import { createCatalog } from './catalog.js';
import { createSchemaCompilers } from './schema-compilers.js';
import type { ApiDeps, App } from './deps.js';
import { endpointRoutes } from './endpoints.js';
import { eventTypeRoutes } from './event-types.js';
import { eventRoutes } from './events.js';
import { healthRoutes } from './health.js';
import { createAuth } from './plugins/auth.js';
import { registerConnectionLimits, serverTimeouts } from './connection-limits.js';
import { createRateLimiter } from './plugins/rate-limit.js';
import { registerBodyParsing } from './plugins/body.js';
import { registerSecurityHeaders } from './plugins/security-headers.js';
import { registerIdempotency } from './plugins/idempotency.js';
import { createPagination } from './plugins/pagination.js';
import { clientErrors, frameworkErrors, registerProblemHandling } from './plugins/problem.js';
import { Problem } from './schemas.js';
import { workspaceRoutes } from './workspaces.js';
import { createHub } from '../realtime/hub.js';
import { realtimeRoutes } from '../realtime/routes.js';
import { deliveryRoutes } from './deliveries.js';
import { endpointActionRoutes } from './endpoint-actions.js';
import { portalRoutes } from './portal.js';
import { statsRoutes } from './stats.js';
import { dashboardRoutes, defaultDashboardDir } from './dashboard.js';
import { statusRoutes } from './status.js';
import type { Sender } from '../delivery/sender.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { parseNetworks } from '../delivery/ssrf-guard.js';
import { VERSION } from '../version.js';

export interface AppOptions {
  config: Config;
  store: Store;
  clock: Clock;
  box: SecretBox;
  platformKeyHash: string;
  logger?: FastifyServerOptions['logger'];
  sender: Sender;
  /** Called after a publish or recover queued work: wakes an in-process dispatcher. */
  notify?: (endpoints: string[]) => void;
  metrics?: Metrics;
  /** /ready's dispatcher check; absent where no dispatcher runs in this process (role api). */
  dispatcherRunning?: () => boolean;
  /** The built dashboard's directory; default dist/dashboard (api/dashboard.ts); null serves none. */
  dashboardDir?: string | null;
  /** `probes` serves only /health and /ready: what a `--role worker` process answers on its port. */
  surface?: 'api' | 'probes';
}

/**
 * Secrets that must never reach a log line (docs/security.md): keys in headers, and any field named
 * like a secret at the top of a logged object or up to two levels down (an endpoint logged as
 * `{endpoint}`, a result as `{result: {endpoint}}`). test/logs.test.ts holds it to that.
 */
export const LOG_REDACT = [
  'req.headers.authorization', 'req.headers["x-idempotency-key"]', 'req.headers.cookie', 'res.headers["set-cookie"]',
  'secret', 'token', 'keys', 'previousSecrets', 'adminKey', 'encryptionKey', 'previousEncryptionKeys',
  '*.secret', '*.token', '*.keys', '*.previousSecrets', '*.adminKey', '*.encryptionKey', '*.previousEncryptionKeys',
  '*.*.secret', '*.*.token', '*.*.keys', '*.*.previousSecrets',
];
export async function buildApp(options: AppOptions): Promise<App> {
  const { config, store, clock, box } = options;
  const compilers = createSchemaCompilers();
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: config.maxBodySize,
    ...serverTimeouts(config),
    genReqId: () => newId('req'),
    requestIdHeader: false,
    // While closing, a request that arrives on an open keep-alive connection is served (with
    // Connection: close): the store stays open until close() returns. Fastify's own 503 here is
    // a bare JSON body without Retry-After, not the problem+json every client of hookd expects.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    frameworkErrors,
    clientErrorHandler: clientErrors,
    schemaController: { compilersFactory: { buildValidator: compilers.buildValidator, buildSerializer: compilers.buildSerializer } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
  app.decorate('compileSchemas', compilers.compileAll);

  app.addSchema(Problem);
  registerProblemHandling(app);
  registerBodyParsing(app);
  registerSecurityHeaders(app, { corsOrigins: config.corsOrigins, https: config.publicUrl.startsWith('https://') });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });
  const metrics = options.metrics ?? createMetrics({ defaultMetrics: false });
  registerConnectionLimits(app, config, () => metrics.connectionsDropped.inc());
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL: ids would make one series per object.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  if (options.surface === 'probes') {
    await app.register(async (scope) => healthRoutes(scope as unknown as App, { store, metrics, dispatcherRunning: options.dispatcherRunning }));
    return app;
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'hookd API', version: VERSION, description: 'Falu-compatible webhooks API. Errors are application/problem+json (RFC 9457).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'fskt_/fskl_ workspace key, or the platform key' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  const hub = createHub({ store, clock, log: app.log, maxSessionsPerMode: config.maxListenSessions });
  app.addHook('onClose', async () => hub.close());
  const portalKey = box.derive('portal-session');
  const deps: ApiDeps = {
    config, store, clock,
    auth: createAuth({
      store, clock, platformKeyHash: options.platformKeyHash, portalKey,
      limits: {
        workspace: createRateLimiter(config.rateLimit, clock.now),
        platform: config.platformRateLimit ? createRateLimiter(config.platformRateLimit, clock.now) : null,
      },
    }),
    pagination: createPagination(box.derive('continuation-token')),
    catalog: createCatalog(store, app.log),
    sender: options.sender,
    allowNetworks: parseNetworks(config.allowNetworks),
    notify: options.notify ?? (() => undefined),
    onPublished: (event) => hub.publish(event),
    onKeysRolled: (workspace, generation) => hub.revoke(workspace, generation),
  };
  registerIdempotency(app, { store, clock });

  await app.register(async (scope) => {
    const typed = scope as unknown as App;
    await healthRoutes(typed, { store, metrics, dispatcherRunning: options.dispatcherRunning });
    await workspaceRoutes(typed, deps);
    await eventTypeRoutes(typed, deps);
    await endpointRoutes(typed, deps);
    await eventRoutes(typed, deps);
    await deliveryRoutes(typed, deps);
    await endpointActionRoutes(typed, deps);
    await statusRoutes(typed, deps);
    await realtimeRoutes(typed, { ...deps, hub, grantKey: box.derive('listen-grant') });
    await portalRoutes(typed, { ...deps, portalKey });
    await statsRoutes(typed, deps);
    await dashboardRoutes(typed, { dir: options.dashboardDir === undefined ? defaultDashboardDir() : options.dashboardDir });
    typed.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  });
  return app;
}

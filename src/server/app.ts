/**
 * buildApp(): the Fastify application from its dependencies (config, store, clock, secret box,
 * platform key hash). It wires the plugins (problem errors, body parsing, auth, idempotency,
 * pagination, ETags), the plumbing routes of api/, one route module per resource
 * (resources/) and the listen channel (realtime/). Nothing here opens a database or reads the
 * environment: serve.ts does, so tests can hand in their own.
 */
import Fastify, { type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Store } from '../store/types.js';
import { createCatalog } from '../api/catalog.js';
import { registerConnectionLimits, serverTimeouts } from '../api/connection-limits.js';
import { dashboardRoutes, defaultDashboardDir } from '../api/dashboard.js';
import type { ApiDeps, App } from '../api/deps.js';
import { healthRoutes } from '../api/health.js';
import { openApiDefinition, withConventionHeaders, withServers } from '../api/openapi.js';
import { createAuth } from '../api/plugins/auth.js';
import { registerBodyParsing } from '../api/plugins/body.js';
import { registerFaluVersion } from '../api/plugins/falu-version.js';
import { registerIdempotency } from '../api/plugins/idempotency.js';
import { createPagination } from '../api/plugins/pagination.js';
import { clientErrors, frameworkErrors, registerProblemHandling } from '../api/plugins/problem.js';
import { createRateLimiter } from '../api/plugins/rate-limit.js';
import { registerSecurityHeaders } from '../api/plugins/security-headers.js';
import { createSchemaCompilers } from '../api/schema-compilers.js';
import { Problem } from '../api/schemas.js';
import type { Sender } from '../delivery/sender.js';
import { parseNetworks } from '../delivery/ssrf-guard.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { createHub } from '../realtime/hub.js';
import { realtimeRoutes } from '../realtime/routes.js';
import { deliveryRoutes } from '../resources/deliveries/routes.js';
import { AttemptObject, DeliveryObject } from '../resources/deliveries/shape.js';
import { endpointActionRoutes } from '../resources/endpoints/actions.js';
import { filterTestRoutes } from '../resources/endpoints/filter-test.js';
import { endpointRoutes } from '../resources/endpoints/routes.js';
import { EndpointObject } from '../resources/endpoints/shape.js';
import { eventTypeRoutes } from '../resources/event-types/routes.js';
import { EventTypeObject } from '../resources/event-types/shape.js';
import { eventRoutes } from '../resources/events/routes.js';
import { EventObject } from '../resources/events/shape.js';
import { portalRoutes } from '../resources/portal-sessions/routes.js';
import { statsRoutes } from '../resources/stats/routes.js';
import { statusRoutes } from '../resources/status/routes.js';
import { StatusObject } from '../resources/status/shape.js';
import { workspaceRoutes } from '../resources/workspaces/routes.js';
import { WorkspaceObject } from '../resources/workspaces/shape.js';
import { VERSION } from '../version.js';

export interface AppOptions {
  config: Config;
  store: Store;
  clock: Clock;
  box: SecretBox;
  platformKeyHash: string;
  logger?: FastifyServerOptions['logger'];
  sender: Sender;
  /** There is new work (a publish or recover queued deliveries): wakes an in-process dispatcher. */
  wake?: (endpoints: string[]) => void;
  metrics?: Metrics;
  /** /ready's dispatcher check; absent where no dispatcher runs in this process (role api). */
  dispatcherRunning?: () => boolean;
  /** The built dashboard's directory; default dist/dashboard (api/dashboard.ts); null serves none. */
  dashboardDir?: string | null;
  /** `probes` serves only /health and /ready: what a `--role worker` process answers on its port. */
  surface?: 'api' | 'probes';
}

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
  registerFaluVersion(app);
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
    openapi: openApiDefinition(VERSION),
    transform: withConventionHeaders,
    // Components are named by their $id (Problem, WebhookEndpoint…), not def-0, def-1… by the
    // order of addSchema: a generated client names its types after them.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs', staticCSP: true,
    // Swagger UI reads /docs/json: the same document as /openapi.json, servers included, and
    // like it never cached (security-headers.ts leaves /docs to swagger-ui).
    transformSpecificationClone: false,
    transformSpecification: (document, request, reply) => {
      reply.header('Cache-Control', 'no-store');
      return withServers(document, config, request);
    },
  });

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
    wake: options.wake ?? (() => undefined),
    metrics,
    broadcast: (event) => hub.publish(event),
    onKeysRolled: (workspace, generation) => hub.revoke(workspace, generation),
  };
  registerIdempotency(app, { store, clock });

  await app.register(async (scope) => {
    const typed = scope as unknown as App;
    // The public objects (each declared in its resource's shape.ts), added before any route since
    // routes of one resource refer to another's (an attempt is what events' retry and endpoints'
    // test answer). The OpenAPI document names each component by its $id.
    for (const shape of [WorkspaceObject, EventTypeObject, EndpointObject, EventObject, AttemptObject, DeliveryObject, StatusObject]) typed.addSchema(shape);
    await healthRoutes(typed, { store, metrics, dispatcherRunning: options.dispatcherRunning });
    await workspaceRoutes(typed, deps);
    await eventTypeRoutes(typed, deps);
    await endpointRoutes(typed, deps);
    await endpointActionRoutes(typed, deps);
    await filterTestRoutes(typed, deps);
    await eventRoutes(typed, deps);
    await deliveryRoutes(typed, deps);
    await statusRoutes(typed, deps);
    await realtimeRoutes(typed, { ...deps, hub, grantKey: box.derive('listen-grant') });
    await portalRoutes(typed, { ...deps, portalKey });
    await statsRoutes(typed, deps);
    await dashboardRoutes(typed, { dir: options.dashboardDir === undefined ? defaultDashboardDir() : options.dashboardDir });
    typed.get('/openapi.json', { schema: { hide: true } }, async (request) => withServers(app.swagger(), config, request));
  });
  return app;
}

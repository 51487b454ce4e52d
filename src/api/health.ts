/** Probes: /health says the process answers; /ready says it can reach its store; /metrics is for scraping. */
import { Type } from '@sinclair/typebox';
import { HookdError } from '../domain/errors.js';
import type { App } from './deps.js';
import type { Store } from '../store/types.js';
import type { Metrics } from '../metrics.js';

export async function healthRoutes(app: App, { store, metrics }: { store: Store; metrics: Metrics }): Promise<void> {
  const tags = ['operations'];
  app.get('/health', {
    schema: { tags, summary: 'Liveness', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/ready', {
    schema: { tags, summary: 'Readiness: the store answers', response: { 200: Type.Object({ status: Type.Literal('ready'), store: Type.String() }), 503: Type.Ref('Problem') } },
  }, async () => {
    try {
      await store.ping();
    } catch (err) {
      throw err instanceof HookdError ? err : new HookdError('store_unavailable', 'The store is unavailable', { detail: 'The store did not answer a ping.', retryAfter: 5, cause: err });
    }
    return { status: 'ready' as const, store: store.dialect };
  });

  app.get('/metrics', {
    schema: { tags, summary: 'Prometheus metrics of this process', hide: true },
  }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

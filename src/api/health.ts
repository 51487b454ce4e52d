/**
 * Probes: /health says the process answers; /ready says it can do its job: the store answers,
 * the migrations it opened the store with are still applied, and (roles all and worker) the
 * dispatcher is running. A failed check is a 503 problem naming it under `errors`, so a
 * readiness log tells an operator where to look. /metrics is for scraping.
 */
import { Type } from '@sinclair/typebox';
import { HookdError, type FieldErrors } from '../domain/errors.js';
import type { App } from './deps.js';
import { answer, problemAnswer, problemAnswers } from './schemas.js';
import type { Store } from '../store/types.js';
import type { Metrics } from '../metrics.js';

export interface HealthDeps {
  store: Store;
  metrics: Metrics;
  /** Whether this process's dispatcher is running; absent where none runs (role api): the check is n/a. */
  dispatcherRunning?: () => boolean;
}

const Check = Type.Union([Type.Literal('ok'), Type.Literal('n/a')]);

export async function healthRoutes(app: App, { store, metrics, dispatcherRunning }: HealthDeps): Promise<void> {
  const tags = ['operations'];
  app.get('/health', {
    schema: { tags, operationId: 'getHealth', summary: 'Liveness: the process answers', response: { 200: answer(Type.Object({ status: Type.Literal('ok') }), 'The process answers'), ...problemAnswers(431) } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/ready', {
    schema: {
      tags, operationId: 'getReadiness', summary: 'Readiness: the store answers, migrations are applied, the dispatcher runs (503 names the failed check)',
      response: {
        200: answer(Type.Object({ status: Type.Literal('ready'), store: Type.String(), checks: Type.Object({ store: Check, migrations: Check, dispatcher: Check }) }), 'Every check passed'),
        ...problemAnswers(431),
        503: problemAnswer('Not ready: `errors` names each failed check (store, migrations, dispatcher)', { 'Retry-After': Type.Integer({ minimum: 0 }) }),
      },
    },
  }, async () => {
    const failed: FieldErrors = {};
    let cause: unknown;
    try {
      await store.ping();
      const missing = await store.missingMigrations().catch((err: unknown) => {
        cause = err;
        return ['(the migration table cannot be read)'];
      });
      if (missing.length > 0) failed.migrations = [`not applied: ${missing.join(', ')}; run hookd migrate`];
    } catch (err) {
      cause = err;
      failed.store = [err instanceof HookdError && err.detail ? err.detail : 'did not answer a ping'];
    }
    if (dispatcherRunning && !dispatcherRunning()) failed.dispatcher = ['is not running'];
    const names = Object.keys(failed);
    if (names.length > 0) {
      throw new HookdError('not_ready', 'Not ready', {
        detail: names.map((n) => `${n}: ${failed[n]!.join(', ').replace(/\.$/, '')}`).join('; ') + '.', errors: failed, retryAfter: 5, cause,
      });
    }
    return { status: 'ready' as const, store: store.dialect, checks: { store: 'ok' as const, migrations: 'ok' as const, dispatcher: dispatcherRunning ? 'ok' as const : 'n/a' as const } };
  });

  app.get('/metrics', {
    schema: { tags, summary: 'Prometheus metrics of this process', hide: true },
  }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

/**
 * `hookd serve`: opens the store, applies migrations, seeds the catalog, makes sure a platform
 * key exists, and starts the API. The one place that turns configuration into running parts.
 */
import { join, resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { buildApp } from './app.js';
import type { App } from '../api/deps.js';
import { hashKey } from '../api/plugins/auth.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { DEFAULT_EVENT_TYPES, describeEventType } from '../domain/event-types.js';
import { newPlatformKey } from '../domain/ids.js';
import { createSecretBox, loadKeyRing, type SecretBox } from '../store/secret-box.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/types.js';
import { IDEMPOTENCY_WINDOW_MS } from '../api/plugins/idempotency.js';
import { createDispatcher, type Dispatcher } from '../delivery/dispatcher.js';
import { maskProxy } from '../delivery/connector.js';
import { createSender } from '../delivery/sender.js';
import { createThreadedSender } from '../delivery/threaded-sender.js';
import { createMetrics } from '../metrics.js';
import { withQueryTiming } from '../store/timed-store.js';
import { renderEndpoint } from '../resources/endpoints/shape.js';
import { loggerOptions } from './logging.js';

/** The catalog's own creation time: Falu's API version 2024-06-01, so built-in types sort before any added one. */
const CATALOG_EPOCH = Date.UTC(2024, 5, 1);
const PLATFORM_KEY_SETTING = 'platform_key_sha256';

/** Connections of HOOKD_DB_POOL_SIZE kept for the dispatcher (postgres/index.ts): none in an API process, all but one in a worker, 40 % in `all`. */
function queueConnections({ role, dbPoolSize }: Config): number {
  if (role === 'api' || dbPoolSize < 2) return 0;
  return role === 'worker' ? dbPoolSize - 1 : Math.max(1, Math.round(dbPoolSize * 0.4));
}

export async function openStore(config: Config, box: SecretBox, onPoolError?: (err: Error) => void): Promise<Store> {
  if (config.databaseUrl) {
    // Imported only here: pg and the PostgreSQL store are 0.5 MB of the live heap of a started
    // SQLite process (2.7 MB imported alone), and V8 sizes the old generation's limit as a multiple of it.
    const { openPostgresStore } = await import('../store/postgres/index.js');
    return openPostgresStore({
      url: config.databaseUrl, box, poolSize: config.dbPoolSize, queuePoolSize: queueConnections(config), statementTimeout: config.statementTimeout,
      queryTimeout: config.queryTimeout, connectTimeout: config.dbConnectTimeout, onPoolError, firstAttemptDelay: config.retrySchedule[0],
    });
  }
  return openSqliteStore({ file: join(resolve(config.dataDir), 'hookd.db'), box, firstAttemptDelay: config.retrySchedule[0] });
}

export async function seedCatalog(store: Store): Promise<void> {
  await store.seedEventTypes(DEFAULT_EVENT_TYPES.map((name) => ({
    name, description: describeEventType(name), schema: null, builtin: true, created: CATALOG_EPOCH, updated: CATALOG_EPOCH, etag: 'builtin',
  })));
}

/** The configured key's hash, or the stored one; generates and stores one on first start. */
export async function resolvePlatformKey(config: Config, store: Store): Promise<{ hash: string; generated: string | null }> {
  if (config.adminKey) return { hash: hashKey(config.adminKey), generated: null };
  const stored = await store.getSetting(PLATFORM_KEY_SETTING);
  if (stored) return { hash: stored, generated: null };
  const key = newPlatformKey();
  const kept = await store.putSettingIfAbsent(PLATFORM_KEY_SETTING, hashKey(key));
  // Another process may have won the race; then its key is the platform key, not ours.
  return kept === hashKey(key) ? { hash: kept, generated: key } : { hash: kept, generated: null };
}

/** ms between retention passes. */
const PRUNE_EVERY = 10 * 60_000;

/** Retention (HOOKD_RETENTION) and the idempotency window: deletes in batches until nothing old is left. */
export async function pruneOnce(store: Store, config: Config, clock: Clock, app: App): Promise<void> {
  try {
    await store.pruneIdempotency(clock.now() - IDEMPOTENCY_WINDOW_MS);
    if (config.role === 'api') return;
    let pruned = 0;
    for (let n = await store.pruneBefore(clock.now() - config.retention); n > 0; n = await store.pruneBefore(clock.now() - config.retention)) pruned += n;
    if (pruned > 0) app.log.info({ events: pruned }, 'pruned events past retention');
  } catch (err) {
    app.log.warn({ err }, 'pruning failed; it runs again later');
  }
}

export interface Server {
  dispatcher: Dispatcher | null;
  app: App;
  store: Store;
  url: string;
  platformKey: string | null;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  print?: (line: string) => void;
  /** Where log lines go (default stdout); pretty or JSON by HOOKD_LOG_FORMAT and whether it is a terminal. */
  logStream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<Server> {
  const clock = options.clock ?? systemClock;
  const print = options.print ?? ((line: string) => process.stdout.write(line + '\n'));
  const box = createSecretBox(loadKeyRing(config.encryptionKey, config.previousEncryptionKeys, resolve(config.dataDir)).keys);
  // The store gauges count through the timed store (declared just below; they are read only
  // once /metrics is scraped), so their own queries show in the store metrics too.
  const metrics = createMetrics({
    store: {
      countPending: () => store.countPendingDeliveries(), countFailing: () => store.countFailingEndpoints(),
      fifoHeads: () => store.fifoHeads(), countThrottledWaiting: (now) => store.countThrottledWaiting(now),
    },
    now: () => clock.now(),
  });
  const store = withQueryTiming(await openStore(config, box), metrics);
  try {
    await seedCatalog(store);
    const platform = await resolvePlatformKey(config, store);
    const senderOptions = { connectTimeout: config.connectTimeout, requestTimeout: config.requestTimeout, allowNetworks: config.allowNetworks, egressProxy: config.egressProxy };
    // From the TypeScript sources (the in-process tests) the thread's entry is not compiled, so
    // those send on the main thread; everything that runs `node dist/cli/main.js` uses the threads.
    const threadEntry = new URL('../delivery/sender-thread.js', import.meta.url);
    const sender = config.senderThreads > 0 && import.meta.url.endsWith('.js')
      ? createThreadedSender({ ...senderOptions, threads: config.senderThreads, entry: threadEntry })
      : createSender(senderOptions);
    let dispatcher: Dispatcher | null = null;
    const app = await buildApp({
      metrics,
      config, store, clock, box, platformKeyHash: platform.hash, surface: config.role === 'worker' ? 'probes' : 'api',
      logger: loggerOptions(config, options.logStream ?? process.stdout),
      sender, wake: (endpoints) => dispatcher?.wake(endpoints),
      dispatcherRunning: config.role === 'api' ? undefined : () => dispatcher !== null && dispatcher.running,
    });
    const url = await app.listen({ port: config.port, host: config.host });
    if (config.role !== 'api') {
      dispatcher = createDispatcher({ config, store, sender, clock, metrics, log: app.log.child({ component: 'dispatcher' }), renderEndpoint: (endpoint) => renderEndpoint(endpoint, config.retrySchedule) });
      dispatcher.start();
      if (config.egressProxy) app.log.info({ egressProxy: maskProxy(new URL(config.egressProxy)) }, 'deliveries leave through the egress proxy');
    }
    if (platform.generated) {
      print('');
      print('  hookd generated the platform key. It is shown this once; store it now:');
      print(`    HOOKD_ADMIN_KEY=${platform.generated}`);
      print('  (only its hash is kept; set HOOKD_ADMIN_KEY to choose your own)');
      print('');
    }
    const prune = setInterval(() => void pruneOnce(store, config, clock, app), PRUNE_EVERY);
    prune.unref();
    return {
      app, store, url, platformKey: platform.generated, dispatcher,
      async close() {
        clearInterval(prune);
        // Stop taking requests first, then let deliveries in flight finish (bounded by the request timeout), then close the store.
        await app.close();
        await dispatcher?.stop(config.requestTimeout);
        await sender.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}

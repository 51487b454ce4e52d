import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config/config.js';
import type { Metrics } from '../metrics.js';
import type { Clock } from '../domain/clock.js';
import type { Store } from '../store/types.js';
import type { HookdEvent } from '../domain/types.js';
import type { Auth } from './plugins/auth.js';
import type { Pagination } from './plugins/pagination.js';
import type { Catalog } from './catalog.js';
import type { Sender } from '../delivery/sender.js';
import type { Range } from '../delivery/ssrf-guard.js';

/** What every route module is given; nothing in api/ reaches for a global. */
export interface ApiDeps {
  config: Config;
  store: Store;
  clock: Clock;
  auth: Auth;
  pagination: Pagination;
  catalog: Catalog;
  /** Sends manual attempts (/retry, /test). */
  sender: Sender;
  /** HOOKD_ALLOW_NETWORKS, parsed once. */
  allowNetworks: Range[];
  /** Shows an event published here to this process's listen sessions at once (realtime/hub.ts). */
  broadcast: (event: HookdEvent) => void;
  /** A workspace's keys were rolled here: listen sessions of this process granted before end at once. */
  onKeysRolled: (workspace: string, keyGeneration: number) => void;
  /** What the API records beyond requests (replays). */
  metrics: Metrics;
  /** There is new work: due deliveries for these endpoints (publish, recover). Wakes an in-process dispatcher. */
  wake: (endpoints: string[]) => void;
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

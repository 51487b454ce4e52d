/**
 * What a scenario needs from a system under test: start it fresh with a set of endpoints,
 * publish events as the platform's backend would, know which process does the sending (to
 * measure its CPU and memory), and stop it, leaving nothing behind.
 */
import { newSecret } from '../payload.js';

export const SYSTEM_NAMES = ['ceiling', 'bullmq', 'pg-boss', 'hookd-sqlite', 'hookd-postgres'] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

export interface EndpointSpec {
  /** Path on the receiver: /ep/<n> answers 200, /delay/<ms>/<n> answers 200 after ms, /hang/<n> never answers. */
  path: string;
  /** Event types the endpoint is subscribed to. */
  types: string[];
  /** hookd's per-endpoint delivery control (the fifo and throttle scenarios, hookd only). */
  ordering?: 'fifo';
  /** Deliveries per second. */
  rateLimit?: number;
  /** hookd's payload filter (the fanout-filter scenario). */
  filter?: Record<string, unknown>;
}

export interface SystemSetup {
  receiverUrl: string;
  endpoints: EndpointSpec[];
  /**
   * 'default': each system's usual retry policy. 'fast': a failed attempt is retried after
   * about 1 s, for as long as the scenario lasts (the backlog scenario, so that the drain measures
   * how fast a system sends, not when its retry schedule happens to come round).
   */
  retry: 'default' | 'fast';
  /** Names queues and databases, so a leftover is recognisable. */
  label: string;
  /** hookd-postgres: `hookd serve --role worker` processes started beside the one that runs role all. */
  extraWorkers?: number;
  /** hookd: the CLI to run instead of this checkout's dist/cli/main.js (the cost scenario's older build). */
  hookdCli?: string;
}

export interface RunningSystem {
  /** Publishes one event; resolves with its id (the receiver's webhook-id) once the system has accepted it. */
  publish(type: string, object: Record<string, unknown>): Promise<string>;
  /** The process whose CPU and memory count as the sender's. */
  senderPid: number;
  /** Warnings and errors the system logged, for the report. */
  notes(): string[];
  /** hookd: changes the endpoint made from `setup.endpoints[index]` (a PATCH of its fields, e.g. `{ rate_limit: 500 }`). */
  updateEndpoint?(index: number, fields: Record<string, unknown>): Promise<void>;
  /** Stops the system and removes what it created (queues, databases, data directories). */
  stop(): Promise<void>;
}

export interface System {
  name: SystemName;
  start(setup: SystemSetup): Promise<RunningSystem>;
}

export interface Route {
  url: string;
  /** The endpoint's signing secret (the ceiling does not sign). */
  secret: string;
}

/**
 * Endpoints of `setup` subscribed to each type, for the systems that fan out in the publisher
 * (what a team's own code does: look up the subscriptions, enqueue one job per endpoint).
 */
export function routesByType(setup: SystemSetup): Map<string, Route[]> {
  const routes = new Map<string, Route[]>();
  for (const ep of setup.endpoints) {
    const route = { url: setup.receiverUrl + ep.path, secret: newSecret() };
    for (const type of ep.types) routes.set(type, [...(routes.get(type) ?? []), route]);
  }
  return routes;
}

/**
 * The store interface: everything api/, resources/ and delivery/ may ask of persistence, in
 * domain types only, so that any folder may depend on it. Two implementations (sqlite/,
 * postgres/) share one kysely Store (sql/kysely-store.ts, composed from each resource's
 * queries.ts); test/store.test.ts runs in both vitest projects (sqlite and postgres) and holds
 * both to this page.
 */
import type {
  ApiKeyRecord, Attempt, Delivery, DeliveryStatus, Endpoint, EndpointStatus, EventRedaction, EventType, HookdEvent, ListOptions, Mode,
  Page, Workspace,
} from '../domain/types.js';

/** A key as auth finds it: with its workspace's key generation, read in the same statement. */
export interface FoundApiKey extends ApiKeyRecord {
  keyGeneration: number;
}

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyBegin =
  | { state: 'new' }
  | { state: 'replay'; response: StoredResponse }
  | { state: 'mismatch' }
  | { state: 'in_progress' };

export interface EventListOptions extends ListOptions {
  types?: string[];
}

export interface PublishResult {
  event: HookdEvent;
  /** How many delivery rows the fan-out wrote in the event's transaction. */
  deliveries: number;
  /** The endpoints those rows are for (one row each): hints for the dispatcher. */
  endpoints: string[];
}

export interface DeliveryListOptions extends ListOptions {
  endpoint?: string;
  event?: string;
  types?: string[];
  status?: DeliveryStatus;
}

export interface ClaimOptions {
  now: number;
  /**
   * The dispatcher's clock, read again where a claim may wait: a throttle's tokens are taken at
   * the time the claim holds its endpoint's lock, not when it was planned (controlled-claim.ts).
   */
  clock?: () => number;
  /** ms the claim holds. */
  lease: number;
  /**
   * How many due deliveries to lease for each endpoint (its free slots). `controlled`: the
   * dispatcher believes the endpoint is FIFO or throttled, so the claim takes its slow, exact
   * path for it first (store/sql/controlled-claim.ts); a wrong belief costs a statement, never
   * correctness, since the fast path leaves controlled endpoints alone.
   */
  take: { endpoint: string; limit: number; controlled?: boolean }[];
}

/** What a claim leased, and what it learnt about the endpoints it asked for. */
export interface ClaimResult {
  deliveries: Delivery[];
  /**
   * The endpoints asked for that are FIFO or throttled, each with when a claim may next find
   * work for it (its throttle's next tokens, its FIFO head's next attempt), or null when
   * nothing but an event (a result, a wake) can bring any; `at`, the time its throttle's
   * tokens were taken (a throttled delivery must start within domain/rate-limit.ts
   * `startWithinMs` of it).
   */
  controlled: { endpoint: string; retryAt: number | null; at: number }[];
}

/** An endpoint with unleased pending deliveries, and when the earliest of them is due. */
export interface DueEndpoint {
  endpoint: string;
  /** ms epoch; may be in the future (a scheduled retry). */
  due: number;
  /** FIFO or throttled: claimed through the exact path (ClaimOptions `controlled`). */
  controlled: boolean;
}

/** What one attempt did, written with its batch in one transaction. */
export interface DeliveryResult {
  delivery: string;
  /** null when the delivery ends without a request (its endpoint was disabled or deleted meanwhile). */
  attempt: Attempt | null;
  workspace: string;
  live: boolean;
  endpoint: string;
  status: DeliveryStatus;
  nextAttemptAt: number | null;
  /** New etag of the delivery (and of the endpoint, when it is disabled). */
  etag: string;
  /** 410 Gone, or failing for longer than HOOKD_DISABLE_AFTER. */
  disableEndpoint: boolean;
  /** ms epoch: a throttled endpoint answered with Retry-After; its bucket stays empty until then (domain/rate-limit.ts). */
  pauseEndpointUntil?: number;
}

/** `POST /v1/webhooks/endpoints/{id}/replay` (docs/delivery.md, "Replay"). */
export interface ReplayOptions {
  endpoint: string;
  /** Events created in [since, until), ms epoch. */
  since: number;
  until: number;
  /** Patterns as an endpoint's `events`, narrowing its subscription; undefined: all it subscribes to. */
  types?: readonly string[];
  /** Also events with a delivery to the endpoint already, unless this replay (its key) queued them. */
  includeDelivered: boolean;
  /** domain/replay.ts `replayKey()`: stored on every row queued. */
  key: string;
  /** Rows queued at most. */
  limit: number;
  now: number;
}

export interface ReplayResult {
  queued: number;
  /** The limit was reached and more events are left: the same request again queues them. */
  hasMore: boolean;
}

/** The span the dashboard's statistics cover: attempts and deliveries at or after `since`. */
export interface StatsWindow {
  since: number;
  endpoint?: string;
}

export interface EndpointStats {
  endpoint: string;
  attempts: number;
  successful: number;
  /** ms, nearest rank; null without attempts. */
  p95: number | null;
}

/** Attempts that started in one hour (Unix ms of its start), with latency percentiles in ms. */
export interface AttemptHour {
  hour: number;
  attempts: number;
  successful: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/** Deliveries created in one hour, counted by their status now. */
export interface DeliveryHour {
  hour: number;
  status: DeliveryStatus;
  count: number;
}

/** `GET /v1/status`: the backlog and what is failing, in one workspace and mode or the whole store. */
export interface DeliveryHealth {
  pending: number;
  /** When the longest-waiting pending delivery was due (Unix ms); null without pending deliveries. */
  oldestDue: number | null;
  /** Endpoints in a run of failures (enabled, or already disabled by it). */
  failingEndpointCount: number;
  /** The longest-failing first, at most `limit`. */
  failingEndpoints: { id: string; workspace: string; live: boolean; url: string; status: EndpointStatus; failingSince: number }[];
  /** Failed attempts since `since`, newest first, at most `limit`. */
  recentErrors: {
    delivery: string; endpoint: string; event: string; workspace: string; live: boolean; url: string; attempted: number;
    code: number | null; error: string | null; manual: boolean;
  }[];
}

/** The heads of the FIFO queues of the whole store, for /metrics (docs/operations.md). */
export interface FifoHeads {
  /** FIFO endpoints whose head has had an automatic attempt, or whose endpoint is disabled with deliveries waiting. */
  blocked: number;
  /** When the oldest head was created (Unix ms); null without FIFO deliveries pending. */
  oldestCreated: number | null;
}

export interface DeliveryHealthOptions {
  since: number;
  limit: number;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Throws a `store_unavailable` HookdError when the database cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;

  getSetting(name: string): Promise<string | null>;
  /** Writes the value unless one exists; returns the value that is stored afterwards. */
  putSettingIfAbsent(name: string, value: string): Promise<string>;

  createWorkspace(workspace: Workspace, keys: ApiKeyRecord[]): Promise<void>;
  getWorkspace(id: string): Promise<Workspace | null>;
  listWorkspaces(options: ListOptions): Promise<Page<Workspace>>;
  /** Adds new keys, makes the workspace's older keys expire at `oldKeysExpire`, and moves its key generation on by one. */
  rollWorkspaceKeys(id: string, keys: ApiKeyRecord[], oldKeysExpire: number, etag: string, now: number): Promise<Workspace | null>;
  /** Keys in force (not yet expired) at `now`. */
  listApiKeys(workspace: string, now: number): Promise<ApiKeyRecord[]>;
  findApiKey(hash: string): Promise<FoundApiKey | null>;
  /** The key generation of each workspace named that exists (the listen hub checks its sessions with it). */
  keyGenerations(workspaces: string[]): Promise<Map<string, number>>;

  /** Inserts the types that are not there yet (the default catalog); existing ones are left alone. */
  seedEventTypes(types: EventType[]): Promise<void>;
  createEventType(type: EventType): Promise<boolean>;
  getEventType(name: string): Promise<EventType | null>;
  listEventTypes(options: ListOptions): Promise<Page<EventType>>;
  eventTypeNames(): Promise<string[]>;

  createEndpoint(endpoint: Endpoint): Promise<void>;
  getEndpoint(mode: Mode, id: string): Promise<Endpoint | null>;
  listEndpoints(mode: Mode, options: ListOptions): Promise<Page<Endpoint>>;
  countEndpoints(mode: Mode): Promise<number>;
  /** Writes `endpoint` when the stored etag is still `expectedEtag`; false when it is not (or the row is gone). */
  updateEndpoint(endpoint: Endpoint, expectedEtag: string): Promise<boolean>;
  deleteEndpoint(mode: Mode, id: string, expectedEtag: string | undefined, now: number): Promise<boolean>;

  /**
   * Re-seals every stored secret with the current encryption key: endpoints' secrets and
   * tokens, and the kept idempotent answers; returns the rows changed of each.
   */
  reencryptSecrets(): Promise<{ endpoints: number; answers: number }>;

  /** Writes the event and one delivery row per matching enabled endpoint, in one transaction. */
  publishEvent(event: HookdEvent): Promise<PublishResult>;
  getEvent(mode: Mode, id: string): Promise<HookdEvent | null>;
  listEvents(mode: Mode, options: EventListOptions): Promise<Page<HookdEvent>>;
  redactEvent(mode: Mode, id: string, redaction: EventRedaction, etag: string, now: number, expectedEtag?: string): Promise<HookdEvent | null | false>;
  countDeliveries(eventId: string): Promise<number>;

  /**
   * Leases, for each endpoint asked, up to its limit of due deliveries, oldest due first; a
   * FIFO endpoint's head only, and only when none of its deliveries is leased; a throttled
   * endpoint's only as many as its bucket holds tokens for (docs/delivery.md).
   */
  claimDeliveries(options: ClaimOptions): Promise<ClaimResult>;
  /**
   * Every endpoint with unleased pending deliveries, with its earliest due time (past or
   * future). A hint for the dispatcher: where leases live in memory (SQLite) it may also name
   * endpoints whose due rows are all leased.
   */
  dueEndpoints(now: number): Promise<DueEndpoint[]>;
  releaseDeliveries(ids: string[]): Promise<void>;
  /**
   * Calls `onWork` when another process wakes the dispatchers (PostgreSQL LISTEN), with the
   * endpoints that have new work, or null when the wake did not say (too many to name); resolves
   * to a stop function. Absent where one process owns the store (SQLite), which wakes its
   * dispatcher in-process.
   */
  onWake?(onWork: (endpoints: string[] | null) => void): Promise<() => Promise<void>>;
  /** Clears every lease: the owning SQLite process calls it on start. */
  releaseAllLeases(): Promise<number>;
  /** Writes a batch of outcomes in one transaction; returns the endpoints this batch disabled. */
  recordResults(results: DeliveryResult[], now: number): Promise<string[]>;
  /** Unscoped reads for the dispatcher, which works across workspaces. */
  getEventsByIds(ids: string[]): Promise<Map<string, HookdEvent>>;
  getEndpointsByIds(ids: string[]): Promise<Map<string, Endpoint>>;
  listDeliveries(mode: Mode, options: DeliveryListOptions): Promise<Page<Delivery>>;
  getDelivery(mode: Mode, id: string): Promise<Delivery | null>;
  findDelivery(eventId: string, endpointId: string): Promise<Delivery | null>;
  insertDelivery(delivery: Delivery): Promise<void>;
  recoverDeliveries(mode: Mode, endpoint: string, since: number, until: number, now: number): Promise<number>;
  /**
   * Queues, due now, a delivery of each event of the window that matches the endpoint and that it
   * has no delivery of (or, with includeDelivered, none from this replay), in (created, id)
   * order up to the limit; stops early when the endpoint is disabled or deleted meanwhile.
   */
  replayDeliveries(mode: Mode, options: ReplayOptions): Promise<ReplayResult>;
  /** Success rate and p95 latency of each endpoint that had attempts in the window. */
  endpointStats(mode: Mode, window: StatsWindow): Promise<EndpointStats[]>;
  attemptHours(mode: Mode, window: StatsWindow): Promise<AttemptHour[]>;
  deliveryHours(mode: Mode, window: StatsWindow): Promise<DeliveryHour[]>;
  /** Pending deliveries of every workspace and mode: the /metrics backlog gauge. */
  countPendingDeliveries(): Promise<number>;
  /** Endpoints in a run of failures, of every workspace and mode: the /metrics failing-endpoints gauge. */
  countFailingEndpoints(): Promise<number>;
  /** The head (lowest sequence pending) of every FIFO endpoint: the /metrics FIFO gauges. */
  fifoHeads(): Promise<FifoHeads>;
  /** Pending deliveries due by `now` of enabled endpoints with a rate_limit: the /metrics throttle gauge. */
  countThrottledWaiting(now: number): Promise<number>;
  /** `scope` null: the whole store (the platform key alone). */
  deliveryHealth(scope: Mode | null, options: DeliveryHealthOptions): Promise<DeliveryHealth>;
  /**
   * Migrations this process opened the store with that its migration table no longer lists
   * (a restored backup, a hand-edited database): /ready fails while any is missing.
   */
  missingMigrations(): Promise<string[]>;
  /** Deletes events (with their deliveries and attempts) created before `before`, a batch at a time; returns how many events went. */
  pruneBefore(before: number): Promise<number>;

  beginIdempotent(scope: string, key: string, fingerprint: string, now: number, since: number): Promise<IdempotencyBegin>;
  completeIdempotent(scope: string, key: string, response: StoredResponse): Promise<void>;
  abandonIdempotent(scope: string, key: string): Promise<void>;
  pruneIdempotency(before: number): Promise<number>;
}

/**
 * hookd's records as the store keeps them and the API renders them. Times are Unix
 * milliseconds here; the API writes them as ISO 8601 strings.
 */
export type Mode = { workspace: string; live: boolean };

export interface Workspace {
  id: string;
  name: string;
  created: number;
  updated: number;
  etag: string;
  /** How many times its keys were rolled: listen grants carry it, and end when it moves on. */
  keyGeneration: number;
}

export interface ApiKeyRecord {
  hash: string;
  workspace: string;
  live: boolean;
  /** Last four characters, so that a masked key can be recognised. */
  hint: string;
  created: number;
  /** Set when the key was rolled; the key works until then. */
  expires: number | null;
}

export type EndpointFormat = 'basic' | 'cloud_events';
export type EndpointStatus = 'enabled' | 'disabled';

export interface Endpoint {
  id: string;
  workspace: string;
  live: boolean;
  url: string;
  description: string | null;
  format: EndpointFormat;
  status: EndpointStatus;
  events: string[];
  /** Plaintext in memory; encrypted at rest by the store. */
  secret: string;
  token: string | null;
  metadata: Record<string, string>;
  created: number;
  updated: number;
  etag: string;
  /** Rolled secrets that keep signing until `expires` (Unix ms). */
  previousSecrets: { secret: string; expires: number }[];
  /** Start of the current run of failed attempts; null once any attempt succeeds. */
  failingSince: number | null;
  /** ms, entry n the delay before attempt n+1; null: the platform's (HOOKD_RETRY_SCHEDULE). domain/retry-schedule.ts */
  retrySchedule: number[] | null;
  /** 'fifo': one delivery at a time, in the order of the publishes' commits (docs/delivery.md). */
  ordering: EndpointOrdering;
  /** Deliveries per second across all workers, or null for no limit (docs/delivery.md). */
  rateLimit: number | null;
  /** Custom headers sent with every delivery, plaintext in memory, sealed at rest; {} for none (domain/custom-headers.ts). */
  headers: Record<string, string>;
  /** The payload filter an event must match besides `events`, or null (domain/event-filter.ts). */
  filter: EventFilter | null;
  /** Mutual TLS with the receiver: PEM certificate (chain) and its private key (sealed at rest), or null. */
  clientCertificate: ClientCertificate | null;
  /** How `webhook-signature` is signed (docs/delivery.md, "Signatures"). */
  signing: EndpointSigning;
  /** Ed25519 endpoints: the private key (`whsk_…`, sealed at rest) and its public key (`whpk_…`); null for HMAC. */
  signingKey: { privateKey: string; publicKey: string } | null;
  /** Rolled Ed25519 keys that keep signing until `expires` (Unix ms). */
  previousSigningKeys: { privateKey: string; publicKey: string; expires: number }[];
}

export type EndpointOrdering = 'unordered' | 'fifo';
export type EndpointSigning = 'hmac-sha256' | 'ed25519';
/** A JSON filter object as stored: checked by domain/event-filter.ts before it is ever stored. */
export type EventFilter = { [key: string]: unknown };
export interface ClientCertificate {
  certificate: string;
  privateKey: string;
}

export interface EventData {
  object: unknown;
  previous?: unknown;
}

export interface EventRedaction {
  requested: number;
  request: { id: string; idempotency_key: string | null };
}

export interface HookdEvent {
  id: string;
  workspace: string;
  live: boolean;
  type: string;
  data: EventData;
  requestId: string;
  idempotencyKey: string | null;
  redaction: EventRedaction | null;
  created: number;
  updated: number;
  etag: string;
}

export interface EventType {
  name: string;
  description: string;
  /** JSON Schema that published `data.object` must satisfy, or null. */
  schema: Record<string, unknown> | null;
  builtin: boolean;
  created: number;
  updated: number;
  etag: string;
}

/** A position in a list: the last row of a page, ordered by (created, key). */
export interface Cursor {
  created: number;
  key: string;
}

export interface CreatedFilter {
  eq?: number;
  lt?: number;
  lte?: number;
  gt?: number;
  gte?: number;
}

export interface ListOptions {
  limit: number;
  sort: 'asc' | 'desc';
  after?: Cursor;
  created?: CreatedFilter;
  /** The same filter on the `updated` time (Falu's `updated.*` list options). */
  updated?: CreatedFilter;
}

export interface Page<T> {
  items: T[];
  /** The last item's position when more rows follow, else null. */
  next: Cursor | null;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface Attempt {
  id: string;
  delivery: string;
  manual: boolean;
  url: string;
  /** Unix ms when the request started. */
  attempted: number;
  /** The body sent, cut at 16 KiB. */
  request: string;
  /** HTTP status, or null when no answer came. */
  code: number | null;
  /** The answer's body, cut at 16 KiB. */
  response: string | null;
  /** ms from start to the end of the answer (or the failure). */
  time: number;
  successful: boolean;
  /** Why no usable answer came: timeout, refused address, connection error. */
  error: string | null;
}

export interface Delivery {
  id: string;
  event: string;
  endpoint: string;
  workspace: string;
  live: boolean;
  type: string;
  status: DeliveryStatus;
  /** Automatic attempts made in the current schedule. */
  attemptCount: number;
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
  created: number;
  updated: number;
  etag: string;
  attempts: Attempt[];
  /** Queued by a replay of what the endpoint missed (docs/delivery.md, "Replay"), not by the event's publish. */
  replayed: boolean;
  /** Its place in its endpoint's FIFO order; null when it was queued for an unordered endpoint. */
  sequence: number | null;
  /** Read with the record, for a FIFO delivery only: the head it waits behind, while it waits. */
  waitingBehind?: string | null;
  /** Read with the record, for a FIFO delivery only: the one before it in order, when that one failed. */
  followsGivenUp?: string | null;
}

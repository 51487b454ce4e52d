/**
 * Table shapes for kysely, the same in SQLite and PostgreSQL: times are bigint Unix ms,
 * booleans are 0/1 integers and JSON is text, so one set of queries serves both dialects.
 */
import type { Generated } from 'kysely';

export interface SettingsTable { name: string; value: string }

export interface WorkspacesTable { id: string; name: string; created: number; updated: number; etag: string; key_generation: number }

export interface ApiKeysTable {
  hash: string; workspace: string; live: number; hint: string; created: number; expires: number | null;
}

export interface EventTypesTable {
  name: string; description: string; schema: string | null; builtin: number; created: number; updated: number; etag: string;
}

export interface EndpointsTable {
  id: string; workspace: string; live: number; url: string; description: string | null; format: string; status: string;
  events: string; secret: string; token: string | null; metadata: string; created: number; updated: number; etag: string;
  previous_secrets: string | null; failing_since: number | null;
  /** JSON array of ms, or NULL for the platform's schedule. */
  retry_schedule: string | null;
  /** 'unordered' or 'fifo' (docs/delivery.md). */
  ordering: string;
  /** Deliveries per second, or NULL for no limit. */
  rate_limit: number | null;
  /** The last place given in the endpoint's FIFO order; the dispatcher's, never written by the API. */
  last_sequence: Generated<number>;
  /** The throttle's bucket, the dispatcher's: tokens held at throttle_at (ms); NULL before the first claim. */
  throttle_tokens: Generated<number | null>;
  throttle_at: Generated<number | null>;
  /** Sealed JSON map of custom header names to values, or NULL for none. */
  headers: Generated<string | null>;
  /** The JSON payload filter (domain/event-filter.ts), or NULL for none. */
  filter: Generated<string | null>;
  /** Mutual TLS: the PEM certificate (plain) and its sealed PEM private key, both or neither. */
  client_certificate: Generated<string | null>;
  client_key: Generated<string | null>;
  /** 'hmac-sha256' or 'ed25519' (docs/delivery.md, "Signatures"). */
  signing: Generated<string>;
  /** Ed25519: the sealed private key, its public key (whpk_…) and the sealed JSON of rolled keys still signing. */
  signing_key: Generated<string | null>;
  public_key: Generated<string | null>;
  previous_signing_keys: Generated<string | null>;
}

export interface EventsTable {
  id: string; workspace: string; live: number; type: string; data: string; request_id: string; idempotency_key: string | null;
  redaction: string | null; created: number; updated: number; etag: string;
}

export interface DeliveriesTable {
  id: string; event: string; endpoint: string; workspace: string; live: number; type: string; status: string;
  attempts: Generated<number>; next_attempt_at: number | null; locked_until: number | null; created: number; updated: number; etag: string;
  last_attempt_at: number | null;
  /** The replay key of the replay that queued the row (resources/endpoints/replay-queries.ts); null for a publish's rows. */
  replay: string | null;
  /** Its place in a FIFO endpoint's order (docs/delivery.md); NULL for an unordered delivery. */
  sequence: number | null;
}

export interface AttemptsTable {
  id: string; delivery: string; workspace: string; live: number; manual: number; url: string; attempted: number; request: string;
  code: number | null; response: string | null; time: number; successful: number; error: string | null;
}

export interface IdempotencyKeysTable {
  scope: string; key: string; fingerprint: string; status: number | null; headers: string | null; body: string | null; created: number;
}

export interface Database {
  settings: SettingsTable;
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  event_types: EventTypesTable;
  endpoints: EndpointsTable;
  events: EventsTable;
  deliveries: DeliveriesTable;
  attempts: AttemptsTable;
  idempotency_keys: IdempotencyKeysTable;
}

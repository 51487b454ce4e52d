/** The API's objects as the dashboard reads them (docs/api.md, docs/delivery.md). */
export interface Endpoint {
  id: string;
  created: string;
  updated: string;
  format: 'basic' | 'cloud_events';
  secret: string;
  workspace: string;
  live: boolean;
  etag: string;
  events: string[];
  description: string | null;
  status: 'enabled' | 'disabled';
  url: string;
  token: string | null;
  metadata: Record<string, string>;
}

export interface HookdEvent {
  id: string;
  created: string;
  type: string;
  data: { object: unknown; previous?: unknown };
  request: { id: string; idempotency_key: string | null };
  redaction: unknown;
  workspace: string;
  live: boolean;
}

export interface Attempt {
  manual: boolean;
  url: string;
  attempted: string;
  request: string;
  code: number | null;
  response: string | null;
  time: number;
  successful: boolean;
  error: string | null;
}

export interface Delivery {
  id: string;
  created: string;
  type: string;
  event: string;
  endpoint: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: Attempt[];
  next: { scheduled: string } | null;
}

export interface EventType {
  name: string;
  description: string;
}

export interface EndpointStats {
  endpoint: string;
  attempts: number;
  successful: number;
  success_rate: number | null;
  p95: number | null;
}

export interface HourStats {
  hour: string;
  deliveries: { succeeded: number; failed: number; pending: number };
  attempts: number;
  successful: number;
  latency: { p50: number | null; p90: number | null; p99: number | null };
}

/**
 * What identifies a replay (docs/delivery.md, "Replay"): the key stored on the deliveries it
 * queues, so that the same request made again queues nothing it already queued.
 */
import { createHash } from 'node:crypto';

export interface ReplayRequest {
  endpoint: string;
  /** ms epoch. */
  since: number;
  /** Patterns as an endpoint's `events`; undefined: every type the endpoint subscribes to. */
  types?: readonly string[];
  includeDelivered: boolean;
}

/**
 * `until` is not part of the key: left out it means "now", which moves between two calls, and
 * a wider window made later should queue only what the narrower one did not. Types are sorted
 * and deduplicated, so their order does not make a different replay.
 */
export function replayKey(request: ReplayRequest): string {
  const types = request.types === undefined ? null : [...new Set(request.types)].sort();
  const normalised = JSON.stringify([request.endpoint, request.since, types, request.includeDelivered]);
  return `rp_${createHash('sha256').update(normalised).digest('hex').slice(0, 32)}`;
}

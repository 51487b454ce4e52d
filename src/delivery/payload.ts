/**
 * The bytes a delivery carries (docs/delivery.md). `basic` is the event object; `cloud_events` is
 * CloudEvents 1.0 structured JSON. The body is serialised once per attempt and that exact
 * string is both signed and sent: a receiver must verify the raw bytes, never a re-serialised
 * parse.
 */
import type { EndpointFormat, HookdEvent } from '../domain/types.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function basicPayload(event: HookdEvent) {
  return {
    id: event.id,
    type: event.type,
    created: iso(event.created),
    data: event.data,
    request: { id: event.requestId, idempotency_key: event.idempotencyKey },
    workspace: event.workspace,
    live: event.live,
  };
}

export function cloudEventsPayload(event: HookdEvent, typePrefix: string) {
  return {
    specversion: '1.0',
    id: event.id,
    time: iso(event.created),
    // A URI-reference naming the producer's context: the workspace the event belongs to.
    source: `/workspaces/${event.workspace}`,
    type: `${typePrefix}${event.type}`,
    datacontenttype: 'application/json',
    workspace: event.workspace,
    live: event.live,
    data: event.data,
  };
}

/**
 * Bodies already built, per event object. The dispatcher reads each event once per claim, and
 * the deliveries of one event claimed together (up to its fan-out) share that object, so they
 * share one string instead of serialising the event each (and the attempts that keep the body
 * keep one copy). Event objects are never changed in place: a redaction reads a new one.
 */
const built = new WeakMap<HookdEvent, Map<string, string>>();

export function serialisePayload(event: HookdEvent, format: EndpointFormat, typePrefix: string): string {
  const key = format === 'cloud_events' ? `ce:${typePrefix}` : 'basic';
  const bodies = built.get(event);
  const known = bodies?.get(key);
  if (known !== undefined) return known;
  const body = JSON.stringify(format === 'cloud_events' ? cloudEventsPayload(event, typePrefix) : basicPayload(event));
  if (bodies) bodies.set(key, body);
  else built.set(event, new Map([[key, body]]));
  return body;
}

/**
 * What travels on the listen socket (docs/api.md, "Falu's CLI"): the event message hookd sends,
 * and the one message a client may send, a subscription. Pure, so every rule has a table test
 * (messages.test.ts); the routes check a subscription's types against the catalog.
 */
import type { HookdEvent } from '../domain/types.js';
import { renderEvent } from '../resources/events/shape.js';
import type { ListenGrant } from './grant.js';

/**
 * Bytes of one message Falu's CLI can read: it receives into a 10 KiB buffer and cannot join a
 * longer message (it skips the first part, then fails to parse the rest and stops).
 */
export const FALU_CLI_MESSAGE_MAX = 10 * 1024;
/** Bytes a WebSocket close reason may hold (RFC 6455: 125 for the frame, 2 of them the code). */
const CLOSE_REASON_MAX = 123;
const TYPES_MAX = 100;
const TYPE_LENGTH_MAX = 100;

/**
 * `{type: "event", object}`. Over `maxBytes`, the object goes without its `data` (`{object:
 * null}`): Falu's CLI prints only the type and id, and could not read the whole message.
 */
export function eventMessage(event: HookdEvent, maxBytes = Infinity): string {
  const object = renderEvent(event);
  const whole = JSON.stringify({ type: 'event', object });
  if (Buffer.byteLength(whole) <= maxBytes) return whole;
  return JSON.stringify({ type: 'event', object: { ...object, data: { object: null } } });
}

export type Subscribe = { types: string[] } | { refused: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;

function unknownKey(o: Record<string, unknown>, allowed: readonly string[], where: string): string | null {
  const extra = Object.keys(o).find((k) => !allowed.includes(k));
  return extra === undefined ? null : `${where}${extra} is not a field hookd knows`;
}

/**
 * A client message, as the Falu CLI versions that subscribe send it: `{type: "subscribe_events",
 * filters: {events: {types}}, workspace, live}`. The types (empty: every type) or why the
 * message is refused; `workspace` and `live`, when sent, must be the grant's own.
 */
export function parseSubscribe(text: string, grant: Pick<ListenGrant, 'workspace' | 'live'>): Subscribe {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { refused: 'messages must be JSON, such as {"type":"subscribe_events"}' };
  }
  if (!isObject(message) || typeof message.type !== 'string') return { refused: 'a message must be an object with a string type' };
  const { type, filters, workspace, live } = message;
  if (type !== 'subscribe_events') {
    return { refused: type.startsWith('subscribe_') ? `hookd streams events only, not ${type}` : `unknown message type ${type}; hookd accepts subscribe_events` };
  }
  const extra = unknownKey(message, ['type', 'filters', 'workspace', 'live'], '');
  if (extra) return { refused: extra };
  if (!absent(workspace) && workspace !== grant.workspace) return { refused: 'workspace must be the one the token was negotiated for' };
  if (!absent(live) && live !== grant.live) return { refused: `live must be ${grant.live}, the mode the token was negotiated for` };
  if (absent(filters)) return { types: [] };
  if (!isObject(filters)) return { refused: 'filters must be an object' };
  const filtersExtra = unknownKey(filters, ['events', 'logs'], 'filters.');
  if (filtersExtra) return { refused: filtersExtra };
  if (!absent(filters.logs)) return { refused: 'filters.logs: hookd streams events only' };
  const events = filters.events;
  if (absent(events)) return { types: [] };
  if (!isObject(events)) return { refused: 'filters.events must be an object' };
  const eventsExtra = unknownKey(events, ['types'], 'filters.events.');
  if (eventsExtra) return { refused: eventsExtra };
  const types = events.types;
  if (absent(types)) return { types: [] };
  if (!Array.isArray(types) || types.length > TYPES_MAX || !types.every((t) => typeof t === 'string' && t.length > 0 && t.length <= TYPE_LENGTH_MAX)) {
    return { refused: `filters.events.types must be a list of at most ${TYPES_MAX} event types` };
  }
  return { types: types as string[] };
}

/** `text` cut to what a close frame holds, whole characters only. */
export function closeReason(text: string): string {
  // A code point is at least one byte: no more than CLOSE_REASON_MAX of them can fit.
  let reason = [...text].slice(0, CLOSE_REASON_MAX).join('');
  while (Buffer.byteLength(reason) > CLOSE_REASON_MAX) reason = [...reason].slice(0, -1).join('');
  return reason;
}

import { describe, expect, it } from 'vitest';
import type { HookdEvent } from '../domain/types.js';
import { closeReason, eventMessage, FALU_CLI_MESSAGE_MAX, parseSubscribe } from './messages.js';

const event = (object: Record<string, unknown>): HookdEvent => ({
  id: 'evt_1', workspace: 'wksp_a', live: false, type: 'payment.succeeded', data: { object }, requestId: 'req_1',
  idempotencyKey: null, redaction: null, created: 0, updated: 0, etag: 'e',
});

describe('eventMessage', () => {
  it('sends the whole event when it fits', () => {
    const message = JSON.parse(eventMessage(event({ id: 'pa_1', amount: 100 }), FALU_CLI_MESSAGE_MAX));
    expect(message).toMatchObject({ type: 'event', object: { id: 'evt_1', type: 'payment.succeeded', data: { object: { id: 'pa_1', amount: 100 } } } });
  });

  it('sends an event over the limit without its data, within the limit', () => {
    const big = event({ note: 'x'.repeat(FALU_CLI_MESSAGE_MAX) });
    const text = eventMessage(big, FALU_CLI_MESSAGE_MAX);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(FALU_CLI_MESSAGE_MAX);
    expect(JSON.parse(text)).toMatchObject({ type: 'event', object: { id: 'evt_1', type: 'payment.succeeded', data: { object: null }, request: { id: 'req_1' } } });
    // hookd's own protocol has no limit.
    expect(JSON.parse(eventMessage(big)).object.data.object.note).toHaveLength(FALU_CLI_MESSAGE_MAX);
  });

  it('counts bytes, not characters', () => {
    // 4,000 three-byte characters: 4,000 characters but 12,000 bytes.
    expect(JSON.parse(eventMessage(event({ note: '€'.repeat(4_000) }), FALU_CLI_MESSAGE_MAX)).object.data.object).toBeNull();
  });
});

describe('parseSubscribe', () => {
  const grant = { workspace: 'wksp_a', live: false };
  it.each([
    ['the oldest CLI\'s message', { type: 'subscribe_events', filters: { logs: null, events: { types: ['payment.*'] } }, workspace: 'wksp_a', live: false }, ['payment.*']],
    ['no types (every type)', { type: 'subscribe_events', filters: { events: { types: null } }, workspace: 'wksp_a', live: false }, []],
    ['no filters', { type: 'subscribe_events' }, []],
    ['filters null', { type: 'subscribe_events', filters: null }, []],
    ['events null', { type: 'subscribe_events', filters: { events: null } }, []],
    ['workspace and live null', { type: 'subscribe_events', workspace: null, live: null }, []],
  ])('accepts %s', (_name, message, types) => {
    expect(parseSubscribe(JSON.stringify(message), grant)).toEqual({ types });
  });

  it.each([
    ['not JSON', 'subscribe', /must be JSON/],
    ['an array', '[]', /object with a string type/],
    ['no type', '{}', /object with a string type/],
    ['another topic', '{"type":"subscribe_request_logs"}', /events only, not subscribe_request_logs/],
    ['an unknown type', '{"type":"ping"}', /unknown message type ping/],
    ['another workspace', '{"type":"subscribe_events","workspace":"wksp_b"}', /workspace must be the one/],
    ['the other mode', '{"type":"subscribe_events","live":true}', /live must be false/],
    ['an unknown field', '{"type":"subscribe_events","topic":"x"}', /^topic is not a field/],
    ['filters not an object', '{"type":"subscribe_events","filters":[]}', /filters must be an object/],
    ['an unknown filter', '{"type":"subscribe_events","filters":{"types":["a.b"]}}', /filters.types is not a field/],
    ['a logs filter', '{"type":"subscribe_events","filters":{"logs":{"paths":["/"]}}}', /filters.logs: hookd streams events only/],
    ['events not an object', '{"type":"subscribe_events","filters":{"events":["a.b"]}}', /filters.events must be an object/],
    ['an unknown events field', '{"type":"subscribe_events","filters":{"events":{"names":[]}}}', /filters.events.names is not a field/],
    ['types not a list', '{"type":"subscribe_events","filters":{"events":{"types":"a.b"}}}', /types must be a list/],
    ['a type not a string', '{"type":"subscribe_events","filters":{"events":{"types":[1]}}}', /types must be a list/],
    ['an empty type', '{"type":"subscribe_events","filters":{"events":{"types":[""]}}}', /types must be a list/],
    ['too many types', JSON.stringify({ type: 'subscribe_events', filters: { events: { types: Array.from({ length: 101 }, (_, i) => `t.${i}`) } } }), /at most 100/],
  ])('refuses %s', (_name, text, reason) => {
    const result = parseSubscribe(text, grant);
    expect(result).toHaveProperty('refused');
    expect((result as { refused: string }).refused).toMatch(reason);
  });
});

describe('closeReason', () => {
  it.each([
    ['short', 'short'],
    ['x'.repeat(200), 'x'.repeat(123)],
    ['€'.repeat(50), '€'.repeat(41)],
  ])('cuts %j to whole characters within 123 bytes', (text, expected) => {
    expect(closeReason(text)).toBe(expected);
    expect(Buffer.byteLength(closeReason(text))).toBeLessThanOrEqual(123);
  });
});

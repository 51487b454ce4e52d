import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { HookdEvent } from '../domain/types.js';
import type { Store } from '../store/types.js';
import { CLOSE_EXPIRED, CLOSE_REVOKED } from './grant.js';
import { createHub, type Session } from './hub.js';

/** Just what the hub reads on SQLite: the key generations (a roll elsewhere is a number moving on). */
function fakeStore(generations: Map<string, number>): Store {
  return { dialect: 'sqlite', keyGenerations: async (ids: string[]) => new Map(ids.filter((id) => generations.has(id)).map((id) => [id, generations.get(id)!])) } as unknown as Store;
}

function session(workspace: string, over: Partial<Session> = {}): Session & { closedWith: Promise<number> } {
  let closed!: (code: number) => void;
  const closedWith = new Promise<number>((r) => (closed = r));
  return { mode: { workspace, live: false }, events: [], keyGeneration: 0, expires: Number.MAX_SAFE_INTEGER, send: () => undefined, close: (code) => closed(code), closedWith, ...over };
}

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms).unref())]);

describe('listen hub', () => {
  const log = pino({ level: 'silent' });

  it('ends a session once the store shows a newer key generation, though no roll happened in this process', async () => {
    const generations = new Map([['wksp_a', 0], ['wksp_b', 0]]);
    const hub = createHub({ store: fakeStore(generations), clock: { now: () => 0 }, log, maxSessionsPerMode: 10 });
    const a = session('wksp_a');
    const b = session('wksp_b');
    hub.add(a);
    hub.add(b);
    generations.set('wksp_a', 1);
    expect(await within(a.closedWith, 5_000)).toBe(CLOSE_REVOKED);
    expect(hub.count({ workspace: 'wksp_b', live: false })).toBe(1);
    hub.close();
  });

  it('ends a session when the clock passes its expiry, and sends it nothing after', async () => {
    let now = 0;
    const hub = createHub({ store: fakeStore(new Map([['wksp_a', 0]])), clock: { now: () => now }, log, maxSessionsPerMode: 10 });
    const sent: string[] = [];
    const s = session('wksp_a', { expires: 1_000, send: (m) => sent.push(m) });
    hub.add(s);
    now = 1_000;
    hub.publish({ id: 'evt_1', workspace: 'wksp_a', live: false, type: 'payment.succeeded', data: { object: {} }, requestId: 'req_1', idempotencyKey: null, redaction: null, created: 0, updated: 0, etag: 'e' });
    expect(sent).toEqual([]);
    expect(await within(s.closedWith, 5_000)).toBe(CLOSE_EXPIRED);
    hub.close();
  });

  it('revoke ends the workspace\'s sessions of older generations at once', () => {
    const hub = createHub({ store: fakeStore(new Map()), clock: { now: () => 0 }, log, maxSessionsPerMode: 10 });
    const codes: number[] = [];
    hub.add(session('wksp_a', { close: (c) => codes.push(c) }));
    hub.add(session('wksp_a', { keyGeneration: 1, close: (c) => codes.push(c + 1) }));
    hub.revoke('wksp_a', 1);
    expect(codes).toEqual([CLOSE_REVOKED]);
    expect(hub.size).toBe(1);
    hub.close();
  });

  const published = (id: string, type: string): HookdEvent => ({
    id, workspace: 'wksp_a', live: false, type, data: { object: {} }, requestId: 'req_1', idempotencyKey: null, redaction: null, created: 0, updated: 0, etag: 'e',
  });
  const ids = (sent: string[]) => sent.map((m) => (JSON.parse(m) as { object: { id: string } }).object.id);

  it('sends a session that awaits a subscription nothing before it, then what it subscribed to within the grant\'s filter', () => {
    const hub = createHub({ store: fakeStore(new Map()), clock: { now: () => 0 }, log, maxSessionsPerMode: 10 });
    const sent: string[] = [];
    const handle = hub.add(session('wksp_a', { events: ['payment.*'], awaitsSubscription: true, send: (m) => sent.push(m) }));
    hub.publish(published('evt_1', 'payment.succeeded'));
    handle.subscribe(['payment.succeeded', 'customer.created']);
    hub.publish(published('evt_2', 'payment.succeeded'));
    hub.publish(published('evt_3', 'payment.failed'));
    hub.publish(published('evt_4', 'customer.created'));
    handle.subscribe([]);
    hub.publish(published('evt_5', 'payment.failed'));
    expect(ids(sent)).toEqual(['evt_2', 'evt_5']);
    hub.close();
  });

  it('streams at once to a session that does not await a subscription, and a subscription narrows it', () => {
    const hub = createHub({ store: fakeStore(new Map()), clock: { now: () => 0 }, log, maxSessionsPerMode: 10 });
    const sent: string[] = [];
    const handle = hub.add(session('wksp_a', { send: (m) => sent.push(m) }));
    hub.publish(published('evt_1', 'payment.succeeded'));
    handle.subscribe(['customer.*']);
    hub.publish(published('evt_2', 'payment.succeeded'));
    hub.publish(published('evt_3', 'customer.created'));
    expect(ids(sent)).toEqual(['evt_1', 'evt_3']);
    handle.remove();
    expect(hub.size).toBe(0);
    hub.close();
  });

  it('keeps a session\'s messages within its maxMessageBytes', () => {
    const hub = createHub({ store: fakeStore(new Map()), clock: { now: () => 0 }, log, maxSessionsPerMode: 10 });
    const sent: string[] = [];
    hub.add(session('wksp_a', { maxMessageBytes: 1_000, send: (m) => sent.push(m) }));
    hub.publish({ ...published('evt_1', 'payment.succeeded'), data: { object: { note: 'x'.repeat(2_000) } } });
    expect(Buffer.byteLength(sent[0]!)).toBeLessThanOrEqual(1_000);
    expect(JSON.parse(sent[0]!)).toMatchObject({ type: 'event', object: { id: 'evt_1', data: { object: null } } });
    hub.close();
  });
});

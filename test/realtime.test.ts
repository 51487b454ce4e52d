/**
 * The listen channel over a real socket: negotiate, connect with the Falu devproxy subprotocol,
 * receive exactly the matching events of one workspace and mode; refusals are plain HTTP
 * problems before the upgrade.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';
import { openListenSocket as open, PROTOCOL, type ListenSocket } from './listen-socket.js';
import { sleep, until } from './wait.js';

describe('listen channel', () => {
  let h: TestHookd;
  let base: string;
  let ws: { id: string; test: string; live: string };
  beforeAll(async () => {
    h = await startHookd({ maxListenSessions: 2 });
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = address.replace('http', 'ws');
    ws = await h.workspace();
  });
  afterAll(async () => h.close());

  async function negotiate(key: string, body?: unknown) {
    const res = await h.call('POST', '/v1/realtime/negotiate/events', { key, body });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { url: string; expires: string; token: string; workspace: string; live: boolean };
  }

  it('negotiates a grant and streams the matching events of its workspace and mode', async () => {
    const grant = await negotiate(ws.test, { events: ['payment.*'] });
    expect(grant).toMatchObject({ workspace: ws.id, live: false, url: 'ws://localhost:8080/v1/realtime/events' });
    expect(Date.parse(grant.expires) - h.clock.now()).toBe(3_600_000);
    const { ws: socket, messages } = await open(`${base}/v1/realtime/events`, grant.token);
    expect(socket.protocol).toBe(PROTOCOL);
    const other = await h.workspace('Other');
    const sent = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { n: 1 } } } });
    await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'customer.created', data: { object: {} } } });
    await h.call('POST', '/v1/events', { key: ws.live, body: { type: 'payment.succeeded', data: { object: {} } } });
    await h.call('POST', '/v1/events', { key: other.test, body: { type: 'payment.succeeded', data: { object: {} } } });
    await until('the matching event arrives', () => messages.length > 0, 10_000, 20);
    // Time for any of the three that must not arrive to show up (the publishes after the first).
    await sleep(100);
    expect(messages).toEqual([{ type: 'event', object: sent.json() }]);
    socket.close();
  });

  it('refuses a missing or forged token, a missing subprotocol, and bad filters', async () => {
    await expect(open(`${base}/v1/realtime/events`, null)).rejects.toThrow();
    await expect(open(`${base}/v1/realtime/events`, 'forged.token')).rejects.toThrow();
    const grant = await negotiate(ws.test);
    await expect(open(`${base}/v1/realtime/events`, grant.token, ['another.protocol'])).rejects.toThrow();
    const res = await h.call('GET', '/v1/realtime/events', { key: null, headers: { authorization: `Bearer ${grant.token}` } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    const bad = await h.call('POST', '/v1/realtime/negotiate/events', { key: ws.test, body: { events: ['nope.*'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.events[0]).toMatch(/covers no event type/);
  });

  /** The upgrade request as the WebSocket client sends it, through inject: its refusal's status is readable. */
  function connect(token: string) {
    return h.call('GET', '/v1/realtime/events', {
      key: null,
      headers: { authorization: `Bearer ${token}`, upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': PROTOCOL },
    });
  }

  it('caps concurrent sessions per workspace and mode (HOOKD_MAX_LISTEN_SESSIONS): a full test mode leaves live mode its own', async () => {
    const grant = await negotiate(ws.test);
    const a = await open(`${base}/v1/realtime/events`, grant.token);
    const b = await open(`${base}/v1/realtime/events`, grant.token);
    const live = await open(`${base}/v1/realtime/events`, (await negotiate(ws.live)).token);
    expect(live.ws.protocol).toBe(PROTOCOL);
    const refused = await connect(grant.token);
    expect(refused.statusCode, refused.body).toBe(429);
    expect(refused.json().detail).toMatch(/2 listen sessions at once in test mode/);
    await expect(open(`${base}/v1/realtime/events`, grant.token)).rejects.toThrow();

    a.ws.close();
    b.ws.close();
    live.ws.close();
    await a.waitForClose(5_000);
    await b.waitForClose(5_000);
    await live.waitForClose(5_000);
    // The client sees its close before the server has let the session go: try until it has.
    let c: ListenSocket | null = null;
    await until('a closed session makes room', async () => (c = await open(`${base}/v1/realtime/events`, grant.token).catch(() => null)) !== null, 5_000, 50);
    c!.ws.close();
  });
});

/**
 * `falu events listen` (Falu's CLI) against hookd, unchanged: its requests replayed byte for byte
 * over real sockets, as each version sends them (docs/api.md, "Falu's CLI"). The negotiation is
 * the body .NET's JsonContent writes (chunked, `application/json; charset=utf-8`); the socket is
 * opened as ClientWebSocket opens it (the devproxy subprotocol, no compression, the token in
 * Authorization, X-Negotiated-State from the newest versions); the older versions then send
 * their subscribe message. hookd's own protocol keeps working in the same server.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHookd, type TestHookd } from './helpers.js';
import { openListenSocket } from './listen-socket.js';
import { until, untilValue } from './wait.js';

const PROTOCOL = 'json.devproxy.falu.v1';
/** Bytes of the buffer the newest CLI receives a message into (src/realtime/messages.ts). */
const CLI_BUFFER = 10 * 1024;
const WAIT = 10_000;

interface Negotiation { type: string; url: string; expires: string; token: string; state: string; workspace: string; live: boolean }
interface Message { type: string; object: { id: string; type: string; data: { object: unknown } } }

/** A POST as the CLI's HttpClient sends it: its headers, and the JSON body chunked (JsonContent has no length). */
function post(origin: string, path: string, key: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, origin);
    const req = httpRequest({
      method: 'POST', host: url.hostname, port: url.port, path: url.pathname,
      headers: {
        'Authorization': `Bearer ${key}`,
        'User-Agent': 'falucli/1.0.0',
        'X-Falu-Version': '2024-06-01',
        'Content-Type': 'application/json; charset=utf-8',
        'Transfer-Encoding': 'chunked',
      },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.write(body);
    req.end();
  });
}

interface CliSocket {
  ws: WebSocket;
  messages: Message[];
  /** Every message's size in bytes, as the CLI's buffer sees it. */
  sizes: number[];
  closed: { code: number; reason: string } | null;
}

/** Opens the socket as ClientWebSocket does; resolves once open, rejects with the refusal's status. */
function connect(url: string, headers: Record<string, string>): Promise<CliSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [PROTOCOL], { headers, perMessageDeflate: false });
    const socket: CliSocket = { ws, messages: [], sizes: [], closed: null };
    ws.on('message', (data: Buffer) => {
      socket.sizes.push(data.length);
      socket.messages.push(JSON.parse(data.toString('utf8')) as Message);
    });
    ws.on('close', (code, reason) => (socket.closed = { code, reason: reason.toString('utf8') }));
    ws.on('open', () => resolve(socket));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

const closed = async (socket: CliSocket) => untilValue('the server closed the socket', () => socket.closed ?? undefined, WAIT, 20);

describe('falu events listen against hookd', () => {
  let h: TestHookd;
  let origin: string;
  let socketUrl: string;
  let ws: { id: string; test: string; live: string };
  beforeAll(async () => {
    h = await startHookd();
    origin = await h.app.listen({ port: 0, host: '127.0.0.1' });
    socketUrl = `${origin.replace('http', 'ws')}/v1/realtime/events`;
    ws = await h.workspace();
  });
  afterAll(async () => h.close());

  async function publish(type: string, object: Record<string, unknown> = {}, key = ws.test) {
    const res = await h.call('POST', '/v1/events', { key, body: { type, data: { object } } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as Message['object'];
  }

  it('the newest CLI: negotiates with ttl and filters.types, connects with the state, and reads each event', async () => {
    const res = await post(origin, '/v1/realtime/negotiate/events', ws.test, '{"ttl":"PT60M","filters":{"types":["payment.*"]}}');
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const negotiation = res.json as unknown as Negotiation;
    expect(Object.keys(negotiation).sort()).toEqual(['expires', 'live', 'state', 'token', 'type', 'url', 'workspace']);
    expect(negotiation).toMatchObject({ type: 'events', workspace: ws.id, live: false, url: 'ws://localhost:8080/v1/realtime/events', state: expect.any(String) });
    expect(Date.parse(negotiation.expires)).toBe(h.clock.now() + 3_600_000);

    const socket = await connect(socketUrl, { 'Authorization': `Bearer ${negotiation.token}`, 'X-Negotiated-State': negotiation.state });
    expect(socket.ws.protocol).toBe(PROTOCOL);
    await publish('customer.created');
    const sent = await publish('payment.succeeded', { id: 'pa_1', amount: 100 });
    await until('the event reached the CLI', () => socket.messages.length > 0, WAIT, 20);
    // The customer.created published first would have arrived first: the filter held it back.
    expect(socket.messages).toEqual([{ type: 'event', object: sent }]);

    // An event too large for the CLI's buffer arrives without its data, still one message it reads.
    const large = await publish('payment.failed', { id: 'pa_2', note: 'x'.repeat(CLI_BUFFER) });
    await until('the large event reached the CLI', () => socket.messages.length > 1, WAIT, 20);
    expect(socket.messages[1]).toEqual({ type: 'event', object: { ...large, data: { object: null } } });
    expect(Math.max(...socket.sizes)).toBeLessThanOrEqual(CLI_BUFFER);

    // A key roll ends the session as it ends hookd's own (docs/security.md, "Listen grants").
    const roll = await h.call('POST', `/v1/workspaces/${ws.id}/keys/roll`);
    expect(roll.statusCode, roll.body).toBe(200);
    ws = { ...ws, ...(roll.json() as { keys: { test: string; live: string } }).keys };
    expect(await closed(socket)).toMatchObject({ code: 4003 });
  });

  it('the newest CLI without --event-type: filters {} streams every type; a longer ttl is cut to the grant\'s hour', async () => {
    const res = await post(origin, '/v1/realtime/negotiate/events', ws.test, '{"ttl":"PT2H","filters":{}}');
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const negotiation = res.json as unknown as Negotiation;
    expect(Date.parse(negotiation.expires)).toBe(h.clock.now() + 3_600_000);
    const socket = await connect(socketUrl, { 'Authorization': `Bearer ${negotiation.token}`, 'X-Negotiated-State': negotiation.state });
    const sent = await publish('customer.created');
    await until('the event reached the CLI', () => socket.messages.length > 0, WAIT, 20);
    expect(socket.messages).toEqual([{ type: 'event', object: sent }]);
    socket.ws.close();
  });

  it('refuses a bad negotiation with a problem naming the field', async () => {
    const cases: [string, string, string][] = [
      ['/v1/realtime/negotiate/events', '{"ttl":"PT30S","filters":{}}', 'ttl'],
      ['/v1/realtime/negotiate/events', '{"ttl":"an hour","filters":{}}', 'ttl'],
      ['/v1/realtime/negotiate/events', '{"ttl":"PT1H","filters":{"types":["nope.*"]}}', 'filters.types'],
      ['/v1/realtime/negotiate/events', '{"events":["payment.*"],"filters":{"types":["payment.*"]}}', 'events'],
      ['/v1/realtime/negotiate', '{"purpose":"logs","ttl":"PT1H"}', 'purpose'],
    ];
    for (const [path, body, field] of cases) {
      const res = await post(origin, path, ws.test, body);
      expect(res.status, body).toBe(400);
      expect(Object.keys(res.json.errors as object), body).toEqual([field]);
    }
  });

  it('an older CLI: negotiates with purpose, sends the bare token, and receives only what it subscribed to, from its subscription on', async () => {
    const res = await post(origin, '/v1/realtime/negotiate', ws.test, '{"type":null,"purpose":"events","ttl":"PT1H"}');
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const negotiation = res.json as unknown as Negotiation;
    expect(negotiation).toMatchObject({ type: 'events', workspace: ws.id, live: false, url: 'ws://localhost:8080/v1/realtime/events' });

    const socket = await connect(socketUrl, { 'Authorization': negotiation.token });
    const before = await publish('payment.succeeded');
    socket.ws.send(JSON.stringify({ type: 'subscribe_events', filters: { logs: null, events: { types: ['payment.succeeded'] } }, workspace: ws.id, live: false }));
    // The subscription takes effect once the server has read it: publish until an event arrives.
    await until('an event published after the subscription arrives', async () => {
      await publish('customer.created');
      await publish('payment.succeeded');
      return socket.messages.length > 0;
    }, WAIT, 20);
    expect(socket.messages.every((m) => m.type === 'event' && m.object.type === 'payment.succeeded')).toBe(true);
    expect(socket.messages.map((m) => m.object.id)).not.toContain(before.id);
    expect(Math.max(...socket.sizes)).toBeLessThanOrEqual(CLI_BUFFER);
    socket.ws.close();
  });

  it.each([
    ['another topic', { type: 'subscribe_request_logs', filters: { logs: {} } }, /events only, not subscribe_request_logs/],
    ['a malformed filter', { type: 'subscribe_events', filters: { events: { types: 'payment.*' } } }, /filters.events.types must be a list/],
    ['a type not in the catalog', { type: 'subscribe_events', filters: { events: { types: ['nope.created'] } } }, /filters.events.types: 'nope.created' is not an event type/],
    ['another workspace', { type: 'subscribe_events', workspace: 'wksp_000000000000000000000000' }, /workspace must be the one/],
  ])('closes the socket on %s with code 4400 and the rule as the reason', async (_name, message, reason) => {
    const res = await post(origin, '/v1/realtime/negotiate', ws.test, '{"purpose":"events","ttl":"PT1H"}');
    const socket = await connect(socketUrl, { 'Authorization': `Bearer ${(res.json as unknown as Negotiation).token}` });
    socket.ws.send(JSON.stringify(message));
    const close = await closed(socket);
    expect(close.code).toBe(4400);
    expect(close.reason).toMatch(reason);
  });

  it('serves hookd\'s own protocol in the same server: hookd listen\'s negotiation, and the whole of a large event', async () => {
    const res = await h.call('POST', '/v1/realtime/negotiate/events', { key: ws.test, body: { events: ['payment.*'] } });
    expect(res.statusCode, res.body).toBe(200);
    const falu = await post(origin, '/v1/realtime/negotiate/events', ws.test, '{"ttl":"PT60M","filters":{}}');
    const own = await openListenSocket(socketUrl, (res.json() as Negotiation).token);
    const cli = await connect(socketUrl, { 'Authorization': `Bearer ${(falu.json as unknown as Negotiation).token}`, 'X-Negotiated-State': 'hookd' });
    const large = await publish('payment.succeeded', { note: 'x'.repeat(CLI_BUFFER) });
    await until('both sockets got the event', () => own.messages.length > 0 && cli.messages.length > 0, WAIT, 20);
    expect(own.messages).toEqual([{ type: 'event', object: large }]);
    expect(cli.messages).toEqual([{ type: 'event', object: { ...large, data: { object: null } } }]);
    own.ws.close();
    cli.ws.close();
  });

  it('refuses a connect without a valid token before the upgrade, as for hookd\'s own clients', async () => {
    await expect(connect(socketUrl, { 'Authorization': 'forged.token' })).rejects.toThrow(/refused with 401/);
    await expect(connect(socketUrl, {})).rejects.toThrow(/refused with 401/);
  });
});

/**
 * Clients that hold connections instead of sending requests, against a real server on
 * 127.0.0.1 driven with raw sockets: a body trickled byte by byte, headers never finished, a
 * connection that says nothing, a body still arriving after it was refused. The server closes
 * each of them (HOOKD_HTTP_REQUEST_TIMEOUT, HOOKD_HTTP_HEADERS_TIMEOUT, `Connection: close` on
 * an early answer), caps how many it holds (HOOKD_MAX_CONNECTIONS) and keeps answering /health
 * and publishes. Outcomes are awaited with generous bounds; no duration is asserted.
 */
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';
import { openListenSocket, type ListenSocket } from './listen-socket.js';
import { until } from './wait.js';

/** Far beyond the 1 s timeouts and the 1 s sweep under test: only a server that never closes reaches it. */
const BOUND = 20_000;

interface Raw {
  socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves when the connection is closed; rejects after `BOUND` ms. */
  closed(): Promise<void>;
}

/** A raw connection, open once it resolves; `first` is written at once. */
function raw(port: number, first = ''): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    let isClosed = false;
    const waiting: (() => void)[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { data += chunk; });
    // A reset (the server closed while bytes of ours were unread) ends the connection like a close.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      isClosed = true;
      for (const w of waiting) w();
    });
    socket.once('connect', () => {
      if (first) socket.write(first);
      resolve({
        socket,
        received: () => data,
        closed: () => new Promise<void>((done, fail) => {
          if (isClosed) return done();
          const timer = setTimeout(() => fail(new Error(`the server kept the connection open for ${BOUND} ms; it sent: ${JSON.stringify(data)}`)), BOUND);
          waiting.push(() => { clearTimeout(timer); done(); });
        }),
      });
    });
    socket.once('error', reject);
  });
}

/** One request on a connection of its own (no agent: nothing pooled skews the count of connections). */
function call(port: number, method: string, path: string, options: { key?: string; body?: unknown } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = httpRequest({
      host: '127.0.0.1', port, method, path, agent: false,
      headers: { ...(options.key ? { authorization: `Bearer ${options.key}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A publish that declares 100 000 bytes of body and sends one. */
const slowBody = (key: string) => `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`;
/** A request whose headers never end. */
const slowHeaders = 'POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ';

/** A listen socket for `key`, negotiated through the API. */
async function openListen(h: TestHookd, base: string, key: string): Promise<ListenSocket> {
  const grant = await h.call('POST', '/v1/realtime/negotiate/events', { key });
  expect(grant.statusCode, grant.body).toBe(200);
  return openListenSocket(`${base.replace('http', 'ws')}/v1/realtime/events`, grant.json().token as string);
}

/**
 * A hookd listening on 127.0.0.1 port 0 with `overrides`, a workspace's test key, and the raw
 * connections a test opens (destroyed after each test); closed after the describe.
 */
function listening(overrides: Parameters<typeof startHookd>[0]) {
  const server = { h: null as unknown as TestHookd, port: 0, base: '', key: '', open: [] as Raw[] };
  beforeAll(async () => {
    server.h = await startHookd(overrides);
    server.base = await server.h.app.listen({ port: 0, host: '127.0.0.1' });
    server.port = Number(new URL(server.base).port);
    server.key = (await server.h.workspace()).test;
  });
  afterEach(() => {
    for (const r of server.open.splice(0)) r.socket.destroy();
  });
  afterAll(async () => server.h.close());
  return server;
}

/** The status line of each answer; the next one follows the body of the last directly, on the same line. */
const statusLines = (text: string) => text.match(/HTTP\/1\.1 \d{3}(?= )/g) ?? [];

describe('slow clients are closed by the request and header timeouts (1 s each, at most 20 connections)', () => {
  const server = listening({ httpRequestTimeout: 1_000, httpHeadersTimeout: 1_000, maxConnections: 20 });
  const { open } = server;

  it('answers /health and a publish beside slow bodies, slow headers and silent connections, and then closes each of those with a 408', async () => {
    const { port, key } = server;
    for (let i = 0; i < 4; i++) open.push(await raw(port, slowBody(key)));
    for (let i = 0; i < 3; i++) open.push(await raw(port, slowHeaders));
    for (let i = 0; i < 3; i++) open.push(await raw(port));
    // One more byte of body on each: trickling does not restart the clock.
    for (const r of open.slice(0, 4)) r.socket.write('"');

    expect((await call(port, 'GET', '/health')).status).toBe(200);
    const published = await call(port, 'POST', '/v1/events', { key, body: { type: 'payment.succeeded', data: { object: { n: 1 } } } });
    expect(published.status, published.body).toBe(201);

    for (const r of open) await r.closed();
    for (const r of open) {
      expect(statusLines(r.received()), r.received()).toEqual(['HTTP/1.1 408']);
      expect(r.received()).toMatch(/\r\nConnection: close\r\n/i);
    }
  });

  it('with every connection held by slow clients, evicts them so that /health answers again', async () => {
    const { port, key } = server;
    for (let i = 0; i < 20; i++) open.push(await raw(port, i % 2 === 0 ? slowBody(key) : slowHeaders));
    // Refused while the cap is full, answered once the timeouts have freed a connection.
    let health = 0;
    await until('/health answers', async () => {
      health = await call(port, 'GET', '/health').then((r) => r.status, () => 0);
      return health !== 0;
    }, BOUND, 50);
    expect(health).toBe(200);
    for (const r of open) await r.closed();
    for (const r of open) expect(statusLines(r.received()), r.received()).toEqual(['HTTP/1.1 408']);
  });

  it('does not cut a hookd listen WebSocket that outlives the request timeout', async () => {
    const { h, port, base, key } = server;
    // A workspace of its own: the events published above are not this session's to receive.
    const own = (await h.workspace('Listener')).test;
    const listen = await openListen(h, base, own);
    // Opened after the WebSocket and closed by the timeout: the sweep that closed it found the
    // older WebSocket too, had the timeout applied to it.
    const slow = await raw(port, slowBody(key));
    open.push(slow);
    await slow.closed();
    expect(statusLines(slow.received())).toEqual(['HTTP/1.1 408']);

    const sent = await h.call('POST', '/v1/events', { key: own, body: { type: 'payment.succeeded', data: { object: { n: 2 } } } });
    expect(sent.statusCode).toBe(201);
    await until('the listen WebSocket receives the event', () => listen.messages.length > 0 || listen.closed !== null, BOUND, 20);
    expect(listen.closed).toBe(null);
    expect(listen.messages).toEqual([{ type: 'event', object: sent.json() }]);
    listen.ws.close();
  });
});

describe('the connection cap and early answers (at most 20 connections, timeouts 60 s)', () => {
  // Timeouts far beyond BOUND: whatever closes a connection here, it is not a timeout.
  const server = listening({ httpRequestTimeout: 60_000, httpHeadersTimeout: 60_000, maxConnections: 20 });
  const { open } = server;

  const dropped = async () => Number(/^hookd_http_connections_dropped_total (\d+)/m.exec((await server.h.call('GET', '/metrics', { key: null })).body)?.[1]);

  it('closes connections beyond the cap unanswered, a listen WebSocket counted among them, and answers again once some close', async () => {
    const { h, port, base, key } = server;
    const before = await dropped();
    const listen = await openListen(h, base, key);
    // Connections are accepted in the order they were made: these 19 and the WebSocket come before the next.
    for (let i = 0; i < 19; i++) open.push(await raw(port, slowBody(key)));

    const refused = await raw(port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await refused.closed();
    expect(refused.received()).toBe('');
    expect(await dropped()).toBe(before + 1);
    expect(listen.closed).toBe(null);

    for (const r of open.splice(0)) r.socket.destroy();
    let health = 0;
    await until('/health answers', async () => {
      health = await call(port, 'GET', '/health').then((r) => r.status, () => 0);
      return health !== 0;
    }, BOUND, 50);
    expect(health).toBe(200);
    expect(listen.closed).toBe(null);
    listen.ws.close();
  });

  it.each([
    ['401: a bad key, before the body is read', `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer fskt_wrong\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"type"`, 401],
    ['413: a declared length over the limit', `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer KEY\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n{"type"`, 413],
    ['415: a content type hookd does not read', `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer KEY\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\nhello`, 415],
  ])('an answer sent while body bytes are unsent closes the connection (%s)', async (_name, text, status) => {
    const { port, key } = server;
    const r = await raw(port, text.replace('KEY', key));
    open.push(r);
    await r.closed();
    expect(statusLines(r.received()), r.received()).toEqual([`HTTP/1.1 ${status}`]);
    expect(r.received()).toMatch(/\r\nConnection: close\r\n/i);
    expect(r.received()).toMatch(/application\/problem\+json/);
  });

  it('keeps the connection of a refused request whose body has all arrived', async () => {
    const { port } = server;
    const body = '{"type":"payment.succeeded","data":{"object":{}}}';
    const request = `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer fskt_wrong\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    // One write of a few bytes: on loopback the server reads the body with the headers.
    const r = await raw(port, request);
    open.push(r);
    await until('the first answer arrives', () => statusLines(r.received()).length === 1, BOUND, 20);
    r.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await until('the second answer arrives', () => statusLines(r.received()).length === 2, BOUND, 20);
    expect(statusLines(r.received())).toEqual(['HTTP/1.1 401', 'HTTP/1.1 200']);
    expect(r.received()).not.toMatch(/\r\nConnection: close\r\n/i);
  });
});

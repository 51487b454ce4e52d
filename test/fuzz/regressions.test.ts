/**
 * What the fuzzer and the property tests found, pinned as plain cases: each was a 500, a crash,
 * a non-problem answer or a token accepted that hookd never issued.
 */
import { connect } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { signGrant, openGrant } from '../../src/realtime/grant.js';
import { problem, startHookd, type TestHookd } from '../helpers.js';
import { startReceiver, type Receiver } from '../receiver.js';

let h: TestHookd;
let ws: { id: string; test: string; live: string };
let endpoint: string;
let receiver: Receiver;

beforeAll(async () => {
  h = await startHookd();
  ws = await h.workspace();
  receiver = await startReceiver(() => ({ status: 200, body: 'bad\u0000body' }));
  const e = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: receiver.url, events: ['*'] } });
  expect(e.statusCode, e.body).toBe(201);
  endpoint = (e.json() as { id: string }).id;
});
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

function expectProblem(res: LightMyRequestResponse, status: number, field: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(Object.keys(problem(res).errors ?? {})).toContain(field);
}

describe('field names that Object.prototype has', () => {
  // The problem handler collected messages in a plain object: errors['constructor'] was a function (500).
  it.each(['constructor', '__defineGetter__', 'hasOwnProperty', 'toString', '__proto__'])('an unknown query parameter %s is a 400 naming it', async (name) => {
    expectProblem(await h.call('GET', `/v1/events?${name}=1`, { key: ws.test }), 400, name);
  });

  it.each(['constructor', 'valueOf', 'isPrototypeOf'])('an unknown body field %s is a 400 naming it', async (name) => {
    expectProblem(await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: 'https://example.com/', events: ['*'], [name]: 1 } }), 400, name);
  });
});

describe('U+0000 in stored text', () => {
  // PostgreSQL text cannot hold it: the insert failed (500) where SQLite stored it.
  it.each([
    ['POST', '/v1/webhooks/endpoints', { url: 'https://example.com/', events: ['*'], description: 'a\u0000b' }, 'description'],
    ['POST', '/v1/webhooks/endpoints', { url: 'https://example.com/\u0000', events: ['*'] }, 'url'],
    ['PATCH', '/v1/webhooks/endpoints/:we', { description: '\u0000' }, 'description'],
    ['PATCH', '/v1/webhooks/endpoints/:we', { url: 'https://example.com/\u0000' }, 'url'],
  ] as const)('%s %s with it in %s is a 400 naming the field', async (method, url, body, field) => {
    expectProblem(await h.call(method, url.replace(':we', endpoint), { key: ws.test, body }), 400, field);
  });

  it('in a workspace name or an event type description too', async () => {
    expectProblem(await h.call('POST', '/v1/workspaces', { body: { name: 'a\u0000' } }), 400, 'name');
    expectProblem(await h.call('POST', '/v1/workspaces', { body: { name: '\u0000' } }), 400, 'name');
    expectProblem(await h.call('POST', '/v1/event_types', { body: { name: 'order.nul', description: 'x\u0000' } }), 400, 'description');
    expect((await h.call('POST', '/v1/workspaces', { body: { name: ' Acme ' } })).statusCode).toBe(201);
  });

  it('a receiver answering with a NUL byte is recorded, not a 500', async () => {
    const ev = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { id: 'pay_1' } } } });
    const res = await h.call('POST', `/v1/events/${(ev.json() as { id: string }).id}/retry`, { key: ws.test, body: { webhook_endpoint: endpoint } });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as { response: string }).response).toBe('bad\uFFFDbody');
  });
});

describe('event-type schemas that Ajv treats specially', () => {
  it('an $async schema is refused: its failing validation was an unhandled rejection that ended the process', async () => {
    expectProblem(await h.call('POST', '/v1/event_types', { body: { name: 'order.async', schema: { $async: true, type: 'object', required: ['x'] } } }), 400, 'schema');
  });

  it('a schema with an $id validates every event, not only the first compile', async () => {
    const created = await h.call('POST', '/v1/event_types', { body: { name: 'order.with_id', schema: { $id: 'order-with-id', type: 'object', required: ['id'] } } });
    expect(created.statusCode, created.body).toBe(201);
    for (let i = 0; i < 2; i++) {
      const ok = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'order.with_id', data: { object: { id: `o_${i}` } } } });
      expect(ok.statusCode, ok.body).toBe(201);
    }
    const bad = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'order.with_id', data: { object: {} } } });
    expect(bad.statusCode, bad.body).toBe(422);
  });
});

describe('signed tokens take exactly two parts', () => {
  it('a continuation token with a part appended is a 400 naming ct', async () => {
    for (let i = 0; i < 2; i++) await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: {} } } });
    const page = await h.call('GET', '/v1/events?count=1', { key: ws.test });
    const ct = page.headers['x-continuation-token'] as string;
    expect((await h.call('GET', `/v1/events?count=1&ct=${ct}`, { key: ws.test })).statusCode).toBe(200);
    expectProblem(await h.call('GET', `/v1/events?count=1&ct=${ct}.x`, { key: ws.test }), 400, 'ct');
  });

  it('a listen grant with a part appended does not open', () => {
    const key = randomBytes(32);
    const token = signGrant({ workspace: ws.id, live: false, events: [], keyGeneration: 0, expires: Date.now() + 60_000 }, key);
    expect(openGrant(token, key, Date.now())).not.toBeNull();
    expect(openGrant(`${token}.x`, key, Date.now())).toBeNull();
  });
});

describe('requests that Node refuses before Fastify sees them', () => {
  let port: number;
  beforeAll(async () => {
    const url = await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = Number(new URL(url).port);
  });

  /** Writes `raw` on a fresh connection and reads until the server closes it. */
  function exchange(raw: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(raw));
      let out = '';
      socket.on('data', (c: Buffer) => (out += c.toString()));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
      socket.setTimeout(5_000, () => reject(new Error(`no close; got ${out}`)));
    });
  }

  function parse(answer: string): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    const [statusLine = '', ...lines] = head.split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as Record<string, unknown> };
  }

  it.each([
    ['an unknown method', 'FOO /v1/events HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a malformed header', 'GET /v1/events HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n', 400],
    ['a request line over the header limit', `GET /v1/events?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
  ])('%s is a problem document with X-Request-Id, and the connection is closed', async (_name, raw, status) => {
    const answer = parse(await exchange(raw));
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers.connection).toBe('close');
    expect(answer.headers['x-request-id']).toMatch(/^req_[0-9A-Za-z]{24}$/);
    expect(answer.body).toMatchObject({ status, traceId: answer.headers['x-request-id'], type: expect.stringMatching(/^urn:hookd:problem:/) });
  });
});

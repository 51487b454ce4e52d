/**
 * Bad input on every route: each case must be a 4xx application/problem+json with the exact
 * status, an `errors` member naming the field at fault, no stack trace, and no trace in the
 * store (the lists read the same before and after the rejected request).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { DECIMAL_RULE } from '../src/api/query-integers.js';
import { problem, startHookd, type TestHookd } from './helpers.js';

const KIB = 1024;
const UNKNOWN = { wksp: `wksp_${'0'.repeat(24)}`, we: `we_${'0'.repeat(24)}`, evt: `evt_${'0'.repeat(24)}` };

let h: TestHookd;
let ws: { id: string; test: string; live: string };
let endpointId: string;
let eventId: string;

beforeAll(async () => {
  h = await startHookd();
  ws = await h.workspace();
  const e = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: 'https://example.com/in', events: ['*'], metadata: { team: 'a' } } });
  endpointId = (e.json() as { id: string }).id;
  const ev = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { id: 'pay_1' } } } });
  eventId = (ev.json() as { id: string }).id;
  expect([e.statusCode, ev.statusCode]).toEqual([201, 201]);
});
afterAll(async () => {
  await h.close();
});

type Who = 'platform' | 'test';
interface Route { method: string; url: string; who: Who; valid: Record<string, unknown>; limit: number }

const fill = (url: string) => url.replace(':wksp', ws.id).replace(':we', endpointId).replace(':evt', eventId);
const keyOf = (who: Who) => (who === 'platform' ? undefined : ws.test);

/** Everything a rejected request could have half-written, as the API shows it. */
async function snapshot(): Promise<string> {
  const lists = ['/v1/workspaces?count=100', '/v1/event_types?count=100'].map((u) => h.call('GET', u));
  const scoped = ['/v1/webhooks/endpoints?count=100', '/v1/events?count=100', '/v1/webhooks?count=100'].map((u) => h.call('GET', u, { key: ws.test }));
  const all = await Promise.all([...lists, ...scoped]);
  return all.map((r) => r.body).join('\n');
}

/** Sends the request and asserts a clean problem answer that changed nothing. */
async function rejected(method: string, url: string, options: Parameters<TestHookd['call']>[2], status: number, field?: string): Promise<LightMyRequestResponse> {
  const before = await snapshot();
  const res = await h.call(method, fill(url), options);
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['x-request-id']).toMatch(/^req_/);
  expect(res.body).not.toMatch(/\bat \S+ \(|\bat \S+:\d+:\d+|node:internal/);
  expect(res.body).not.toContain('Error:');
  // A rule in words, never a raw regular expression (PATTERN_RULES' fallback is "must match <pattern>").
  expect(res.body).not.toMatch(/must match [\^\\]|\\\\/);
  const p = problem(res);
  expect(p).toMatchObject({ status, type: expect.stringMatching(/^urn:hookd:problem:/), title: expect.any(String), traceId: res.headers['x-request-id'] });
  if (field !== undefined) expect(Object.keys(p.errors ?? {}), JSON.stringify(p.errors)).toContain(field);
  expect(await snapshot()).toBe(before);
  return res;
}

const BODY_ROUTES: Route[] = [
  { method: 'POST', url: '/v1/workspaces', who: 'platform', valid: { name: 'Acme' }, limit: 64 * KIB },
  { method: 'POST', url: '/v1/workspaces/:wksp/keys/roll', who: 'platform', valid: { expires_in: 0 }, limit: 64 * KIB },
  { method: 'POST', url: '/v1/event_types', who: 'platform', valid: { name: 'order.created' }, limit: 64 * KIB },
  { method: 'POST', url: '/v1/webhooks/endpoints', who: 'test', valid: { url: 'https://example.com/', events: ['*'] }, limit: 64 * KIB },
  { method: 'PATCH', url: '/v1/webhooks/endpoints/:we', who: 'test', valid: { description: 'x' }, limit: 64 * KIB },
  { method: 'POST', url: '/v1/events', who: 'test', valid: { type: 'payment.failed', data: { object: {} } }, limit: 256 * KIB },
  { method: 'POST', url: '/v1/events/:evt/redact', who: 'test', valid: {}, limit: 64 * KIB },
  { method: 'POST', url: '/v1/events/:evt/retry', who: 'test', valid: { webhook_endpoint: UNKNOWN.we }, limit: 64 * KIB },
  { method: 'POST', url: '/v1/webhooks/endpoints/:we/test', who: 'test', valid: {}, limit: 64 * KIB },
  { method: 'POST', url: '/v1/webhooks/endpoints/:we/recover', who: 'test', valid: { since: '2026-01-01' }, limit: 64 * KIB },
  { method: 'POST', url: '/v1/webhooks/endpoints/:we/secret/roll', who: 'test', valid: { expires_in: 0 }, limit: 64 * KIB },
];
const LIST_ROUTES: [string, Who][] = [
  ['/v1/workspaces', 'platform'], ['/v1/event_types', 'test'], ['/v1/webhooks/endpoints', 'test'], ['/v1/events', 'test'], ['/v1/webhooks', 'test'],
];
const routeName = (r: Route) => `${r.method} ${r.url}`;

describe('bodies that are not JSON documents', () => {
  const deep = '{"a":'.repeat(1000) + '1' + '}'.repeat(1000);
  const CASES: [string, string, string, number, string][] = [
    ['malformed JSON', 'application/json', '{"name": "x",', 400, 'body'],
    ['an empty body', 'application/json', '', 400, 'body'],
    ['text/plain', 'text/plain', '{"name": "x"}', 415, 'content-type'],
    ['a form', 'application/x-www-form-urlencoded', 'name=x', 415, 'content-type'],
    ['JSON nested 1000 deep', 'application/json', deep, 400, 'body'],
    ['a __proto__ key', 'application/json', '{"__proto__": {"admin": true}}', 400, 'body'],
    ['JSON null', 'application/json', 'null', 400, 'body'],
    ['a JSON array', 'application/json', '[{"name": "x"}]', 400, 'body'],
  ];
  const table = BODY_ROUTES.flatMap((r) => CASES.map((c) => [routeName(r), ...c, r] as const));
  it.each(table)('%s: %s', async (_name, _case, contentType, payload, status, field, route) => {
    // On PATCH an array is a JSON Patch (docs/api.md): this one's first operation has no op.
    const named = route.method === 'PATCH' && payload.startsWith('[') ? '0.op' : field;
    await rejected(route.method, route.url, { key: keyOf(route.who), body: payload, headers: { 'content-type': contentType } }, status, named);
  });

  it.each(BODY_ROUTES.map((r) => [routeName(r), r] as const))('%s: a body over the route limit is 413', async (_name, route) => {
    const body = JSON.stringify({ ...route.valid, pad: 'x'.repeat(route.limit) });
    const res = await rejected(route.method, route.url, { key: keyOf(route.who), body }, 413, 'body');
    expect(problem(res).detail).toContain(String(route.limit));
  });

  it('accepts an event between the general and the event limit', async () => {
    const res = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.failed', data: { object: { pad: 'x'.repeat(200 * KIB) } } } });
    expect(res.statusCode).toBe(201);
  });
});

describe('unknown fields and wrong types in bodies', () => {
  const CASES: [number, Record<string, unknown>, string][] = [
    [0, { name: 'Acme', plan: 'pro' }, 'plan'],
    [0, { name: 5 }, 'name'],
    [1, { expires_in: 60, grace: 1 }, 'grace'],
    [1, { expires_in: '60' }, 'expires_in'],
    [1, { expires_in: 604_801 }, 'expires_in'],
    [2, { name: 'order.created', title: 'x' }, 'title'],
    [2, { name: 'order.created', schema: 'object' }, 'schema'],
    [2, { name: 'order.created', schema: { type: 'no-such-type' } }, 'schema'],
    [3, { url: 'https://example.com/', events: ['*'], secret: 'mine' }, 'secret'],
    [3, { url: 5, events: ['*'] }, 'url'],
    [3, { url: 'https://example.com/', events: 'x' }, 'events'],
    [3, { events: ['*'] }, 'url'],
    [3, { url: 'https://example.com/', events: ['*'], format: 'xml' }, 'format'],
    [3, { url: 'https://example.com/', events: ['*'], metadata: ['a'] }, 'metadata'],
    [3, { url: 'https://example.com/', events: ['*'], ordering: 'lifo' }, 'ordering'],
    [3, { url: 'https://example.com/', events: ['*'], rate_limit: 0 }, 'rate_limit'],
    [3, { url: 'https://example.com/', events: ['*'], headers: 'X-Api-Key: k' }, 'headers'],
    [3, { url: 'https://example.com/', events: ['*'], headers: ['X-Api-Key'] }, 'headers'],
    [3, { url: 'https://example.com/', events: ['*'], headers: { 'X-Api-Key': 5 } }, 'headers.X-Api-Key'],
    [3, { url: 'https://example.com/', events: ['*'], headers: { 'X-Api-Key': null } }, 'headers.X-Api-Key'],
    [3, { url: 'https://example.com/', events: ['*'], headers: { 'X-Api-Key': { value: 'k' } } }, 'headers.X-Api-Key'],
    [3, { url: 'https://example.com/', events: ['*'], filter: [{ type: 'a.b' }] }, 'filter'],
    [3, { url: 'https://example.com/', events: ['*'], filter: 'type = a.b' }, 'filter'],
    [3, { url: 'https://example.com/', events: ['*'], filter: 5 }, 'filter'],
    [3, { url: 'https://example.com/', events: ['*'], client_certificate: { certificate: 'PEM' } }, 'client_certificate.private_key'],
    [3, { url: 'https://example.com/', events: ['*'], client_certificate: { private_key: 'PEM' } }, 'client_certificate.certificate'],
    [3, { url: 'https://example.com/', events: ['*'], client_certificate: 'PEM' }, 'client_certificate'],
    [3, { url: 'https://example.com/', events: ['*'], client_certificate: { certificate: 'PEM', private_key: 'PEM', passphrase: 'p' } }, 'client_certificate.passphrase'],
    [3, { url: 'https://example.com/', events: ['*'], client_certificate: { certificate: 5, private_key: 'PEM' } }, 'client_certificate.certificate'],
    [3, { url: 'https://example.com/', events: ['*'], headers: { 'X-Api-Key': 'k'.repeat(1025) } }, 'headers.X-Api-Key'],
    [3, { url: 'https://example.com/', events: ['*'], headers: { 'X-Api-Key': 'a\r\nX-Injected: 1' } }, 'headers.X-Api-Key'],
    [3, { url: 'https://example.com/', events: ['*'], headers: { Host: 'example.org' } }, 'headers.Host'],
    [3, { url: 'https://example.com/', events: ['*'], headers: { 'Bad Name': 'v' } }, 'headers.Bad Name'],
    [3, { url: 'https://example.com/', events: ['*'], client_certificate: { certificate: 'not a certificate', private_key: 'not a key' } }, 'client_certificate.certificate'],
    [3, { url: 'https://example.com/', events: ['*'], filter: { data: { object: { amount: { $regex: '^1' } } } } }, 'filter.data.object.amount.$regex'],
    [3, { url: 'https://example.com/', events: ['*'], signing: 'rsa' }, 'signing'],
    [3, { url: 'https://example.com/', events: ['*'], signing: null }, 'signing'],
    [3, { url: 'https://example.com/', events: ['*'], public_key: 'whpk_x' }, 'public_key'],
    [4, { id: UNKNOWN.we }, 'id'],
    [4, { headers: 'x' }, 'headers'],
    [4, { headers: { 'X-Api-Key': 1 } }, 'headers.X-Api-Key'],
    [4, { filter: [] }, 'filter'],
    [4, { filter: true }, 'filter'],
    [4, { client_certificate: {} }, 'client_certificate.certificate'],
    [4, { client_certificate: [] }, 'client_certificate'],
    [4, { signing: 'ED25519' }, 'signing'],
    [4, { signing: 1 }, 'signing'],
    [4, { public_key: null }, 'public_key'],
    [4, { url: 5 }, 'url'],
    [4, { events: 'x' }, 'events'],
    [4, { status: 'paused' }, 'status'],
    [4, { ordering: null }, 'ordering'],
    [4, { rate_limit: '10' }, 'rate_limit'],
    [5, { type: 'payment.failed', data: { object: {} }, live: true }, 'live'],
    [5, { type: 'payment.failed', data: { object: {}, extra: 1 } }, 'data.extra'],
    [5, { type: 5, data: { object: {} } }, 'type'],
    [5, { type: 'payment.failed' }, 'data'],
    [5, { type: 'payment.failed', data: { object: {}, previous: 'x' } }, 'data.previous'],
    [6, { reason: 'gdpr' }, 'reason'],
    [7, {}, 'webhook_endpoint'],
    [7, { webhook_endpoint: 'abc' }, 'webhook_endpoint'],
    [7, { webhook_endpoint: UNKNOWN.evt }, 'webhook_endpoint'],
    [7, { webhook_endpoint: UNKNOWN.we, now: true }, 'now'],
    [8, { event: 'payment.failed' }, 'event'],
    [9, {}, 'since'],
    [9, { since: 'yesterday' }, 'since'],
    [9, { since: 5 }, 'since'],
    [9, { since: '2026-01-02', until: '2026-01-01' }, 'until'],
    [9, { since: '2026-01-01', until: '2026-02-30' }, 'until'],
    [10, { expires_in: 604_801 }, 'expires_in'],
    [10, { expires_in: '60' }, 'expires_in'],
    [10, { expires_in: -1 }, 'expires_in'],
  ];
  it.each(CASES.map(([i, body, field]) => [routeName(BODY_ROUTES[i]!), JSON.stringify(body), field, BODY_ROUTES[i]!, body] as const))(
    '%s %s names %s', async (_name, _json, field, route, body) => {
      await rejected(route.method, route.url, { key: keyOf(route.who), body }, 400, field);
    });

  // Ajv's messages name the rule and, for enums, the allowed values; none may quote what was sent.
  const SECRET = 'S3CRET-never-echoed-0123456789';
  const pem = (label: string) => `-----BEGIN ${label}-----\n${SECRET}\n-----END ${label}-----\n`;
  it.each<[string, Record<string, unknown>]>([
    ['a header value of the wrong type', { headers: { 'X-Api-Key': [SECRET] } }],
    ['a key without its certificate', { client_certificate: { private_key: pem('PRIVATE KEY') } }],
    ['a key with a stray field', { client_certificate: { certificate: 5, private_key: pem('PRIVATE KEY'), extra: SECRET } }],
    ['a key too long', { client_certificate: { certificate: pem('CERTIFICATE'), private_key: pem('PRIVATE KEY').repeat(600) } }],
    ['a key of the wrong type', { client_certificate: { certificate: pem('CERTIFICATE'), private_key: [SECRET] } }],
    ['a signing scheme that is the secret', { signing: SECRET }],
  ])('PATCH /v1/webhooks/endpoints/:we: %s is refused without quoting it', async (_name, body) => {
    const res = await rejected('PATCH', '/v1/webhooks/endpoints/:we', { key: ws.test, body }, 400);
    expect(res.body).not.toContain(SECRET);
    expect(res.body).not.toContain('S3CRET');
  });

  it.each([['a string', 'x'], ['an array', []], ['null', null], ['a number', 5]])('POST /v1/events: data.object as %s names data.object', async (_name, object) => {
    await rejected('POST', '/v1/events', { key: ws.test, body: { type: 'payment.failed', data: { object } } }, 400, 'data.object');
  });
});

describe('query strings', () => {
  const CASES: [string, string][] = [
    ['count=abc', 'count'], ['count=0', 'count'], ['count=101', 'count'], ['sort=up', 'sort'],
    ['ct=not-a-token', 'ct'], ['created.gt=yesterday', 'created.gt'], ['limit=5', 'limit'],
  ];
  const table = LIST_ROUTES.flatMap(([url, who]) => CASES.map(([q, field]) => [`${url}?${q}`, field, who] as const));
  it.each(table)('GET %s names %s', async (url, field, who) => {
    await rejected('GET', url, { key: keyOf(who) }, 400, field);
  });

  /** Every whole-number query parameter, with a route that takes it (the OpenAPI document is checked against this list below). */
  const INTEGER_PARAMS: [string, string, Who][] = [
    ...LIST_ROUTES.map(([url, who]) => [url, 'count', who] as [string, string, Who]),
    ['/v1/status', 'limit', 'platform'], ['/v1/stats/endpoints', 'hours', 'test'], ['/v1/stats/hourly', 'hours', 'test'],
    ['/v1/webhooks/endpoints/:we/stats', 'hours', 'test'],
  ];
  // All but the empty one are numbers to JavaScript's Number() (16, 10, 5, 5, 5, 5, 5, 5, 5), and Ajv's query coercion took them.
  const NOT_DECIMAL = ['0x10', '1e1', '%2B5', '%205', '5%20', '5.0', '05', '0b101', '0o5', ''];
  const integerTable = INTEGER_PARAMS.flatMap(([url, param, who]) => NOT_DECIMAL.map((v) => [`${url}?${param}=${v}`, param, who] as const));
  it.each(integerTable)('GET %s names %s and the decimal rule', async (url, param, who) => {
    const res = await rejected('GET', url, { key: keyOf(who) }, 400, param);
    expect(problem(res).errors?.[param]).toEqual([DECIMAL_RULE]);
  });

  it.each(INTEGER_PARAMS)('GET %s?%s= takes decimal digits', async (url, param, who) => {
    for (const v of ['1', '10']) expect((await h.call('GET', `${fill(url)}?${param}=${v}`, { key: keyOf(who) })).statusCode).toBe(200);
    // 0 is written in decimal: it is refused for its range, with the range's rule.
    expect(problem(await h.call('GET', `${fill(url)}?${param}=0`, { key: keyOf(who) })).errors?.[param]).toEqual(['must be >= 1']);
  });

  it('the table above covers every integer query parameter in the OpenAPI document', async () => {
    const doc = (await h.call('GET', '/openapi.json')).json() as { paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema?: { type?: string } }[] }>> };
    const found = Object.entries(doc.paths).flatMap(([path, ops]) => Object.values(ops).flatMap((op) => (op.parameters ?? [])
      .filter((p) => p.in === 'query' && p.schema?.type === 'integer').map((p) => `${path.replace('{id}', ':we')} ${p.name}`)));
    expect(found.sort()).toEqual(INTEGER_PARAMS.map(([url, param]) => `${url} ${param}`).sort());
  });

  it('GET /v1/events?type= rejects a malformed type name', async () => {
    const res = await rejected('GET', '/v1/events?type=payment.failed&type=Not-A-Type', { key: ws.test }, 400);
    expect(Object.keys(problem(res).errors ?? {}).some((f) => f === 'type' || f.startsWith('type.'))).toBe(true);
  });
});

describe('ids in the path', () => {
  const MALFORMED: [string, string, Who, string][] = [
    ['GET', '/v1/workspaces/abc', 'platform', 'id'],
    ['GET', `/v1/workspaces/${UNKNOWN.we}`, 'platform', 'id'],
    ['POST', '/v1/workspaces/abc/keys/roll', 'platform', 'id'],
    ['GET', '/v1/event_types/NotAType', 'test', 'name'],
    ['GET', '/v1/events/abc', 'test', 'id'],
    ['GET', `/v1/events/${UNKNOWN.we}`, 'test', 'id'],
    ['POST', '/v1/events/abc/redact', 'test', 'id'],
    ['GET', `/v1/webhooks/endpoints/${UNKNOWN.evt}`, 'test', 'id'],
    ['PATCH', '/v1/webhooks/endpoints/abc', 'test', 'id'],
    ['DELETE', `/v1/webhooks/endpoints/we_${'0'.repeat(23)}-`, 'test', 'id'],
    ['GET', '/v1/webhooks/abc', 'test', 'id'],
    ['GET', `/v1/webhooks/${UNKNOWN.evt}`, 'test', 'id'],
    ['POST', '/v1/webhooks/endpoints/abc/test', 'test', 'id'],
    ['POST', '/v1/webhooks/endpoints/abc/secret/roll', 'test', 'id'],
  ];
  it.each(MALFORMED)('%s %s is 400 naming %s', async (method, url, who, field) => {
    await rejected(method, url, { key: keyOf(who), body: method === 'PATCH' ? { description: 'x' } : undefined }, 400, field);
  });

  const MISSING: [string, string, Who][] = [
    ['GET', `/v1/workspaces/${UNKNOWN.wksp}`, 'platform'],
    ['POST', `/v1/workspaces/${UNKNOWN.wksp}/keys/roll`, 'platform'],
    ['GET', '/v1/event_types/no_such.type', 'test'],
    ['GET', `/v1/events/${UNKNOWN.evt}`, 'test'],
    ['POST', `/v1/events/${UNKNOWN.evt}/redact`, 'test'],
    ['GET', `/v1/webhooks/endpoints/${UNKNOWN.we}`, 'test'],
    ['PATCH', `/v1/webhooks/endpoints/${UNKNOWN.we}`, 'test'],
    ['DELETE', `/v1/webhooks/endpoints/${UNKNOWN.we}`, 'test'],
    ['GET', `/v1/webhooks/wh_${'0'.repeat(24)}`, 'test'],
    ['POST', `/v1/webhooks/endpoints/${UNKNOWN.we}/test`, 'test'],
    ['POST', `/v1/webhooks/endpoints/${UNKNOWN.we}/secret/roll`, 'test'],
  ];
  it.each([
    ['a broken percent-escape', '/v1/events/%E0%A4%A'], ['a lone %', '/v1/webhooks/endpoints/%'],
    ['a 300-character id', `/v1/events/evt_${'a'.repeat(296)}`],
  ])('a path with %s is 400 naming path', async (_name, url) => {
    await rejected('GET', url, { key: ws.test }, 400, 'path');
  });

  it.each(MISSING)('%s %s (well-formed, unknown) is 404', async (method, url, who) => {
    await rejected(method, url, { key: keyOf(who), body: method === 'PATCH' ? { description: 'x' } : undefined }, 404);
  });

  it('retry and recover name the unknown event or endpoint with 404', async () => {
    await rejected('POST', `/v1/events/${UNKNOWN.evt}/retry`, { key: ws.test, body: { webhook_endpoint: endpointId } }, 404);
    await rejected('POST', `/v1/events/${eventId}/retry`, { key: ws.test, body: { webhook_endpoint: UNKNOWN.we } }, 404, 'webhook_endpoint');
    await rejected('POST', `/v1/webhooks/endpoints/${UNKNOWN.we}/recover`, { key: ws.test, body: { since: '2026-01-01' } }, 404);
  });

  it('another workspace\'s endpoint and event are 404, not 403', async () => {
    const other = await h.workspace('Other');
    await rejected('GET', `/v1/webhooks/endpoints/${endpointId}`, { key: other.test }, 404);
    await rejected('DELETE', `/v1/webhooks/endpoints/${endpointId}`, { key: other.test }, 404);
    await rejected('POST', `/v1/events/${eventId}/redact`, { key: other.test }, 404);
    await rejected('GET', `/v1/events/${eventId}`, { key: ws.live }, 404);
  });
});

describe('headers', () => {
  const longKey = { 'x-idempotency-key': 'k'.repeat(300) };
  it.each(BODY_ROUTES.map((r) => [routeName(r), r] as const))('%s: a 300-character X-Idempotency-Key is 400', async (_name, route) => {
    await rejected(route.method, route.url, { key: keyOf(route.who), body: route.valid, headers: longKey }, 400, 'X-Idempotency-Key');
  });

  const WORKSPACE_HEADERS: [string, Record<string, string>, number, string][] = [
    ['garbage X-Workspace-Id', { 'x-workspace-id': 'acme; drop table' }, 400, 'X-Workspace-Id'],
    ['a workspace id of the wrong prefix', { 'x-workspace-id': UNKNOWN.we }, 400, 'X-Workspace-Id'],
    ['an unknown workspace', { 'x-workspace-id': UNKNOWN.wksp }, 404, 'X-Workspace-Id'],
    ['no X-Workspace-Id', {}, 400, 'X-Workspace-Id'],
    ['X-Live-Mode: yes', { 'x-workspace-id': '<ws>', 'x-live-mode': 'yes' }, 400, 'X-Live-Mode'],
  ];
  const scoped: [string, string, Record<string, unknown> | undefined][] = [
    ['GET', '/v1/events', undefined], ['POST', '/v1/events', { type: 'payment.failed', data: { object: {} } }],
    ['GET', '/v1/webhooks/endpoints', undefined], ['POST', '/v1/webhooks/endpoints', { url: 'https://example.com/', events: ['*'] }],
  ];
  const table = scoped.flatMap(([m, u, b]) => WORKSPACE_HEADERS.map((c) => [`${m} ${u}`, ...c, m, u, b] as const));
  it.each(table)('platform key, %s with %s', async (_name, _case, headers, status, field, method, url, body) => {
    const sent = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v === '<ws>' ? ws.id : v]));
    await rejected(method, url, { body, headers: sent }, status, field);
  });
});

describe('endpoint rules', () => {
  const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
  const CASES: [string, Record<string, unknown>, string][] = [
    ['21 metadata keys', { metadata: many }, 'metadata'],
    ['a metadata key starting with a digit', { metadata: { '1team': 'a' } }, 'metadata.1team'],
    ['a non-string metadata value', { metadata: { team: 5 } }, 'metadata.team'],
    ['a 501-character metadata value', { metadata: { team: 'x'.repeat(501) } }, 'metadata.team'],
    ['an ftp:// url', { url: 'ftp://example.com/in' }, 'url'],
    ['a url with userinfo', { url: 'https://user:pass@example.com/in' }, 'url'],
    ['a url on port 22', { url: 'https://example.com:22/in' }, 'url'],
    ['a relative url', { url: '/webhooks/in' }, 'url'],
    ['a 600-character url', { url: `https://example.com/${'a'.repeat(580)}` }, 'url'],
    ['an empty url', { url: '' }, 'url'],
    ['a url with a line feed', { url: 'https://example.com/in\nX-Injected: 1' }, 'url'],
    ['a url with a carriage return', { url: 'https://example.com/in\r' }, 'url'],
    ['a url with a tab in its host', { url: 'https://exa\tmple.com/in' }, 'url'],
    ['a url over 512 characters once percent-encoded', { url: `https://example.com/${'é'.repeat(100)}` }, 'url'],
    ['a url with ESC[2J', { url: 'https://example.com/\u001b[2J' }, 'url'],
    ['a url with a C1 control', { url: 'https://example.com/\u0085' }, 'url'],
    ['a description with ESC[2J', { description: 'billing \u001b[2J\u001b]0;owned\u0007' }, 'description'],
    ['a description with a C1 CSI', { description: 'billing \u009b2J' }, 'description'],
    ['a description with DEL', { description: 'billing\u007f' }, 'description'],
    ['a description with a line break', { description: 'billing\nwe_0000  enabled' }, 'description'],
    ['no events', { events: [] }, 'events'],
    ['an unknown event type', { events: ['payment.exploded'] }, 'events'],
    ['a wildcard that covers nothing', { events: ['nothing.*'] }, 'events'],
    ['a type listed twice', { events: ['payment.failed', 'payment.failed'] }, 'events'],
    ['an empty token', { token: '' }, 'token'],
    ['a token with a space', { token: 'a b' }, 'token'],
  ];
  const base = { url: 'https://example.com/in', events: ['*'] };
  it.each(CASES)('POST: %s is 400', async (_name, fields, field) => {
    await rejected('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { ...base, ...fields } }, 400, field);
  });
  it.each(CASES)('PATCH: %s is 400 and leaves the endpoint as it was', async (_name, fields, field) => {
    await rejected('PATCH', '/v1/webhooks/endpoints/:we', { key: ws.test, body: fields }, 400, field);
  });

  it('reports every broken field at once', async () => {
    const res = await rejected('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: 'ftp://x', events: ['nope.nope'], metadata: { '9': 'a' } } }, 400);
    expect(Object.keys(problem(res).errors ?? {}).sort()).toEqual(['events', 'metadata.9', 'url']);
  });

  it('accepts right-to-left text in a description, bidi marks included (the CLI shows them escaped)', async () => {
    const description = 'الفواتير \u200fوالمدفوعات\u202e';
    const res = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: 'https://example.com/in', events: ['*'], description } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().description).toBe(description);
  });

  it('accepts the limits themselves: 20 keys, 500-character values, a 512-character url', async () => {
    const metadata = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v'.repeat(500)]));
    const url = `https://example.com/${'a'.repeat(512 - 20)}`;
    const res = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.live, body: { url, events: ['*'], metadata } });
    expect(res.statusCode, res.body).toBe(201);
  });
});

describe('endpoint URLs the SSRF guard refuses', () => {
  // test/helpers.ts opens 127.0.0.0/8 and ::1 for local receivers; none of these is opened by it.
  it.each([
    ['a site-local', 'http://[fec0::1]:4000/', 'fec0::1 is a site-local address'],
    ['an IPv4-translated 127.0.0.1', 'http://[::ffff:0:7f00:1]:4000/', '::ffff:0:7f00:1 is an IPv4-translated address'],
    ['a PCP anycast', 'http://192.0.0.9:4000/', '192.0.0.9 is an IETF protocol assignment address'],
    ['an AS112 direct delegation', 'http://[2620:4f:8000::1]:4000/', '2620:4f:8000::1 is an AS112 anycast address'],
  ])('%s literal is 422 naming url, on create and on update', async (_name, url, reason) => {
    for (const [method, path, body] of [['POST', '/v1/webhooks/endpoints', { url, events: ['*'] }], ['PATCH', '/v1/webhooks/endpoints/:we', { url }]] as const) {
      const res = await rejected(method, path, { key: ws.test, body }, 422, 'url');
      expect(problem(res).errors!.url).toEqual([`must not point at a refused address (${reason})`]);
    }
  });
});

describe('names', () => {
  it.each(['', '   ', '\t\n', 'x'.repeat(101), 'Acme\u001b[2J', 'Acme\u009b2J', 'Ac\nme', ' \tAcme'])('POST /v1/workspaces with name %j is 400', async (name) => {
    await rejected('POST', '/v1/workspaces', { body: { name } }, 400, 'name');
  });
  it('POST /v1/workspaces without a name is 400', async () => {
    await rejected('POST', '/v1/workspaces', { body: {} }, 400, 'name');
  });
  it.each(['Orders \u001b[2J', 'Orders\u009b', 'line\nbreak'])('POST /v1/event_types with description %j is 400', async (description) => {
    await rejected('POST', '/v1/event_types', { body: { name: 'order.created', description } }, 400, 'description');
  });

  const BAD_TYPES = ['payment', 'Payment.Created', 'payment..created', 'payment.', '.payment', 'payment.created!', 'pay ment.created', 'payment.*'];
  it.each(BAD_TYPES)('POST /v1/event_types with name %j is 400', async (name) => {
    await rejected('POST', '/v1/event_types', { body: { name } }, 400, 'name');
  });
  it.each(BAD_TYPES)('POST /v1/events with type %j is 400', async (type) => {
    await rejected('POST', '/v1/events', { key: ws.test, body: { type, data: { object: {} } } }, 400, 'type');
  });
  it('POST /v1/events with a well-formed type outside the catalog is 400 naming type', async () => {
    await rejected('POST', '/v1/events', { key: ws.test, body: { type: 'payment.exploded', data: { object: {} } } }, 400, 'type');
  });
});

/**
 * The conventions every route shares (docs/api.md), checked the way a client
 * sees them: status codes, headers and bodies of a real app on a real SQLite file.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problem, startHookd, type TestHookd } from './helpers.js';

type Ws = { id: string; test: string; live: string };
const iso = (ms: number) => new Date(ms).toISOString();
const HOOK = { url: 'https://example.com/hooks', events: ['*'] };

async function createEndpoint(h: TestHookd, key: string, body: object = HOOK): Promise<{ id: string; etag: string }> {
  const res = await h.call('POST', '/v1/webhooks/endpoints', { key, body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function publish(h: TestHookd, key: string, object: object = { id: 'cus_1' }): Promise<string> {
  const res = await h.call('POST', '/v1/events', { key, body: { type: 'customer.created', data: { object } } });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

const ids = (res: LightMyRequestResponse) => (res.json() as { id: string }[]).map((x) => x.id);

/** A 4xx problem document: status, content type, and the field it names. */
function expectProblem(res: LightMyRequestResponse, status: number, field?: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = problem(res);
  expect(p.status).toBe(status);
  if (field !== undefined) expect(Object.keys(p.errors ?? {})).toContain(field);
}

describe('lists: count, sort, ct and created.*', () => {
  let h: TestHookd;
  let ws: Ws;
  let published: string[]; // oldest first
  let t0: number;
  beforeAll(async () => {
    h = await startHookd();
    ws = await h.workspace();
    t0 = h.clock.now();
    published = [];
    for (let i = 0; i < 25; i++) {
      published.push(await publish(h, ws.test, { n: i }));
      h.clock.advance(1000); // event i is created at t0 + i s
    }
  });
  afterAll(() => h.close());

  async function walk(query: string): Promise<{ pages: string[][]; tokens: (string | undefined)[] }> {
    const pages: string[][] = [];
    const tokens: (string | undefined)[] = [];
    let ct: string | undefined;
    do {
      const res = await h.call('GET', `/v1/events?${query}${ct ? `&ct=${encodeURIComponent(ct)}` : ''}`, { key: ws.test });
      expect(res.statusCode, res.body).toBe(200);
      expect(Array.isArray(res.json())).toBe(true);
      pages.push(ids(res));
      ct = res.headers['x-continuation-token'] as string | undefined;
      tokens.push(ct);
    } while (ct && pages.length < 10);
    return { pages, tokens };
  }

  it('pages 25 events as 10, 10, 5, newest first by default, none repeated or skipped', async () => {
    const { pages, tokens } = await walk('count=10');
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(tokens[0]).toBeTruthy();
    expect(tokens[1]).toBeTruthy();
    expect(tokens[2]).toBeUndefined();
    expect(pages.flat()).toEqual([...published].reverse());
  });

  it('sort=asc pages oldest first, and sort=desc newest first', async () => {
    expect((await walk('count=10&sort=asc')).pages.flat()).toEqual(published);
    expect((await walk('count=7&sort=desc')).pages.flat()).toEqual([...published].reverse());
  });

  it('filters on created with ISO timestamps', async () => {
    const gtLt = await h.call('GET', `/v1/events?sort=asc&count=100&created.gt=${iso(t0 + 4000)}&created.lt=${iso(t0 + 10_000)}`, { key: ws.test });
    expect(ids(gtLt)).toEqual(published.slice(5, 10));
    const gteLte = await h.call('GET', `/v1/events?sort=asc&count=100&created.gte=${iso(t0 + 4000)}&created.lte=${iso(t0 + 10_000)}`, { key: ws.test });
    expect(ids(gteLte)).toEqual(published.slice(4, 11));
    const eq = await h.call('GET', `/v1/events?created.eq=${iso(t0 + 7000)}`, { key: ws.test });
    expect(ids(eq)).toEqual([published[7]]);
    const day = await h.call('GET', '/v1/events?created.lt=2026-01-15', { key: ws.test });
    expect(ids(day)).toEqual([]);
  });

  it('refuses a tampered, made-up, foreign-list or other-sort continuation token', async () => {
    const first = await h.call('GET', '/v1/events?count=10', { key: ws.test });
    const token = first.headers['x-continuation-token'] as string;
    const [body, mac] = token.split('.') as [string, string];
    const flipped = `${body.slice(0, 5)}${body[5] === 'A' ? 'B' : 'A'}${body.slice(6)}.${mac}`;
    const bad = [
      flipped, 'not-a-token', `${body}.${mac.slice(1)}x`, `${body}.`, '.', `${body}.${'é'.repeat(mac.length)}`, 'x'.repeat(600),
    ];
    for (const ct of bad) {
      expectProblem(await h.call('GET', `/v1/events?ct=${encodeURIComponent(ct)}`, { key: ws.test }), 400, 'ct');
    }
    expectProblem(await h.call('GET', `/v1/webhooks/endpoints?ct=${encodeURIComponent(token)}`, { key: ws.test }), 400, 'ct');
    expectProblem(await h.call('GET', `/v1/events?sort=asc&ct=${encodeURIComponent(token)}`, { key: ws.test }), 400, 'ct');
    // The untouched token still works, so the 400s above are about the token, not the route.
    expect(ids(await h.call('GET', `/v1/events?count=10&ct=${encodeURIComponent(token)}`, { key: ws.test }))).toEqual([...published].reverse().slice(10, 20));
  });

  it('refuses out-of-range count, unknown sort and malformed created.* with a 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['count=0', 'count'], ['count=101', 'count'], ['count=ten', 'count'], ['sort=up', 'sort'],
      ['created.lt=yesterday', 'created.lt'], ['created.gt=2026-13-01', 'created.gt'], ['created.gte=2026-02-30', 'created.gte'],
      ['created.eq=2026-01-15T12:00:00', 'created.eq'], ['colour=red', 'colour'],
    ];
    for (const [query, field] of cases) {
      expectProblem(await h.call('GET', `/v1/events?${query}`, { key: ws.test }), 400, field);
    }
  });

  it('answers every list with a bare JSON array', async () => {
    await createEndpoint(h, ws.test);
    for (const [url, key] of [['/v1/events', ws.test], ['/v1/webhooks/endpoints', ws.test], ['/v1/event_types', ws.test], ['/v1/workspaces', undefined]] as const) {
      const res = await h.call('GET', url, { key });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(Array.isArray(res.json()), url).toBe(true);
      expect((res.json() as unknown[]).length).toBeGreaterThan(0);
    }
  });
});

describe('X-Idempotency-Key', () => {
  let h: TestHookd;
  beforeAll(async () => { h = await startHookd(); });
  afterAll(() => h.close());
  const event = (n: number) => ({ type: 'customer.created', data: { object: { n } } });

  it('replays the first answer for the same key and body, and keeps one event', async () => {
    const ws = await h.workspace();
    const headers = { 'x-idempotency-key': 'order-1' };
    const first = await h.call('POST', '/v1/events', { key: ws.test, body: event(1), headers });
    const again = await h.call('POST', '/v1/events', { key: ws.test, body: event(1), headers });
    expect(first.statusCode).toBe(201);
    expect(first.headers['x-cached-response']).toBeUndefined();
    expect(again.statusCode).toBe(201);
    expect(again.headers['x-cached-response']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers.location).toBe(first.headers.location);
    expect(first.json()).toMatchObject({ request: { idempotency_key: 'order-1' } });
    expect(ids(await h.call('GET', '/v1/events', { key: ws.test }))).toEqual([first.json().id]);
  });

  it('is 409 for the same key with another body, independent across workspaces, and fresh after 24 h', async () => {
    const a = await h.workspace('A');
    const b = await h.workspace('B');
    const headers = { 'x-idempotency-key': 'shared-key' };
    const first = await h.call('POST', '/v1/events', { key: a.test, body: event(1), headers });
    expect(first.statusCode).toBe(201);
    const conflict = await h.call('POST', '/v1/events', { key: a.test, body: event(2), headers });
    expectProblem(conflict, 409, 'X-Idempotency-Key');
    expect(problem(conflict).type).toBe('urn:hookd:problem:idempotency_conflict');

    const other = await h.call('POST', '/v1/events', { key: b.test, body: event(1), headers });
    expect(other.statusCode).toBe(201);
    expect(other.headers['x-cached-response']).toBeUndefined();
    expect(other.json().id).not.toBe(first.json().id);
    expect(other.json().workspace).toBe(b.id);

    h.clock.advance(24 * 3_600_000 + 1000);
    const later = await h.call('POST', '/v1/events', { key: a.test, body: event(2), headers });
    expect(later.statusCode).toBe(201);
    expect(later.headers['x-cached-response']).toBeUndefined();
    expect(ids(await h.call('GET', '/v1/events', { key: a.test }))).toHaveLength(2);
  });

  it('works on PATCH: the replay does not apply the patch twice', async () => {
    const ws = await h.workspace();
    const ep = await createEndpoint(h, ws.test);
    const headers = { 'x-idempotency-key': 'patch-1' };
    const url = `/v1/webhooks/endpoints/${ep.id}`;
    const first = await h.call('PATCH', url, { key: ws.test, body: { description: 'one' }, headers });
    expect(first.statusCode).toBe(200);
    const again = await h.call('PATCH', url, { key: ws.test, body: { description: 'one' }, headers });
    expect(again.statusCode).toBe(200);
    expect(again.headers['x-cached-response']).toBe('true');
    expect(again.json().etag).toBe(first.json().etag);
    expect((await h.call('GET', url, { key: ws.test })).json().etag).toBe(first.json().etag);
    expectProblem(await h.call('PATCH', url, { key: ws.test, body: { description: 'two' }, headers }), 409, 'X-Idempotency-Key');
  });
});

describe('ETag, If-Match and If-None-Match', () => {
  let h: TestHookd;
  let ws: Ws;
  beforeAll(async () => { h = await startHookd(); ws = await h.workspace(); });
  afterAll(() => h.close());

  it('GET carries the ETag; If-None-Match with it is 304 with no body', async () => {
    const ep = await createEndpoint(h, ws.test);
    const got = await h.call('GET', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test });
    expect(got.headers.etag).toBe(`"${got.json().etag}"`);
    expect(got.json().etag).toBe(ep.etag);
    const cached = await h.call('GET', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test, headers: { 'if-none-match': got.headers.etag as string } });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe('');
    const stale = await h.call('GET', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test, headers: { 'if-none-match': '"old"' } });
    expect(stale.statusCode).toBe(200);
  });

  it('PATCH: a stale If-Match is 412, the current one is 200 with a new etag', async () => {
    const ep = await createEndpoint(h, ws.test);
    const url = `/v1/webhooks/endpoints/${ep.id}`;
    const stale = await h.call('PATCH', url, { key: ws.test, body: { description: 'x' }, headers: { 'if-match': '"stale"' } });
    expectProblem(stale, 412, 'If-Match');
    expect((await h.call('GET', url, { key: ws.test })).json().description).toBeNull();
    const ok = await h.call('PATCH', url, { key: ws.test, body: { description: 'x' }, headers: { 'if-match': `"${ep.etag}"` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().etag).not.toBe(ep.etag);
    expect(ok.headers.etag).toBe(`"${ok.json().etag}"`);
    expectProblem(await h.call('PATCH', url, { key: ws.test, body: { description: 'y' }, headers: { 'if-match': `"${ep.etag}"` } }), 412);
  });

  it('DELETE: a stale If-Match is 412, the current one is 204', async () => {
    const ep = await createEndpoint(h, ws.test);
    const url = `/v1/webhooks/endpoints/${ep.id}`;
    expectProblem(await h.call('DELETE', url, { key: ws.test, headers: { 'if-match': '"stale"' } }), 412);
    expect((await h.call('GET', url, { key: ws.test })).statusCode).toBe(200);
    const gone = await h.call('DELETE', url, { key: ws.test, headers: { 'if-match': `"${ep.etag}"` } });
    expect(gone.statusCode).toBe(204);
    expect(gone.body).toBe('');
    expect((await h.call('GET', url, { key: ws.test })).statusCode).toBe(404);
  });
});

describe('authentication', () => {
  let h: TestHookd;
  let ws: Ws;
  beforeAll(async () => { h = await startHookd(); ws = await h.workspace(); });
  afterAll(() => h.close());

  it('is 401 with WWW-Authenticate for a missing, non-Bearer or unknown key', async () => {
    const none = await h.call('GET', '/v1/events', { key: null });
    expectProblem(none, 401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer /);
    const basic = await h.call('GET', '/v1/events', { key: null, headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expectProblem(basic, 401);
    expect(basic.headers['www-authenticate']).toMatch(/^Bearer /);
    const unknown = await h.call('GET', '/v1/events', { key: `fskt_${'a'.repeat(40)}` });
    expectProblem(unknown, 401);
    expect(unknown.headers['www-authenticate']).toMatch(/invalid_token/);
  });

  it('checks X-Workspace-Id and X-Live-Mode', async () => {
    expectProblem(await h.call('GET', '/v1/events'), 400, 'X-Workspace-Id');
    expectProblem(await h.call('GET', '/v1/events', { headers: { 'x-workspace-id': 'acme' } }), 400, 'X-Workspace-Id');
    expectProblem(await h.call('GET', '/v1/events', { headers: { 'x-workspace-id': 'wksp_000000000000000000000000' } }), 404, 'X-Workspace-Id');
    expectProblem(await h.call('GET', '/v1/events', { headers: { 'x-workspace-id': ws.id, 'x-live-mode': 'maybe' } }), 400, 'X-Live-Mode');
    // Malformed is malformed whoever sends it; only a well-formed header that disagrees with the key is 403.
    expectProblem(await h.call('GET', '/v1/events', { key: ws.test, headers: { 'x-live-mode': 'maybe' } }), 400, 'X-Live-Mode');
    expectProblem(await h.call('GET', '/v1/events', { key: ws.test, headers: { 'x-workspace-id': 'acme' } }), 400, 'X-Workspace-Id');
    expectProblem(await h.call('GET', '/v1/events', { key: ws.test, headers: { 'x-live-mode': 'true' } }), 403, 'X-Live-Mode');
    expectProblem(await h.call('GET', '/v1/events', { key: ws.test, headers: { 'x-workspace-id': 'wksp_000000000000000000000000' } }), 403, 'X-Workspace-Id');
    expect((await h.call('GET', '/v1/events', { key: ws.test, headers: { 'x-live-mode': 'false', 'x-workspace-id': ws.id } })).statusCode).toBe(200);
  });

  it('reads X-Live-Mode in any case, as Falu does: its Python SDK sends False on every request', async () => {
    for (const spelling of ['False', 'FALSE', 'false']) {
      expect((await h.call('GET', '/v1/events', { key: ws.test, headers: { 'x-live-mode': spelling } })).statusCode).toBe(200);
      expect((await h.call('GET', '/v1/events', { headers: { 'x-workspace-id': ws.id, 'x-live-mode': spelling } })).statusCode).toBe(200);
    }
    expectProblem(await h.call('GET', '/v1/events', { key: ws.test, headers: { 'x-live-mode': 'True' } }), 403, 'X-Live-Mode');
    expectProblem(await h.call('GET', '/v1/events', { key: ws.test, headers: { 'x-live-mode': 'Yes' } }), 400, 'X-Live-Mode');
  });

  it('keeps workspace keys off platform routes (403)', async () => {
    expectProblem(await h.call('GET', '/v1/workspaces', { key: ws.test }), 403);
    expectProblem(await h.call('POST', '/v1/workspaces', { key: ws.live, body: { name: 'x' } }), 403);
    expectProblem(await h.call('POST', '/v1/event_types', { key: ws.test, body: { name: 'acme.thing' } }), 403);
  });

  it('stops rolled keys at once, or after expires_in seconds', async () => {
    const w = await h.workspace('roll');
    const rolled = await h.call('POST', `/v1/workspaces/${w.id}/keys/roll`);
    expect(rolled.statusCode, rolled.body).toBe(200);
    const fresh = rolled.json().keys as { test: string; live: string };
    expect(fresh.test).toMatch(/^fskt_[0-9A-Za-z]{32,}$/);
    expect(fresh.test).not.toBe(w.test);
    expectProblem(await h.call('GET', '/v1/events', { key: w.test }), 401);
    expectProblem(await h.call('GET', '/v1/events', { key: w.live }), 401);
    expect((await h.call('GET', '/v1/events', { key: fresh.test })).statusCode).toBe(200);

    const graced = await h.call('POST', `/v1/workspaces/${w.id}/keys/roll`, { body: { expires_in: 60 } });
    expect(graced.statusCode).toBe(200);
    const newest = graced.json().keys as { test: string };
    h.clock.advance(59_999);
    expect((await h.call('GET', '/v1/events', { key: fresh.test })).statusCode).toBe(200);
    h.clock.advance(1);
    expectProblem(await h.call('GET', '/v1/events', { key: fresh.test }), 401);
    expect((await h.call('GET', '/v1/events', { key: newest.test })).statusCode).toBe(200);
    expectProblem(await h.call('POST', '/v1/workspaces/wksp_000000000000000000000000/keys/roll'), 404);
  });
});

describe('tenant and mode isolation', () => {
  let h: TestHookd;
  let a: Ws;
  let b: Ws;
  beforeAll(async () => { h = await startHookd(); a = await h.workspace('A'); b = await h.workspace('B'); });
  afterAll(() => h.close());

  it('never shows or changes another workspace\'s endpoints and events', async () => {
    const ep = await createEndpoint(h, b.test, { ...HOOK, description: 'B only' });
    const evt = await publish(h, b.test, { secret: 'b-data' });
    const mine = await createEndpoint(h, a.test);
    const endpoint = `/v1/webhooks/endpoints/${ep.id}`;
    for (const res of [
      await h.call('GET', endpoint, { key: a.test }),
      await h.call('PATCH', endpoint, { key: a.test, body: { description: 'hijacked' } }),
      await h.call('DELETE', endpoint, { key: a.test }),
      await h.call('GET', `/v1/events/${evt}`, { key: a.test }),
      await h.call('POST', `/v1/events/${evt}/redact`, { key: a.test }),
    ]) {
      expectProblem(res, 404);
      expect(res.body).not.toContain('B only');
      expect(res.body).not.toContain('b-data');
    }
    expect((await h.call('GET', endpoint, { key: b.test })).json()).toMatchObject({ description: 'B only', etag: ep.etag });
    expect((await h.call('GET', `/v1/events/${evt}`, { key: b.test })).json()).toMatchObject({ data: { object: { secret: 'b-data' } }, redaction: null });
    expect(ids(await h.call('GET', '/v1/webhooks/endpoints', { key: a.test }))).toEqual([mine.id]);
    expect(ids(await h.call('GET', '/v1/events', { key: a.test }))).toEqual([]);
  });

  it('keeps test and live apart, and the platform key sees exactly the workspace and mode it names', async () => {
    const w = await h.workspace('modes');
    const testEp = await createEndpoint(h, w.test);
    const liveEp = await createEndpoint(h, w.live);
    const testEvt = await publish(h, w.test);
    const liveEvt = await publish(h, w.live);
    expectProblem(await h.call('GET', `/v1/webhooks/endpoints/${liveEp.id}`, { key: w.test }), 404);
    expectProblem(await h.call('GET', `/v1/webhooks/endpoints/${testEp.id}`, { key: w.live }), 404);
    expectProblem(await h.call('GET', `/v1/events/${liveEvt}`, { key: w.test }), 404);
    expectProblem(await h.call('GET', `/v1/events/${testEvt}`, { key: w.live }), 404);
    expect(ids(await h.call('GET', '/v1/webhooks/endpoints', { key: w.test }))).toEqual([testEp.id]);
    expect(ids(await h.call('GET', '/v1/webhooks/endpoints', { key: w.live }))).toEqual([liveEp.id]);
    expect(ids(await h.call('GET', '/v1/events', { key: w.test }))).toEqual([testEvt]);
    expect(ids(await h.call('GET', '/v1/events', { key: w.live }))).toEqual([liveEvt]);

    const as = (live?: string) => ({ headers: { 'x-workspace-id': w.id, ...(live ? { 'x-live-mode': live } : {}) } });
    expect(ids(await h.call('GET', '/v1/events', as('true')))).toEqual([liveEvt]);
    expect(ids(await h.call('GET', '/v1/events', as('True')))).toEqual([liveEvt]);
    expect(ids(await h.call('GET', '/v1/events', as('False')))).toEqual([testEvt]);
    expect(ids(await h.call('GET', '/v1/events', as('false')))).toEqual([testEvt]);
    expect(ids(await h.call('GET', '/v1/events', as()))).toEqual([testEvt]);
    expect(ids(await h.call('GET', '/v1/webhooks/endpoints', as('true')))).toEqual([liveEp.id]);
    expect((await h.call('GET', `/v1/webhooks/endpoints/${liveEp.id}`, as('true'))).statusCode).toBe(200);
    expectProblem(await h.call('GET', `/v1/webhooks/endpoints/${liveEp.id}`, as('false')), 404);
  });
});

describe('request ids and problem documents', () => {
  let h: TestHookd;
  beforeAll(async () => { h = await startHookd(); });
  afterAll(() => h.close());

  it('puts X-Request-Id on every answer, and the problem\'s traceId equals it', async () => {
    const ws = await h.workspace();
    const ep = await createEndpoint(h, ws.test);
    const answers = [
      await h.call('GET', '/health', { key: null }),
      await h.call('GET', '/v1/events', { key: ws.test }),
      await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'customer.created', data: { object: {} } } }),
      await h.call('GET', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test, headers: { 'if-none-match': `"${ep.etag}"` } }),
      await h.call('DELETE', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test, headers: { 'if-match': `"${ep.etag}"` } }),
    ];
    const problems = [
      await h.call('GET', '/v1/events', { key: null }),
      await h.call('GET', '/v1/workspaces', { key: ws.test }),
      await h.call('GET', '/v1/nowhere', { key: ws.test }),
      await h.call('GET', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test }),
      await h.call('GET', '/v1/events?count=0', { key: ws.test }),
      await h.call('POST', '/v1/events', { key: ws.test, body: '{"type": ', headers: { 'content-type': 'application/json' } }),
      await h.call('POST', '/v1/events', { key: ws.test, body: 'type=x', headers: { 'content-type': 'text/plain' } }),
      await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'no.such_type', data: { object: {} } } }),
      await h.call('GET', '/v1/events/evt_x', { key: ws.test }),
    ];
    const seen = new Set<string>();
    for (const res of [...answers, ...problems]) {
      const id = res.headers['x-request-id'] as string;
      expect(id, `${res.statusCode} ${res.body}`).toMatch(/^req_[0-9A-Za-z]{24}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(answers.length + problems.length);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 201, 304, 204]);
    expect(problems.map((r) => r.statusCode)).toEqual([401, 403, 404, 404, 400, 400, 415, 400, 400]);
    for (const res of problems) {
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const p = problem(res);
      expect(p.traceId).toBe(res.headers['x-request-id']);
      expect(p.type).toMatch(/^urn:hookd:problem:[a-z_]+$/);
      expect(typeof p.title).toBe('string');
      expect(p.status).toBe(res.statusCode);
      expect(p.instance).toMatch(/^\/v1\//);
      expect(res.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
    }
  });
});

describe('PATCH as JSON merge patch', () => {
  let h: TestHookd;
  let ws: Ws;
  beforeAll(async () => { h = await startHookd(); ws = await h.workspace(); });
  afterAll(() => h.close());
  const mergePatch = (id: string, body: unknown) =>
    h.call('PATCH', `/v1/webhooks/endpoints/${id}`, { key: ws.test, body, headers: { 'content-type': 'application/merge-patch+json' } });

  it('leaves absent fields, clears with null, and merges metadata key by key', async () => {
    const ep = await createEndpoint(h, ws.test, { ...HOOK, description: 'd', metadata: { a: '1', b: '2', c: '3' } });
    const cleared = await mergePatch(ep.id, { description: null });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json()).toMatchObject({ description: null, url: HOOK.url, metadata: { a: '1', b: '2', c: '3' } });

    const merged = await mergePatch(ep.id, { metadata: { a: null, d: '4' } });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(merged.json().metadata).toEqual({ b: '2', c: '3', d: '4' });

    const none = await mergePatch(ep.id, { metadata: null });
    expect(none.json().metadata).toEqual({});
    const stored = (await h.call('GET', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test })).json();
    expect(stored).toMatchObject({ description: null, metadata: {}, url: HOOK.url, events: ['*'] });
  });

  it('refuses to clear url, and plain application/json works too', async () => {
    const ep = await createEndpoint(h, ws.test);
    expectProblem(await mergePatch(ep.id, { url: null }), 400, 'url');
    expect((await h.call('GET', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test })).json().url).toBe(HOOK.url);
    const json = await h.call('PATCH', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test, body: { status: 'disabled' } });
    expect(json.statusCode).toBe(200);
    expect(json.json().status).toBe('disabled');
  });
});

describe('rate limits', () => {
  it('a workspace key gets its burst, then 429 with Retry-After; the platform key is not limited', async () => {
    const h = await startHookd({ rateLimit: { rate: 1, burst: 2 } });
    try {
      const ws = await h.workspace();
      expect((await h.call('GET', '/v1/events', { key: ws.test })).statusCode).toBe(200);
      expect((await h.call('GET', '/v1/events', { key: ws.test })).statusCode).toBe(200);
      const limited = await h.call('GET', '/v1/events', { key: ws.test });
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('1');
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(limited.json()).toMatchObject({ type: 'urn:hookd:problem:rate_limited', status: 429 });
      // Each key has its own bucket, and the platform key none.
      expect((await h.call('GET', '/v1/events', { key: ws.live })).statusCode).toBe(200);
      for (let i = 0; i < 5; i++) {
        expect((await h.call('GET', '/v1/events', { headers: { 'x-workspace-id': ws.id } })).statusCode).toBe(200);
      }
      h.clock.advance(1_000);
      expect((await h.call('GET', '/v1/events', { key: ws.test })).statusCode).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('HOOKD_PLATFORM_RATE_LIMIT limits the platform key when set', async () => {
    const h = await startHookd({ platformRateLimit: { rate: 1, burst: 1 } });
    try {
      expect((await h.call('GET', '/v1/workspaces')).statusCode).toBe(200);
      expect((await h.call('GET', '/v1/workspaces')).statusCode).toBe(429);
    } finally {
      await h.close();
    }
  });
});

describe('security headers and CORS', () => {
  it('every API answer is uncacheable, unsniffable and unframeable, and CORS is off by default', async () => {
    const h = await startHookd();
    try {
      const res = await h.call('POST', '/v1/workspaces', { body: { name: 'Acme' }, headers: { origin: 'https://evil.example' } });
      expect(res.statusCode).toBe(201);
      expect(res.headers).toMatchObject({
        'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer',
      });
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const problemAnswer = await h.call('GET', '/v1/events', { key: null });
      expect(problemAnswer.headers['cache-control']).toBe('no-store');
      const preflight = await h.app.inject({ method: 'OPTIONS', url: '/v1/events', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await h.close();
    }
  });

  it('HOOKD_CORS_ORIGINS lets the listed origins call the API from a browser', async () => {
    const h = await startHookd({ corsOrigins: ['https://dashboard.example'] });
    try {
      const preflight = await h.app.inject({
        method: 'OPTIONS', url: '/v1/events', headers: { origin: 'https://dashboard.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://dashboard.example');
      expect(preflight.headers['access-control-allow-headers']).toContain('X-Idempotency-Key');
      const res = await h.call('GET', '/v1/workspaces', { headers: { origin: 'https://dashboard.example' } });
      expect(res.headers['access-control-allow-origin']).toBe('https://dashboard.example');
      expect(res.headers['access-control-expose-headers']).toContain('X-Continuation-Token');
      const other = await h.call('GET', '/v1/workspaces', { headers: { origin: 'https://other.example' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await h.close();
    }
  });
});

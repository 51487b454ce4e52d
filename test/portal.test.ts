/**
 * Portal sessions (docs/dashboard.md): POST /v1/portal/sessions hands the platform a link whose token then
 * acts for one workspace and mode only, until it expires; and the secret reveal route the
 * dashboard's Reveal button calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_KEY, problem, startHookd, type TestHookd } from './helpers.js';

describe('portal sessions', () => {
  let h: TestHookd;
  let a: { id: string; test: string; live: string };
  let b: { id: string; test: string; live: string };
  let aTestEndpoint: { id: string; secret: string };
  let aLiveEndpoint: { id: string };
  let bEndpoint: { id: string };

  beforeAll(async () => {
    h = await startHookd({ publicUrl: 'https://hooks.example.com' });
    a = await h.workspace('A');
    b = await h.workspace('B');
    const create = async (key: string, url: string) => {
      const res = await h.call('POST', '/v1/webhooks/endpoints', { key, body: { url, events: ['*'] } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { id: string; secret: string };
    };
    aTestEndpoint = await create(a.test, 'https://a.example.com/test');
    aLiveEndpoint = await create(a.live, 'https://a.example.com/live');
    bEndpoint = await create(b.test, 'https://b.example.com/test');
  });
  afterAll(async () => h.close());

  async function portalToken(body: Record<string, unknown>): Promise<{ token: string; url: string; expires: string }> {
    const res = await h.call('POST', '/v1/portal/sessions', { body });
    expect(res.statusCode, res.body).toBe(201);
    const { url, expires } = res.json() as { url: string; expires: string };
    return { url, expires, token: url.split('#portal=')[1]! };
  }

  it('answers a link under HOOKD_PUBLIC_URL that expires after expires_in', async () => {
    const { url, expires, token } = await portalToken({ workspace: a.id, live: false, expires_in: 600 });
    expect(url).toMatch(/^https:\/\/hooks\.example\.com\/#portal=hkps_[\w-]+\.[\w-]+$/);
    expect(token).toBeTruthy();
    expect(expires).toBe(new Date(h.clock.now() + 600_000).toISOString());
  });

  it('acts for its workspace and mode only', async () => {
    const { token } = await portalToken({ workspace: a.id, live: false });
    const list = await h.call('GET', '/v1/webhooks/endpoints', { key: token });
    expect(list.statusCode).toBe(200);
    expect((list.json() as { id: string }[]).map((e) => e.id)).toEqual([aTestEndpoint.id]);
    // Another workspace's endpoint and the other mode's are not there for it.
    expect((await h.call('GET', `/v1/webhooks/endpoints/${bEndpoint.id}`, { key: token })).statusCode).toBe(404);
    expect((await h.call('GET', `/v1/webhooks/endpoints/${aLiveEndpoint.id}`, { key: token })).statusCode).toBe(404);
    expect((await h.call('GET', '/v1/webhooks/endpoints', { key: token, headers: { 'x-workspace-id': b.id } })).statusCode).toBe(403);
    expect((await h.call('GET', '/v1/webhooks/endpoints', { key: token, headers: { 'x-live-mode': 'true' } })).statusCode).toBe(403);

    const live = await portalToken({ workspace: a.id, live: true });
    const liveList = await h.call('GET', '/v1/webhooks/endpoints', { key: live.token });
    expect((liveList.json() as { id: string }[]).map((e) => e.id)).toEqual([aLiveEndpoint.id]);
  });

  it('cannot do what only the platform may, nor publish events', async () => {
    const { token } = await portalToken({ workspace: a.id, live: false });
    expect((await h.call('GET', '/v1/workspaces', { key: token })).statusCode).toBe(403);
    expect((await h.call('POST', '/v1/portal/sessions', { key: token, body: { workspace: a.id, live: false } })).statusCode).toBe(403);
    const publish = await h.call('POST', '/v1/events', { key: token, body: { type: 'payment.succeeded', data: { object: { id: 'p' } } } });
    expect(publish.statusCode).toBe(403);
    expect(problem(publish).title).toBe('Portal sessions cannot publish events');
  });

  it('is refused a publish even with the X-Idempotency-Key and body of one a key made', async () => {
    const body = { type: 'payment.succeeded', data: { object: { id: 'pa_replayed' } } };
    const headers = { 'x-idempotency-key': 'publish-by-key' };
    const published = await h.call('POST', '/v1/events', { key: a.test, body, headers });
    expect(published.statusCode).toBe(201);
    const { token } = await portalToken({ workspace: a.id, live: false });
    const replayed = await h.call('POST', '/v1/events', { key: token, body, headers });
    expect(replayed.statusCode, replayed.body).toBe(403);
    expect(replayed.headers['x-cached-response']).toBeUndefined();
    expect(problem(replayed).title).toBe('Portal sessions cannot publish events');
    // The key itself still gets its answer back.
    const again = await h.call('POST', '/v1/events', { key: a.test, body, headers });
    expect(again.headers['x-cached-response']).toBe('true');
    expect(again.body).toBe(published.body);
  });

  it('keeps the X-Idempotency-Keys of keys, portal sessions and the platform key apart', async () => {
    const body = { url: 'https://a.example.com/idempotent', events: ['*'] };
    const headers = { 'x-idempotency-key': 'same-key-three-callers' };
    const create = (key: string, extra: Record<string, string> = {}) => h.call('POST', '/v1/webhooks/endpoints', { key, body, headers: { ...headers, ...extra } });
    const { token } = await portalToken({ workspace: a.id, live: false });
    const byPortal = await create(token);
    const byKey = await create(a.test);
    const byPlatform = await create(PLATFORM_KEY, { 'x-workspace-id': a.id });
    const answers = [byPortal, byKey, byPlatform];
    for (const res of answers) {
      expect(res.statusCode, res.body).toBe(201);
      expect(res.headers['x-cached-response']).toBeUndefined();
    }
    // Three endpoints, three secrets: no caller was handed another's answer.
    expect(new Set(answers.map((r) => r.json().id)).size).toBe(3);
    // Each replays its own; another portal session of the same workspace and mode is the same caller.
    const again = [await create((await portalToken({ workspace: a.id, live: false })).token), await create(a.test), await create(PLATFORM_KEY, { 'x-workspace-id': a.id })];
    again.forEach((res, i) => {
      expect(res.headers['x-cached-response']).toBe('true');
      expect(res.body).toBe(answers[i]!.body);
    });
    for (const res of answers) await h.call('DELETE', `/v1/webhooks/endpoints/${res.json().id}`, { key: a.test });
  });

  it('stops working when it expires, or when a byte of it changes', async () => {
    const { token } = await portalToken({ workspace: a.id, live: false, expires_in: 60 });
    expect((await h.call('GET', '/v1/webhooks/endpoints', { key: token })).statusCode).toBe(200);
    const tampered = token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await h.call('GET', '/v1/webhooks/endpoints', { key: tampered })).statusCode).toBe(401);
    h.clock.advance(60_001);
    const expired = await h.call('GET', '/v1/webhooks/endpoints', { key: token });
    expect(expired.statusCode).toBe(401);
    expect(expired.headers['www-authenticate']).toBeTruthy();
  });

  it.each([
    ['no workspace', { live: false }, 400, 'workspace'],
    ['a malformed workspace', { workspace: 'acme', live: false }, 400, 'workspace'],
    ['no live', { workspace: 'WS' }, 400, 'live'],
    ['live as text', { workspace: 'WS', live: 'false' }, 400, 'live'],
    ['expires_in too short', { workspace: 'WS', live: false, expires_in: 10 }, 400, 'expires_in'],
    ['expires_in too long', { workspace: 'WS', live: false, expires_in: 86_401 }, 400, 'expires_in'],
    ['an unknown field', { workspace: 'WS', live: false, scope: 'all' }, 400, 'scope'],
    ['a workspace that does not exist', { workspace: `wksp_${'0'.repeat(24)}`, live: false }, 404, 'workspace'],
  ])('refuses %s, naming the field', async (_name, body, status, field) => {
    const sent = JSON.parse(JSON.stringify(body).replace('"WS"', JSON.stringify(a.id))) as Record<string, unknown>;
    const res = await h.call('POST', '/v1/portal/sessions', { body: sent });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(Object.keys(problem(res).errors ?? {})).toContain(field);
  });

  it('is for the platform key only', async () => {
    const res = await h.call('POST', '/v1/portal/sessions', { key: a.test, body: { workspace: a.id, live: false } });
    expect(res.statusCode).toBe(403);
  });
});

describe('revealing an endpoint secret', () => {
  let h: TestHookd;
  beforeAll(async () => {
    h = await startHookd();
  });
  afterAll(async () => h.close());

  it('answers the whole secret to its own workspace and mode, 404 to others, and follows a roll', async () => {
    const a = await h.workspace('A');
    const b = await h.workspace('B');
    const created = (await h.call('POST', '/v1/webhooks/endpoints', { key: a.test, body: { url: 'https://a.example.com/x', events: ['*'] } })).json() as { id: string; secret: string };
    const shown = await h.call('GET', `/v1/webhooks/endpoints/${created.id}/secret`, { key: a.test });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toEqual({ secret: created.secret, previous: [], previous_public_keys: [] });
    expect((await h.call('GET', `/v1/webhooks/endpoints/${created.id}/secret`, { key: b.test })).statusCode).toBe(404);
    expect((await h.call('GET', `/v1/webhooks/endpoints/${created.id}/secret`, { key: a.live })).statusCode).toBe(404);

    const rolled = (await h.call('POST', `/v1/webhooks/endpoints/${created.id}/secret/roll`, { key: a.test })).json() as { secret: string };
    const after = (await h.call('GET', `/v1/webhooks/endpoints/${created.id}/secret`, { key: a.test })).json() as { secret: string; previous: { expires: string }[] };
    expect(after.secret).toBe(rolled.secret);
    expect(after.secret).not.toBe(created.secret);
    expect(after.previous).toEqual([{ expires: new Date(h.clock.now() + 86_400_000).toISOString() }]);
  });
});

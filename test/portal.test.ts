/**
 * Portal sessions (issue 9): POST /v1/portal/sessions hands the platform a link whose token then
 * acts for one workspace and mode only, until it expires; and the secret reveal route the
 * dashboard's Reveal button calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problem, startHookd, type TestHookd } from './helpers.js';

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
    expect(shown.json()).toEqual({ secret: created.secret, previous: [] });
    expect((await h.call('GET', `/v1/webhooks/endpoints/${created.id}/secret`, { key: b.test })).statusCode).toBe(404);
    expect((await h.call('GET', `/v1/webhooks/endpoints/${created.id}/secret`, { key: a.live })).statusCode).toBe(404);

    const rolled = (await h.call('POST', `/v1/webhooks/endpoints/${created.id}/secret/roll`, { key: a.test })).json() as { secret: string };
    const after = (await h.call('GET', `/v1/webhooks/endpoints/${created.id}/secret`, { key: a.test })).json() as { secret: string; previous: { expires: string }[] };
    expect(after.secret).toBe(rolled.secret);
    expect(after.secret).not.toBe(created.secret);
    expect(after.previous).toEqual([{ expires: new Date(h.clock.now() + 86_400_000).toISOString() }]);
  });
});

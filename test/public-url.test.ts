/**
 * The URLs hookd hands out (portal links, listen URLs) start with HOOKD_PUBLIC_URL, or else the
 * address the server is bound to; a request's Host header never chooses them, since a portal
 * link built from it would send its token wherever the requester pointed it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';

const EVIL = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };

async function handedOut(h: TestHookd): Promise<{ portal: string; listen: string }> {
  const ws = await h.workspace();
  const portal = await h.call('POST', '/v1/portal/sessions', { body: { workspace: ws.id, live: false }, headers: EVIL });
  expect(portal.statusCode, portal.body).toBe(201);
  const listen = await h.call('POST', '/v1/realtime/negotiate/events', { key: ws.test, headers: EVIL });
  expect(listen.statusCode, listen.body).toBe(200);
  return { portal: (portal.json() as { url: string }).url, listen: (listen.json() as { url: string }).url };
}

describe('without HOOKD_PUBLIC_URL', () => {
  let h: TestHookd;
  let port: number;
  beforeAll(async () => {
    h = await startHookd({ publicUrl: '' });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.server.address() as { port: number }).port;
  });
  afterAll(async () => h.close());

  it('portal links and listen URLs point at the listening address, whatever Host says', async () => {
    const { portal, listen } = await handedOut(h);
    expect(portal).not.toContain('evil.example');
    expect(listen).not.toContain('evil.example');
    expect(portal).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/#portal=hkps_`));
    expect(listen).toBe(`ws://127.0.0.1:${port}/v1/realtime/events`);
  });
});

describe('with HOOKD_PUBLIC_URL', () => {
  let h: TestHookd;
  beforeAll(async () => {
    h = await startHookd({ publicUrl: 'https://hooks.example.com' });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => h.close());

  it('portal links and listen URLs use it', async () => {
    const { portal, listen } = await handedOut(h);
    expect(portal).toMatch(/^https:\/\/hooks\.example\.com\/#portal=hkps_/);
    expect(listen).toBe('wss://hooks.example.com/v1/realtime/events');
  });
});

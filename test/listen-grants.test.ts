/**
 * A listen grant never outlives the credential that negotiated it: it ends no later than a
 * portal session or a rolled key's grace, and a key roll ends every grant of the workspace, on
 * connect (401) and on sockets already open (closed within a tick of the hub), also when the
 * roll lands on another API process (PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookd, TEST_STORE, type TestHookd } from './helpers.js';
import { openListenSocket, PROTOCOL } from './listen-socket.js';
import { until } from './wait.js';

const CLOSE_EXPIRED = 4001;
const CLOSE_REVOKED = 4003;
/** ms to wait for a close the server owes: the hub ticks every 500 ms, so this is slack, not the bound asserted. */
const CLOSE_WITHIN = 5_000;

interface Grant { url: string; expires: string; token: string }

async function negotiate(h: TestHookd, key: string): Promise<Grant> {
  const res = await h.call('POST', '/v1/realtime/negotiate/events', { key });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Grant;
}

/** The upgrade request as a WebSocket client sends it, through inject: its refusal's status is readable. */
function connect(h: TestHookd, token: string) {
  return h.call('GET', '/v1/realtime/events', {
    key: null,
    headers: { authorization: `Bearer ${token}`, upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': PROTOCOL },
  });
}

async function listening(h: TestHookd): Promise<string> {
  return `${(await h.app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws')}/v1/realtime/events`;
}

describe('listen grants end with their credential', () => {
  let h: TestHookd;
  let url: string;
  beforeAll(async () => {
    h = await startHookd();
    url = await listening(h);
  });
  afterAll(async () => h.close());

  it('a portal session\'s grant ends when the session does: refused on connect, and an open socket is closed', async () => {
    const ws = await h.workspace();
    const portal = await h.call('POST', '/v1/portal/sessions', { body: { workspace: ws.id, live: false, expires_in: 60 } });
    expect(portal.statusCode, portal.body).toBe(201);
    const { url: link, expires: sessionEnds } = portal.json() as { url: string; expires: string };
    const grant = await negotiate(h, link.split('#portal=')[1]!);
    expect(Date.parse(grant.expires)).toBe(Date.parse(sessionEnds));

    const socket = await openListenSocket(url, grant.token);
    h.clock.advance(60_000);
    expect(await socket.waitForClose(CLOSE_WITHIN)).toMatchObject({ code: CLOSE_EXPIRED });
    const refused = await connect(h, grant.token);
    expect(refused.statusCode, refused.body).toBe(401);
  });

  it('a key roll closes the workspace\'s open sockets, and their grants are refused with 401', async () => {
    const ws = await h.workspace();
    const other = await h.workspace('Other');
    const grant = await negotiate(h, ws.test);
    const liveGrant = await negotiate(h, ws.live);
    const socket = await openListenSocket(url, grant.token);
    const liveSocket = await openListenSocket(url, liveGrant.token);
    const untouched = await openListenSocket(url, (await negotiate(h, other.test)).token);

    const roll = await h.call('POST', `/v1/workspaces/${ws.id}/keys/roll`);
    expect(roll.statusCode, roll.body).toBe(200);
    expect(await socket.waitForClose(CLOSE_WITHIN)).toMatchObject({ code: CLOSE_REVOKED });
    expect(await liveSocket.waitForClose(CLOSE_WITHIN)).toMatchObject({ code: CLOSE_REVOKED });
    const refused = await connect(h, grant.token);
    expect(refused.statusCode, refused.body).toBe(401);
    expect(refused.json().detail).toMatch(/keys were rolled/);

    // The new key listens; another workspace's socket never noticed.
    const rolled = roll.json() as { keys: { test: string } };
    const fresh = await openListenSocket(url, (await negotiate(h, rolled.keys.test)).token);
    const sent = await h.call('POST', '/v1/events', { key: other.test, body: { type: 'payment.succeeded', data: { object: {} } } });
    await until('the other workspace\'s socket got its event', () => untouched.messages.length > 0, CLOSE_WITHIN, 20);
    expect(untouched.messages).toEqual([{ type: 'event', object: sent.json() }]);
    expect(untouched.closed).toBeNull();
    fresh.ws.close();
    untouched.ws.close();
  });

  it('a rolled key in its grace negotiates grants that end with the grace', async () => {
    const ws = await h.workspace();
    const roll = await h.call('POST', `/v1/workspaces/${ws.id}/keys/roll`, { body: { expires_in: 600 } });
    expect(roll.statusCode, roll.body).toBe(200);
    const grant = await negotiate(h, ws.test);
    expect(Date.parse(grant.expires)).toBe(h.clock.now() + 600_000);
    const socket = await openListenSocket(url, grant.token);
    h.clock.advance(600_000);
    expect(await socket.waitForClose(CLOSE_WITHIN)).toMatchObject({ code: CLOSE_EXPIRED });
    expect((await connect(h, grant.token)).statusCode).toBe(401);
  });
});

describe.skipIf(TEST_STORE !== 'postgres')('listen grants across API processes (PostgreSQL)', () => {
  let h: TestHookd;
  let peer: TestHookd;
  let peerUrl: string;
  beforeAll(async () => {
    h = await startHookd();
    peer = await h.peer();
    peerUrl = await listening(peer);
  });
  afterAll(async () => h.close());

  it('a roll on one process closes the workspace\'s sockets on another, and that one refuses the old grant', async () => {
    const ws = await h.workspace();
    const grant = await negotiate(peer, ws.test);
    const socket = await openListenSocket(peerUrl, grant.token);

    const roll = await h.call('POST', `/v1/workspaces/${ws.id}/keys/roll`);
    expect(roll.statusCode, roll.body).toBe(200);
    expect(await socket.waitForClose(CLOSE_WITHIN)).toMatchObject({ code: CLOSE_REVOKED });
    expect((await connect(peer, grant.token)).statusCode).toBe(401);
  });
});

/**
 * HOOKD_EGRESS_PROXY with a real proxy (test/tinyproxy.ts): deliveries leave through CONNECT
 * tunnels to the address the SSRF guard checked, never to a name the proxy would resolve;
 * https runs TLS end to end over the tunnel, verified against the endpoint's host name; a name
 * that resolves to a refused address never reaches the proxy (docs/security.md, "Egress proxy").
 */
import { connect as tcpConnect, type AddressInfo } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';
import { startTinyproxy, tinyproxyAvailable, type Tinyproxy } from './tinyproxy.js';
import { makeTestCertificates, type TestCertificates } from './tls-certs.js';
import { untilValue } from './wait.js';

interface Delivery { status: string; attempts: { error: string | null; code: number | null }[] }

describe.runIf(tinyproxyAvailable())('egress proxy', () => {
  let certs: TestCertificates;
  let proxy: Tinyproxy;
  let h: TestHookd;
  let key: string;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    certs = makeTestCertificates();
    proxy = await startTinyproxy();
    h = await startHookd({ egressProxy: proxy.url }, { dispatcher: true, trust: [certs.ca] });
    key = (await h.workspace()).test;
    expect((await h.call('POST', '/v1/event_types', { body: { name: 'proxy.test' } })).statusCode).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
    for (const r of receivers) await r.close();
    await proxy?.stop();
    certs?.remove();
  });

  /** Creates an endpoint for `url` on `on`, publishes one event, and returns its delivery once it ended. */
  async function deliverOnce(on: TestHookd, apiKey: string, url: string, extra: Record<string, unknown> = {}): Promise<Delivery> {
    const endpoint = await on.call('POST', '/v1/webhooks/endpoints', { key: apiKey, body: { url, events: ['proxy.test'], retry_schedule: ['0'], ...extra } });
    expect(endpoint.statusCode, endpoint.body).toBe(201);
    const { id } = endpoint.json() as { id: string };
    const event = (await on.call('POST', '/v1/events', { key: apiKey, body: { type: 'proxy.test', data: { object: { id: 'pa_1' } } } })).json() as { id: string };
    const done = await untilValue('the delivery ended', async () => {
      const [d] = (await on.call('GET', `/v1/webhooks?event=${event.id}&endpoint=${id}`, { key: apiKey })).json() as Delivery[];
      return d && d.status !== 'pending' ? d : undefined;
    }, 15_000);
    // Its endpoint takes no further events: each test's publish reaches only its own.
    await on.call('DELETE', `/v1/webhooks/endpoints/${id}`, { key: apiKey });
    return done;
  }

  const port = (r: Receiver) => new URL(r.url).port;

  it('sends http through a CONNECT tunnel to the checked address, not the name', async () => {
    const receiver = await startReceiver(undefined, { host: 'localhost' });
    receivers.push(receiver);
    const d = await deliverOnce(h, key, receiver.url);
    expect(d).toMatchObject({ status: 'succeeded', attempts: [{ code: 200, error: null }] });
    expect(receiver.received).toHaveLength(1);
    expect(proxy.log()).toContain(`CONNECT 127.0.0.1:${port(receiver)} HTTP/1.1`);
    expect(proxy.log()).not.toContain(`localhost:${port(receiver)}`);
  });

  it('runs https over the tunnel, verified against the host name, with the client certificate', async () => {
    // Its certificate names localhost only: verified against the tunnel's 127.0.0.1 it would be refused.
    const receiver = await startReceiver(undefined, {
      host: 'localhost', tls: { cert: certs.namedServer.certificate, key: certs.namedServer.privateKey, ca: certs.ca, requestCert: true },
    });
    receivers.push(receiver);
    const d = await deliverOnce(h, key, receiver.url, { client_certificate: { certificate: certs.client.certificate, private_key: certs.client.privateKey } });
    expect(d).toMatchObject({ status: 'succeeded', attempts: [{ code: 200, error: null }] });
    expect(receiver.received.map((r) => r.client)).toEqual(['hookd-client']);
    expect(proxy.log()).toContain(`CONNECT 127.0.0.1:${port(receiver)} HTTP/1.1`);
  });

  it('refuses a receiver whose certificate does not name the host, though the tunnel reached it', async () => {
    const receiver = await startReceiver(undefined, { tls: { cert: certs.namedServer.certificate, key: certs.namedServer.privateKey } });
    receivers.push(receiver);
    const d = await deliverOnce(h, key, receiver.url);
    expect(d).toMatchObject({ status: 'failed', attempts: [{ code: null, error: 'the receiver\'s certificate is not valid for the endpoint\'s host name' }] });
    expect(receiver.received).toEqual([]);
  });

  it('reaches an https:// proxy over TLS, verified against its name, and tunnels through it', async () => {
    // An https proxy: a TLS front (certificate for localhost from the test CA) before tinyproxy.
    const tinyproxyPort = Number(new URL(proxy.url).port);
    const front: TlsServer = createTlsServer({ cert: certs.server.certificate, key: certs.server.privateKey }, (socket) => {
      const upstream = tcpConnect(tinyproxyPort, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const secured = await startHookd({ egressProxy: `https://localhost:${(front.address() as AddressInfo).port}` }, { dispatcher: true, trust: [certs.ca] });
    try {
      const apiKey = (await secured.workspace()).test;
      expect((await secured.call('POST', '/v1/event_types', { body: { name: 'proxy.test' } })).statusCode).toBe(201);
      const receiver = await startReceiver(undefined, { host: 'localhost' });
      receivers.push(receiver);
      const d = await deliverOnce(secured, apiKey, receiver.url);
      expect(d).toMatchObject({ status: 'succeeded', attempts: [{ code: 200, error: null }] });
      expect(receiver.received).toHaveLength(1);
      expect(proxy.log()).toContain(`CONNECT 127.0.0.1:${port(receiver)} HTTP/1.1`);
    } finally {
      await secured.close();
      await new Promise((resolve) => front.close(resolve));
    }
  });

  it('refuses an https:// proxy whose certificate it does not trust, and records why', async () => {
    // Its certificate comes from a CA hookd does not trust.
    const front: TlsServer = createTlsServer({ cert: certs.stranger.certificate, key: certs.stranger.privateKey }, (socket) => socket.end());
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const secured = await startHookd({ egressProxy: `https://localhost:${(front.address() as AddressInfo).port}` }, { dispatcher: true, trust: [certs.ca] });
    try {
      const apiKey = (await secured.workspace()).test;
      expect((await secured.call('POST', '/v1/event_types', { body: { name: 'proxy.test' } })).statusCode).toBe(201);
      const receiver = await startReceiver(undefined, { host: 'localhost' });
      receivers.push(receiver);
      const d = await deliverOnce(secured, apiKey, receiver.url);
      expect(d.status).toBe('failed');
      expect(d.attempts[0]!.error).toMatch(/^the egress proxy https:\/\/localhost:\d+ cannot be reached: UNABLE_TO_VERIFY_LEAF_SIGNATURE$/);
      expect(receiver.received).toEqual([]);
    } finally {
      await secured.close();
      await new Promise((resolve) => front.close(resolve));
    }
  });

  it('a name resolving to loopback is refused by the SSRF guard and never reaches the proxy', async () => {
    const guarded = await startHookd({ egressProxy: proxy.url, allowNetworks: [] }, { dispatcher: true });
    try {
      const apiKey = (await guarded.workspace()).test;
      expect((await guarded.call('POST', '/v1/event_types', { body: { name: 'proxy.test' } })).statusCode).toBe(201);
      const receiver = await startReceiver(undefined, { host: 'localhost' });
      receivers.push(receiver);
      const d = await deliverOnce(guarded, apiKey, receiver.url);
      expect(d).toMatchObject({ status: 'failed', attempts: [{ code: null, error: 'refused by the SSRF guard: localhost resolves to 127.0.0.1 is a loopback address' }] });
      expect(receiver.received).toEqual([]);
      expect(proxy.log()).not.toContain(`:${port(receiver)} HTTP/1.1`);
    } finally {
      await guarded.close();
    }
  });
});

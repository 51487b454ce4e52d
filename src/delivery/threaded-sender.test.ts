import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver } from '../../test/receiver.js';
import { makeTestCertificates } from '../../test/tls-certs.js';
import { signatureHeaders } from './signing.js';
import type { Sender } from './sender.js';
import { createThreadedSender } from './threaded-sender.js';

// The thread runs compiled JavaScript: the suite's global setup builds dist/ first.
const entry = new URL('../../dist/delivery/sender-thread.js', import.meta.url);
const SECRET = 'fwhs_' + Buffer.alloc(32, 7).toString('base64');

async function listen(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

describe('threaded sender', () => {
  const undo: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of undo.splice(0).reverse()) await step();
  });
  const open = (threads: number, overrides: Partial<Parameters<typeof createThreadedSender>[0]> = {}): Sender => {
    const sender = createThreadedSender({ connectTimeout: 1_000, requestTimeout: 10_000, allowNetworks: ['127.0.0.0/8'], threads, entry, ...overrides });
    undo.push(() => sender.close());
    return sender;
  };
  const serve = async (handler: Parameters<typeof listen>[0]) => {
    const { url, server } = await listen(handler);
    undo.push(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));
    return url;
  };

  it('presents a client certificate from a thread, and none for a request without one', async () => {
    const certs = makeTestCertificates();
    undo.push(async () => certs.remove());
    const receiver = await startReceiver(undefined, { tls: { cert: certs.server.certificate, key: certs.server.privateKey, ca: certs.ca, requestCert: true } });
    undo.push(() => receiver.close());
    const sender = open(1, { trust: [certs.ca] });
    const headers = { 'content-type': 'application/json' };
    const [withCertificate, without] = await Promise.all([
      sender.send({ url: receiver.url, body: '{}', headers, clientCertificate: certs.client }),
      sender.send({ url: receiver.url, body: '{}', headers }),
    ]);
    expect(withCertificate).toMatchObject({ status: 200, error: null });
    expect(receiver.received.map((r) => r.client)).toEqual(['hookd-client']);
    expect(without).toMatchObject({ status: null, unreachable: true });
    expect(without.error).toMatch(/^the receiver refused the TLS handshake: (certificate required|handshake failure)/);
  });

  it('signs and sends each request on a thread, and answers each caller with its own result', async () => {
    const url = await serve((req, body, res) => {
      const expected = signatureHeaders([SECRET], String(req.headers['webhook-id']), Number(req.headers['webhook-timestamp']), body);
      const signed = req.headers['x-falu-signature'] === expected['x-falu-signature'] && req.headers['webhook-signature'] === expected['webhook-signature'];
      res.writeHead(signed ? 200 : 401).end(`${req.headers['webhook-id']}:${req.headers['x-extra']}`);
    });
    const sender = open(2);
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => sender.send({
      url, body: JSON.stringify({ n: i }), headers: { 'content-type': 'application/json', 'x-extra': String(i) },
      sign: { secrets: [SECRET], id: `evt_${i}`, timestamp: 1_700_000_000 + i },
    })));
    expect(results.map((r) => [r.status, r.response])).toEqual(Array.from({ length: 100 }, (_, i) => [200, `evt_${i}:${i}`]));
    expect(results.every((r) => r.error === null && r.time >= 0)).toBe(true);
  });

  it('signs v1a on a thread for an Ed25519 request, checked with node:crypto and the raw public key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const whsk = 'whsk_' + Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url').toString('base64');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
    const url = await serve((req, body, res) => {
      const entries = String(req.headers['webhook-signature']).split(' ');
      const message = Buffer.from(`${req.headers['webhook-id']}.${req.headers['webhook-timestamp']}.${body}`);
      const ok = entries.length === 1 && entries[0]!.startsWith('v1a,') && verify(null, message, key, Buffer.from(entries[0]!.slice(4), 'base64'));
      res.writeHead(ok ? 200 : 401).end();
    });
    const sender = open(1);
    const result = await sender.send({ url, body: '{"n":1}', headers: {}, sign: { secrets: [SECRET], id: 'evt_1', timestamp: 1_700_000_000, ed25519: [whsk] } });
    expect(result.status).toBe(200);
  });

  it('aborts the requests of a signal that fires, and only those', async () => {
    const hanging = await serve(() => undefined);
    const answering = await serve((_req, _body, res) => setTimeout(() => res.end('late'), 300));
    const sender = open(1);
    const stop = new AbortController();
    const aborted = [1, 2, 3].map(() => sender.send({ url: hanging, body: '{}', headers: {}, signal: stop.signal }));
    const other = sender.send({ url: answering, body: '{}', headers: {} });
    await new Promise((r) => setTimeout(r, 100));
    stop.abort();
    for (const result of await Promise.all(aborted)) expect(result).toMatchObject({ status: null, error: 'aborted: hookd was shutting down' });
    expect(await other).toMatchObject({ status: 200, response: 'late' });
    // A signal already aborted aborts at once.
    expect(await sender.send({ url: hanging, body: '{}', headers: {}, signal: stop.signal })).toMatchObject({ status: null, error: 'aborted: hookd was shutting down' });
  });

  it('fails the requests of a thread that dies as unreachable, and starts a new thread for the next', async () => {
    const url = await serve((_req, _body, res) => res.end('ok'));
    const dying = open(1, { entry: new URL('data:text/javascript,process.exit(3)') });
    expect(await dying.send({ url, body: '{}', headers: {} })).toMatchObject({ status: null, unreachable: true, error: 'the sender thread stopped' });
    expect(await dying.send({ url, body: '{}', headers: {} })).toMatchObject({ status: null, unreachable: true });
  });

  it('lets requests in flight finish on close, and refuses new ones', async () => {
    const url = await serve((_req, _body, res) => setTimeout(() => res.end('done'), 200));
    const sender = createThreadedSender({ connectTimeout: 1_000, requestTimeout: 10_000, allowNetworks: ['127.0.0.0/8'], threads: 1, entry });
    const inFlight = sender.send({ url, body: '{}', headers: {} });
    await new Promise((r) => setTimeout(r, 50));
    await sender.close();
    expect(await inFlight).toMatchObject({ status: 200, response: 'done' });
    expect(await sender.send({ url, body: '{}', headers: {} })).toMatchObject({ status: null, error: 'aborted: hookd was shutting down' });
  });

  it('stops a thread whose request never ends once the close bound has passed', async () => {
    const hanging = await serve(() => undefined);
    const sender = createThreadedSender({ connectTimeout: 1_000, requestTimeout: 60_000, allowNetworks: ['127.0.0.0/8'], threads: 1, entry, closeBound: 300 });
    const stuck = sender.send({ url: hanging, body: '{}', headers: {} });
    await new Promise((r) => setTimeout(r, 100));
    await sender.close(); // with a 60 s request timeout, only the bound can end it
    expect(await stuck).toMatchObject({ status: null, unreachable: true, error: 'the sender thread stopped' });
  });
});

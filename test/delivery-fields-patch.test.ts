/**
 * The endpoint's `headers`, `filter`, `signing` and `client_certificate` changed by JSON Patch
 * (RFC 6902; docs/api.md, "PATCH"), on both stores. The operations apply to the endpoint as GET
 * shows it, header values masked: what reaches a receiver proves that a header no operation
 * wrote kept its real value rather than its mask, and reads of the masked values are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';
import { makeTestCertificates, type TestCertificates } from './tls-certs.js';

interface EndpointJson { id: string; headers: Record<string, string>; filter: unknown; signing: string; public_key: string | null; client_certificate: { subject: string } | null }
interface Problem { status: number; errors: Record<string, string[]> }

const API_KEY = 'gateway-key-0123456789-abcdef';
const JSON_PATCH = 'application/json-patch+json';

describe('JSON Patch on the delivery fields', () => {
  let h: TestHookd;
  let key: string;
  let receiver: Receiver;
  let certs: TestCertificates;
  beforeAll(async () => {
    h = await startHookd();
    key = (await h.workspace()).test;
    receiver = await startReceiver();
    certs = makeTestCertificates();
    // The test clock starts in the past, before the certificates' validity: to the present.
    h.clock.advance(Math.max(0, Date.now() - h.clock.now()));
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
    certs?.remove();
  });

  async function created(body: Record<string, unknown> = {}): Promise<EndpointJson> {
    const res = await h.call('POST', '/v1/webhooks/endpoints', { key, body: { url: receiver.url, events: ['*'], ...body } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as EndpointJson;
  }
  const patch = (id: string, operations: unknown[]) =>
    h.call('PATCH', `/v1/webhooks/endpoints/${id}`, { key, body: operations, headers: { 'content-type': JSON_PATCH } });
  async function patched(id: string, operations: unknown[]): Promise<EndpointJson> {
    const res = await patch(id, operations);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as EndpointJson;
  }
  /** The custom headers a test send carries: the real values, which GET never shows. */
  async function sentHeaders(id: string, names: string[]): Promise<Record<string, string | undefined>> {
    const before = receiver.received.length;
    const res = await h.call('POST', `/v1/webhooks/endpoints/${id}/test`, { key, body: {} });
    expect(res.statusCode, res.body).toBe(200);
    const got = (await receiver.waitFor(before + 1))[before]!;
    return Object.fromEntries(names.map((n) => [n, got.headers[n.toLowerCase()] as string | undefined]));
  }

  it('adds, replaces and removes one header; the others keep their values, not their masks', async () => {
    const ep = await created({ headers: { 'X-Api-Key': API_KEY, 'X-Team': 'ops' } });
    let now = await patched(ep.id, [{ op: 'add', path: '/headers/X-Region', value: 'eu-west' }]);
    expect(now.headers).toEqual({ 'X-Api-Key': `********${API_KEY.slice(-4)}`, 'X-Team': '********', 'X-Region': '********' });
    expect(await sentHeaders(ep.id, ['X-Api-Key', 'X-Team', 'X-Region'])).toEqual({ 'X-Api-Key': API_KEY, 'X-Team': 'ops', 'X-Region': 'eu-west' });

    now = await patched(ep.id, [{ op: 'replace', path: '/headers/X-Team', value: 'payments' }, { op: 'remove', path: '/headers/X-Region' }]);
    expect(Object.keys(now.headers)).toEqual(['X-Api-Key', 'X-Team']);
    expect(await sentHeaders(ep.id, ['X-Api-Key', 'X-Team', 'X-Region'])).toEqual({ 'X-Api-Key': API_KEY, 'X-Team': 'payments', 'X-Region': undefined });

    // The whole map replaced: a value left as its mask is left as it was, a name left out is removed.
    now = await patched(ep.id, [{ op: 'replace', path: '/headers', value: { 'X-Api-Key': now.headers['X-Api-Key'], 'X-New': 'n' } }]);
    expect(Object.keys(now.headers)).toEqual(['X-Api-Key', 'X-New']);
    expect(await sentHeaders(ep.id, ['X-Api-Key', 'X-Team', 'X-New'])).toEqual({ 'X-Api-Key': API_KEY, 'X-Team': undefined, 'X-New': 'n' });

    expect((await patched(ep.id, [{ op: 'remove', path: '/headers' }])).headers).toEqual({});
  });

  it('refuses reading a header value, and a header the endpoint does not have', async () => {
    const ep = await created({ headers: { 'X-Api-Key': API_KEY } });
    for (const [ops, field] of [
      [[{ op: 'test', path: '/headers/X-Api-Key', value: API_KEY }], '0.path'],
      [[{ op: 'copy', from: '/headers/X-Api-Key', path: '/headers/X-Copy' }], '0.from'],
      [[{ op: 'move', from: '/headers/X-Api-Key', path: '/headers/X-Moved' }], '0.from'],
    ] as const) {
      const res = await patch(ep.id, [...ops]);
      expect(res.statusCode, res.body).toBe(400);
      expect((res.json() as Problem).errors).toEqual({ [field]: ['must not read /headers: header values are write-only'] });
      expect(res.body).not.toContain(API_KEY);
    }
    const missing = await patch(ep.id, [{ op: 'replace', path: '/headers/X-Nope', value: 'v' }]);
    expect(missing.statusCode, missing.body).toBe(422);
    expect(Object.keys((missing.json() as Problem).errors)).toEqual(['0.path']);
    const wrong = await patch(ep.id, [{ op: 'add', path: '/headers/X-Count', value: 5 }]);
    expect(wrong.statusCode, wrong.body).toBe(400);
    expect(Object.keys((wrong.json() as Problem).errors)).toContain('headers.X-Count');
    expect(await sentHeaders(ep.id, ['X-Api-Key'])).toEqual({ 'X-Api-Key': API_KEY });
  });

  it('adds, edits inside and removes a filter', async () => {
    const ep = await created();
    let now = await patched(ep.id, [{ op: 'add', path: '/filter', value: { data: { object: { amount: { $gte: 1000 } } } } }]);
    expect(now.filter).toEqual({ data: { object: { amount: { $gte: 1000 } } } });
    now = await patched(ep.id, [
      { op: 'test', path: '/filter/data/object/amount/$gte', value: 1000 },
      { op: 'replace', path: '/filter/data/object/amount/$gte', value: 5000 },
      { op: 'add', path: '/filter/type', value: 'payment.succeeded' },
    ]);
    expect(now.filter).toEqual({ data: { object: { amount: { $gte: 5000 } } }, type: 'payment.succeeded' });
    const array = await patch(ep.id, [{ op: 'replace', path: '/filter', value: [1] }]);
    expect(array.statusCode, array.body).toBe(400);
    expect(Object.keys((array.json() as Problem).errors)).toContain('filter');
    expect((await patched(ep.id, [{ op: 'remove', path: '/filter' }])).filter).toBeNull();
    const gone = await patch(ep.id, [{ op: 'replace', path: '/filter/type', value: 'x' }]);
    expect(gone.statusCode, gone.body).toBe(422);
  });

  it('switches signing, and sets and removes a client certificate; public_key is not changeable', async () => {
    const ep = await created();
    let now = await patched(ep.id, [{ op: 'replace', path: '/signing', value: 'ed25519' }]);
    expect(now).toMatchObject({ signing: 'ed25519', public_key: expect.stringMatching(/^whpk_/) });
    const rsa = await patch(ep.id, [{ op: 'replace', path: '/signing', value: 'rsa' }]);
    expect(rsa.statusCode, rsa.body).toBe(400);
    expect(Object.keys((rsa.json() as Problem).errors)).toEqual(['signing']);
    const key = await patch(ep.id, [{ op: 'replace', path: '/public_key', value: 'whpk_mine' }]);
    expect(key.statusCode, key.body).toBe(400);
    expect(Object.keys((key.json() as Problem).errors)).toEqual(['0.path']);

    const pair = { certificate: certs.client.certificate, private_key: certs.client.privateKey };
    now = await patched(ep.id, [{ op: 'add', path: '/client_certificate', value: pair }]);
    expect(now.client_certificate).toMatchObject({ subject: 'CN=hookd-client' });
    // The object shown is a description: writing into it is a certificate without its key.
    const inside = await patch(ep.id, [{ op: 'replace', path: '/client_certificate/subject', value: 'CN=me' }]);
    expect(inside.statusCode, inside.body).toBe(400);
    expect(Object.keys((inside.json() as Problem).errors).every((f) => f.startsWith('client_certificate'))).toBe(true);
    now = await patched(ep.id, [{ op: 'remove', path: '/client_certificate' }, { op: 'replace', path: '/signing', value: 'hmac-sha256' }]);
    expect(now).toMatchObject({ client_certificate: null, signing: 'hmac-sha256', public_key: null });
  });
});

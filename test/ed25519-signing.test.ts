/**
 * Ed25519 endpoints end to end (docs/delivery.md, "Signatures"): every v1a signature is checked
 * here with node:crypto alone, with a public key built from the 32 bytes the API shows, never
 * with hookd's own signing code.
 */
import { createHmac, createPublicKey, verify } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';
import { startReceiver, type Received, type Receiver } from './receiver.js';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function publicKey(whpk: string) {
  expect(whpk).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
  const raw = Buffer.from(whpk.slice('whpk_'.length), 'base64');
  expect(raw).toHaveLength(32);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** Which of `keys` verify some v1a entry of the request; fails on any entry that is not v1a. */
function verifiedBy(got: Received, keys: string[]): string[] {
  const message = Buffer.from(`${got.headers['webhook-id']}.${got.headers['webhook-timestamp']}.${got.body}`);
  const entries = String(got.headers['webhook-signature']).split(' ');
  for (const e of entries) expect(e).toMatch(/^v1a,/);
  return keys.filter((k) => entries.some((e) => verify(null, message, publicKey(k), Buffer.from(e.slice(4), 'base64'))));
}

describe('Ed25519 signing', () => {
  let h: TestHookd;
  let ws: { id: string; test: string; live: string };
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    h = await startHookd({ retrySchedule: [0], requestTimeout: 5_000, lease: 10_000 }, { dispatcher: true });
  });
  beforeEach(async () => {
    ws = await h.workspace();
  });
  afterEach(async () => {
    for (const r of receivers.splice(0)) await r.close();
  });
  afterAll(async () => h.close());

  async function receiver(): Promise<Receiver> {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  }
  type EndpointJson = { id: string; etag: string; secret: string; signing: string; public_key: string | null };
  async function create(body: Record<string, unknown>): Promise<EndpointJson> {
    const res = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { events: ['payment.*'], ...body } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as EndpointJson;
  }
  async function publish() {
    const res = await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { id: 'pa_1', note: 'café' } } } });
    expect(res.statusCode).toBe(201);
  }

  it('signs webhook-signature with v1a only, verified with public_key; X-Falu-Signature stays HMAC with the secret', async () => {
    const r = await receiver();
    const ep = await create({ url: r.url, signing: 'ed25519' });
    expect(ep.signing).toBe('ed25519');
    await publish();
    const [got] = await r.waitFor(1);
    expect(verifiedBy(got!, [ep.public_key!])).toEqual([ep.public_key]);
    const t = got!.headers['webhook-timestamp'];
    const falu = createHmac('sha256', ep.secret).update(`${t}.${got!.body}`).digest('hex');
    expect(got!.headers['x-falu-signature']).toBe(`t=${t},sha256=${falu}`);

    // The test event is signed the same way.
    expect((await h.call('POST', `/v1/webhooks/endpoints/${ep.id}/test`, { key: ws.test })).statusCode).toBe(200);
    const [, test] = await r.waitFor(2);
    expect(verifiedBy(test!, [ep.public_key!])).toEqual([ep.public_key]);
  });

  it('an HMAC endpoint has no public key and signs v1; switching by PATCH makes a key pair, and back drops it', async () => {
    const r = await receiver();
    const ep = await create({ url: r.url });
    expect(ep).toMatchObject({ signing: 'hmac-sha256', public_key: null });
    const toEd = await h.call('PATCH', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test, body: { signing: 'ed25519' } });
    const ed = toEd.json() as EndpointJson;
    expect(ed.signing).toBe('ed25519');
    await publish();
    const [got] = await r.waitFor(1);
    expect(verifiedBy(got!, [ed.public_key!])).toEqual([ed.public_key]);

    const back = (await h.call('PATCH', `/v1/webhooks/endpoints/${ep.id}`, { key: ws.test, body: { signing: 'hmac-sha256' } })).json() as EndpointJson;
    expect(back).toMatchObject({ signing: 'hmac-sha256', public_key: null });
    await publish();
    const [, hmac] = await r.waitFor(2);
    expect(String(hmac!.headers['webhook-signature'])).toMatch(/^v1,/);
  });

  it('a roll makes a new pair; both keys sign during the grace, and GET …/secret lists the rolled public key', async () => {
    const r = await receiver();
    const ep = await create({ url: r.url, signing: 'ed25519' });
    const rolled = await h.call('POST', `/v1/webhooks/endpoints/${ep.id}/secret/roll`, { key: ws.test, body: { expires_in: 3600 } });
    expect(rolled.statusCode, rolled.body).toBe(200);
    const next = rolled.json() as EndpointJson;
    expect(next.public_key).not.toBe(ep.public_key);
    expect(next.secret).not.toBe(ep.secret);

    const secret = (await h.call('GET', `/v1/webhooks/endpoints/${ep.id}/secret`, { key: ws.test })).json() as { previous_public_keys: { public_key: string; expires: string }[] };
    expect(secret.previous_public_keys.map((p) => p.public_key)).toEqual([ep.public_key]);
    const expires = Date.parse(secret.previous_public_keys[0]!.expires);
    expect(expires).toBeGreaterThan(Date.now() + 3_500_000);

    await publish();
    const [got] = await r.waitFor(1);
    expect(String(got!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifiedBy(got!, [next.public_key!, ep.public_key!])).toEqual([next.public_key, ep.public_key]);
    // Both HMAC secrets sign X-Falu-Signature during the same grace.
    expect(String(got!.headers['x-falu-signature']).split(',')).toHaveLength(3);

    // A roll without grace: the key just replaced stops at once, the one rolled before keeps its grace.
    const third = (await h.call('POST', `/v1/webhooks/endpoints/${ep.id}/secret/roll`, { key: ws.test, body: { expires_in: 0 } })).json() as EndpointJson;
    await publish();
    const [, after] = await r.waitFor(2);
    expect(verifiedBy(after!, [third.public_key!, next.public_key!, ep.public_key!])).toEqual([third.public_key, ep.public_key]);
  });

  it('keeps at most 4 rolled keys signing', async () => {
    const r = await receiver();
    const ep = await create({ url: r.url, signing: 'ed25519' });
    for (let i = 0; i < 6; i++) {
      expect((await h.call('POST', `/v1/webhooks/endpoints/${ep.id}/secret/roll`, { key: ws.test, body: {} })).statusCode).toBe(200);
    }
    const secret = (await h.call('GET', `/v1/webhooks/endpoints/${ep.id}/secret`, { key: ws.test })).json() as { previous_public_keys: unknown[] };
    expect(secret.previous_public_keys).toHaveLength(4);
    await publish();
    const [got] = await r.waitFor(1);
    expect(String(got!.headers['webhook-signature']).split(' ')).toHaveLength(5);
  });

  it('never shows the private key: not in any answer about the endpoint', async () => {
    const r = await receiver();
    const ep = await create({ url: r.url, signing: 'ed25519' });
    await h.call('POST', `/v1/webhooks/endpoints/${ep.id}/secret/roll`, { key: ws.test, body: {} });
    const stored = (await h.store.getEndpoint({ workspace: ws.id, live: false }, ep.id))!;
    const privateKeys = [stored.signingKey!.privateKey, ...stored.previousSigningKeys.map((p) => p.privateKey)];
    expect(privateKeys).toHaveLength(2);
    const answers = await Promise.all([
      `/v1/webhooks/endpoints/${ep.id}`, `/v1/webhooks/endpoints/${ep.id}/secret`, '/v1/webhooks/endpoints', '/openapi.json',
    ].map((url) => h.call('GET', url, { key: ws.test })));
    answers.push(await h.call('POST', `/v1/webhooks/endpoints/${ep.id}/test`, { key: ws.test }));
    for (const res of answers) {
      for (const k of privateKeys) {
        expect(res.body).not.toContain(k);
        expect(res.body).not.toContain(k.slice('whsk_'.length));
      }
    }
    expect(answers[0]!.body).not.toContain('whsk_');
  });
});

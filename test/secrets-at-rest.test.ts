/**
 * No key, secret or token that hookd shows a client whole, nor a custom header value or an
 * Ed25519 private key (never shown whole), is stored whole (docs/security.md,
 * "Secrets"): every create and roll that answers with one is sent with X-Idempotency-Key, so
 * the replay cache holds its answer too, and the replay must still be the same bytes; then
 * every column of every table (test/plaintext.ts reads them from the catalog) is searched.
 */
import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookd, type CallOptions, type TestHookd } from './helpers.js';
import { findPlaintext } from './plaintext.js';
import { startReceiver, type Receiver } from './receiver.js';
import { until } from './wait.js';

describe('secrets at rest', () => {
  let h: TestHookd;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    h = await startHookd({}, { dispatcher: true });
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  /** Sends the request twice with one X-Idempotency-Key; the second must be the first's answer, byte for byte. */
  async function twice(method: string, url: string, idempotencyKey: string, options: CallOptions): Promise<LightMyRequestResponse> {
    const headers = { ...options.headers, 'x-idempotency-key': idempotencyKey };
    const first = await h.call(method, url, { ...options, headers });
    expect(first.statusCode, first.body).toBeLessThan(300);
    expect(first.headers['x-cached-response']).toBeUndefined();
    const again = await h.call(method, url, { ...options, headers });
    expect(again.headers['x-cached-response'], url).toBe('true');
    expect(again.statusCode).toBe(first.statusCode);
    expect(again.body).toBe(first.body);
    for (const name of ['content-type', 'etag', 'location']) expect(again.headers[name], name).toBe(first.headers[name]);
    return first;
  }

  it('keeps none of them in plain text in any column, and replays each answer unchanged', async () => {
    const shown: string[] = [];
    const show = (...values: string[]) => {
      for (const v of values) {
        expect(v.length).toBeGreaterThan(16);
        shown.push(v);
      }
    };

    const created = (await twice('POST', '/v1/workspaces', 'ws-create', { body: { name: 'Acme' } })).json() as { id: string; keys: { test: string; live: string } };
    show(created.keys.test, created.keys.live);
    const rolled = (await twice('POST', `/v1/workspaces/${created.id}/keys/roll`, 'ws-roll', { body: { expires_in: 3600 } })).json() as typeof created;
    show(rolled.keys.test, rolled.keys.live);
    const key = rolled.keys.test;

    const createToken = 'tok_set_at_create_9f3a1c7e5b';
    const endpoint = (await twice('POST', '/v1/webhooks/endpoints', 'ep-create', {
      key, body: { url: receiver.url, events: ['*'], token: createToken },
    })).json() as { id: string; secret: string; token: string };
    expect(endpoint.token).toBe(createToken);
    show(endpoint.secret, createToken);
    const secretRoll = (await twice('POST', `/v1/webhooks/endpoints/${endpoint.id}/secret/roll`, 'ep-roll', { key, body: { expires_in: 3600 } })).json() as { secret: string };
    show(secretRoll.secret);
    const patchToken = 'tok_set_by_patch_4d2b8e6a0c';
    await twice('PATCH', `/v1/webhooks/endpoints/${endpoint.id}`, 'ep-token', { key, body: { token: patchToken } });
    show(patchToken);

    // Never shown whole, so they come from the store: custom header values and Ed25519 private
    // keys (the current one and one rolled), which are sealed like the token.
    const headerValue = 'gw_key_set_at_create_5e1f9a2c7d';
    const signed = (await twice('POST', '/v1/webhooks/endpoints', 'ep-ed25519', {
      key, body: { url: `${receiver.url}/ed25519`, events: ['*'], signing: 'ed25519', headers: { 'X-Api-Key': headerValue } },
    })).json() as { id: string };
    const patchedHeader = 'gw_key_set_by_patch_8b0d3f6e1a';
    await twice('PATCH', `/v1/webhooks/endpoints/${signed.id}`, 'ep-header', { key, body: { headers: { 'X-Other-Key': patchedHeader } } });
    await twice('POST', `/v1/webhooks/endpoints/${signed.id}/secret/roll`, 'ep-ed25519-roll', { key, body: { expires_in: 3600 } });
    const stored = (await h.store.getEndpoint({ workspace: created.id, live: false }, signed.id))!;
    expect(stored.headers).toEqual({ 'X-Api-Key': headerValue, 'X-Other-Key': patchedHeader });
    show(headerValue, patchedHeader, stored.signingKey!.privateKey, ...stored.previousSigningKeys.map((p) => p.privateKey));
    expect(shown.filter((v) => v.startsWith('whsk_'))).toHaveLength(2);

    // Two more answers that carry a credential whole: a portal link and a listen grant.
    const portal = (await twice('POST', '/v1/portal/sessions', 'portal', { body: { workspace: created.id, live: false } })).json() as { url: string };
    show(portal.url.split('#portal=')[1]!);
    const grant = (await twice('POST', '/v1/realtime/negotiate/events', 'listen', { key, body: {} })).json() as { token: string };
    show(grant.token);

    // A delivery, so that the attempt records are searched too: it is signed with the secret and carries the token.
    const event = (await twice('POST', '/v1/events', 'publish', { key, body: { type: 'payment.succeeded', data: { object: { id: 'pa_1' } } } })).json() as { id: string };
    const arrived = await receiver.waitFor(2);
    expect(arrived.find((r) => r.path === '/webhooks')!.headers.authorization).toBe(`Bearer ${patchToken}`);
    expect(arrived.find((r) => r.path === '/webhooks/ed25519')!.headers['x-api-key']).toBe(headerValue);
    await until('the attempts are recorded', async () => {
      const deliveries = (await h.call('GET', `/v1/webhooks?event=${event.id}`, { key })).json() as { attempts: unknown[] }[];
      return deliveries.length === 2 && deliveries.every((d) => d.attempts.length === 1);
    }, 10_000);

    await h.stop();
    // Each value whole, and without its prefix (fwhs_, fskt_, hkps_…) in case something stored the rest alone.
    const needles = [...new Set(shown.flatMap((v) => [v, v.replace(/^[a-z]{2,5}_/, '')]))];
    const { columns, hits } = await findPlaintext(h.database, needles);
    const names = columns.map((c) => `${c.table}.${c.column}`);
    for (const name of ['idempotency_keys.body', 'idempotency_keys.headers', 'endpoints.secret', 'endpoints.token', 'attempts.request', 'events.data']) {
      expect(names).toContain(name);
    }
    expect(hits).toEqual([]);
    // And not in the file's bytes either (free pages included): nothing ever wrote one whole.
    if (h.database.kind === 'sqlite') {
      const bytes = readFileSync(h.database.file).toString('latin1');
      expect(needles.filter((n) => bytes.includes(n))).toEqual([]);
    }
  });
});

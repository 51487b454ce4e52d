/**
 * Mutual TLS end to end (docs/delivery.md, "Mutual TLS"): an HTTPS receiver that requires a
 * client certificate from the test CA (test/tls-certs.ts); hookd trusts that CA for the
 * receiver's own certificate the way an operator's NODE_EXTRA_CA_CERTS would.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';
import { findPlaintext } from './plaintext.js';
import { startReceiver, type Receiver } from './receiver.js';
import { makeTestCertificates, type TestCertificates } from './tls-certs.js';
import { untilValue } from './wait.js';

interface Attempt { error: string | null; code: number | null; successful: boolean }
interface Delivery { status: string; attempts: Attempt[]; next: { scheduled: string } | null }

describe('mutual TLS', () => {
  let certs: TestCertificates;
  let h: TestHookd;
  let receiver: Receiver;
  let key: string;
  beforeAll(async () => {
    certs = makeTestCertificates();
    receiver = await startReceiver(undefined, { tls: { cert: certs.server.certificate, key: certs.server.privateKey, ca: certs.ca, requestCert: true } });
    h = await startHookd({}, { dispatcher: true, trust: [certs.ca] });
    key = (await h.workspace()).test;
    for (const name of ['mtls.ok', 'mtls.none', 'mtls.stranger', 'mtls.bad', 'mtls.stored']) {
      expect((await h.call('POST', '/v1/event_types', { body: { name } })).statusCode).toBe(201);
    }
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
    certs?.remove();
  });

  /** Each test's endpoint takes its own event type, so that one test's events reach only its endpoints. */
  const createEndpoint = (type: string, body: Record<string, unknown>) =>
    h.call('POST', '/v1/webhooks/endpoints', { key, body: { url: `${receiver.url}/${type}`, events: [type], ...body } });
  const publish = async (type: string) => ((await h.call('POST', '/v1/events', { key, body: { type, data: { object: { id: 'pa_1' } } } })).json() as { id: string }).id;
  const arrivals = (type: string) => receiver.received.filter((r) => r.path.endsWith(`/${type}`));
  const delivery = (event: string, endpoint: string) => h.call('GET', `/v1/webhooks?event=${event}&endpoint=${endpoint}`, { key }).then((r) => (r.json() as Delivery[])[0]);

  it('presents the endpoint\'s certificate: the delivery arrives, and the receiver sees its subject', async () => {
    const created = await createEndpoint('mtls.ok', { client_certificate: { certificate: certs.client.certificate + certs.ca, private_key: certs.client.privateKey } });
    expect(created.statusCode, created.body).toBe(201);
    const endpoint = created.json() as { id: string; client_certificate: Record<string, unknown> };
    expect(endpoint.client_certificate).toEqual({
      subject: 'CN=hookd-client', issuer: 'CN=hookd test CA', expires: expect.stringMatching(/^20\d\d-/), fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
    });
    expect(created.body).not.toContain('PRIVATE KEY');
    const event = await publish('mtls.ok');
    await receiver.waitFor(1);
    expect(arrivals('mtls.ok').map((r) => r.client)).toEqual(['hookd-client']);
    const done = await untilValue('the attempt is recorded', async () => {
      const d = await delivery(event, endpoint.id);
      return d?.status === 'succeeded' ? d : undefined;
    }, 10_000);
    expect(done.attempts).toMatchObject([{ code: 200, error: null, successful: true }]);
  });

  it('without a certificate the attempt fails with the TLS reason, and is retried per the schedule', async () => {
    const endpoint = (await createEndpoint('mtls.none', { retry_schedule: ['0', '1s'] })).json() as { id: string };
    const event = await publish('mtls.none');
    const failed = await untilValue('both attempts are recorded', async () => {
      const d = await delivery(event, endpoint.id);
      return d?.status === 'failed' ? d : undefined;
    }, 15_000);
    expect(failed.attempts).toHaveLength(2);
    for (const attempt of failed.attempts) {
      expect(attempt).toMatchObject({ code: null, successful: false });
      // TLS 1.3 receivers send certificate_required; older ones a handshake failure.
      expect(attempt.error).toMatch(/^the receiver refused the TLS handshake: (certificate required|handshake failure)/);
    }
    expect(arrivals('mtls.none')).toEqual([]);
  });

  it('a certificate from a CA the receiver does not trust: Node closes without an alert, and the error says what that may mean', async () => {
    const endpoint = (await createEndpoint('mtls.stranger', { retry_schedule: ['0'], client_certificate: { certificate: certs.stranger.certificate, private_key: certs.stranger.privateKey } })).json() as { id: string };
    const event = await publish('mtls.stranger');
    const failed = await untilValue('the attempt is recorded', async () => {
      const d = await delivery(event, endpoint.id);
      return d?.status === 'failed' ? d : undefined;
    }, 10_000);
    expect(failed.attempts[0]!.error).toBe('the connection was closed before a complete answer (a receiver that refuses the client certificate may close the connection without a TLS alert)');
    expect(arrivals('mtls.stranger')).toEqual([]);
  });

  it.each([
    ['a key of another certificate', () => ({ certificate: certs.client.certificate, private_key: certs.stranger.privateKey }), 'client_certificate.private_key'],
    ['an expired certificate', () => ({ certificate: certs.expired.certificate, private_key: certs.expired.privateKey }), 'client_certificate.certificate'],
    ['a certificate that is not PEM', () => ({ certificate: 'not a certificate', private_key: certs.client.privateKey }), 'client_certificate.certificate'],
    ['an encrypted key', () => ({ certificate: certs.client.certificate, private_key: certs.encryptedKey }), 'client_certificate.private_key'],
  ])('refuses %s with a 400 naming the field, on create and on patch', async (_, pair, field) => {
    const created = await createEndpoint('mtls.bad', { client_certificate: pair() });
    expect(created.statusCode).toBe(400);
    expect(created.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(created.json())).toContain(field);
    // Nothing sent comes back: no PEM body (base64 DER starts MI…).
    expect(created.body).not.toMatch(/MI[A-Za-z0-9+/]{30}/);
    const plain = (await createEndpoint('mtls.bad', {})).json() as { id: string };
    const patched = await h.call('PATCH', `/v1/webhooks/endpoints/${plain.id}`, { key, body: { client_certificate: pair() } });
    expect(patched.statusCode).toBe(400);
    expect(JSON.stringify(patched.json())).toContain(field);
  });

  it('shows the key in no answer, and stores it in no column in plain text', async () => {
    const created = (await createEndpoint('mtls.stored', { client_certificate: { certificate: certs.client.certificate, private_key: certs.client.privateKey } })).json() as { id: string };
    const answers = [
      (await h.call('GET', `/v1/webhooks/endpoints/${created.id}`, { key })).body,
      (await h.call('GET', '/v1/webhooks/endpoints', { key })).body,
      (await h.call('PATCH', `/v1/webhooks/endpoints/${created.id}`, { key, body: { description: 'mtls' } })).body,
    ];
    // The key's base64 body, line by line: no answer and no column holds any of it.
    const keyLines = certs.client.privateKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    expect(keyLines.length).toBeGreaterThan(0);
    for (const answer of answers) for (const line of keyLines) expect(answer).not.toContain(line);
    const removed = await h.call('PATCH', `/v1/webhooks/endpoints/${created.id}`, { key, body: { client_certificate: null } });
    expect((removed.json() as { client_certificate: unknown }).client_certificate).toBeNull();
    await h.call('PATCH', `/v1/webhooks/endpoints/${created.id}`, { key, body: { client_certificate: { certificate: certs.client.certificate, private_key: certs.client.privateKey } } });

    await h.stop();
    const { hits } = await findPlaintext(h.database, keyLines);
    expect(hits).toEqual([]);
    if (h.database.kind === 'sqlite') {
      const bytes = readFileSync(h.database.file).toString('latin1');
      expect(keyLines.filter((l) => bytes.includes(l))).toEqual([]);
    }
  });
});

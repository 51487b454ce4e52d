/**
 * The endpoint form's delivery fields in Chromium (docs/dashboard.md, "Delivery fields"):
 * custom headers, a filter, a client certificate and Ed25519 set through the form and checked
 * through the API and at a real receiver; then edited, a header kept without retyping it. The
 * write-only values, header values and the private key, must never be in the page's DOM once
 * saved, nor on the edit page that follows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard } from './dashboard-harness.js';
import { makeTestCertificates, type TestCertificates } from './tls-certs.js';

interface EndpointJson {
  id: string; url: string; headers: Record<string, string>; filter: unknown; signing: string; public_key: string | null;
  client_certificate: { subject: string; issuer: string; expires: string } | null;
}

const API_KEY = 'gateway-key-0123456789-abcdef';
const TEAM = 'payments-team';

describe('dashboard: the delivery fields of an endpoint', () => {
  const d = startDashboard();
  let certs: TestCertificates;
  let keyLine: string;
  beforeAll(() => {
    certs = makeTestCertificates();
    // A line of the key's base64: present in the DOM only if the key is.
    keyLine = certs.client.privateKey.split('\n')[1]!;
  });
  afterAll(() => certs?.remove());

  const endpointNow = async (id: string) => (await d.api('GET', `/v1/webhooks/endpoints/${id}`)).json() as EndpointJson;
  /** The custom headers a test send carries, as the receiver got them. */
  async function sent(id: string, names: string[]): Promise<Record<string, unknown>> {
    const before = d.ok.received.length;
    expect((await d.api('POST', `/v1/webhooks/endpoints/${id}/test`, {})).statusCode).toBe(200);
    const got = (await d.ok.waitFor(before + 1))[before]!;
    return Object.fromEntries(names.map((n) => [n, got.headers[n.toLowerCase()]]));
  }
  async function expectNoSecretInDom(): Promise<void> {
    const dom = await d.page.content();
    const values = await d.page.$$eval('input, textarea', (els) => els.map((e) => (e as unknown as { value: string }).value));
    for (const text of [dom, ...values]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(TEAM);
      expect(text).not.toContain(keyLine);
    }
  }

  it('signs in', async () => {
    await d.page.goto(d.base);
    await d.page.getByLabel('Workspace secret key').fill(d.ws.test);
    await d.page.getByRole('button', { name: 'Sign in' }).click();
    await d.page.getByRole('heading', { name: 'Endpoints' }).waitFor();
  });

  let id: string;
  it('creates an endpoint with headers, a filter, a client certificate and Ed25519; a filter that is not an object is named at its field', async () => {
    await d.page.getByRole('link', { name: 'Add endpoint' }).first().click();
    await d.page.getByLabel('Endpoint URL').fill(d.ok.url);
    await d.page.getByLabel('Search event types').fill('payment');
    await d.page.getByRole('checkbox', { name: 'payment.* Every payment event' }).check();
    await d.page.getByRole('button', { name: 'Add header' }).click();
    await d.page.getByLabel('Header 1 name').fill('X-Api-Key');
    await d.page.getByLabel('Header 1 value').fill(API_KEY);
    await d.page.getByRole('button', { name: 'Add header' }).click();
    await d.page.getByLabel('Header 2 name').fill('X-Team');
    await d.page.getByLabel('Header 2 value').fill(TEAM);
    await d.page.getByLabel('Certificate (PEM)').fill(certs.client.certificate);
    await d.page.getByLabel('Its private key (PEM)').fill(certs.client.privateKey);
    await d.page.getByLabel('Signing').selectOption({ label: 'Ed25519' });

    // Not JSON: said at the field before anything is sent.
    await d.page.getByLabel('Filter (optional)').fill('{"data": ');
    await d.page.getByRole('button', { name: 'Create endpoint' }).click();
    await d.page.locator('#filter-error', { hasText: 'is not JSON' }).waitFor();
    // JSON the API refuses: its 400 shown at the field.
    await d.page.getByLabel('Filter (optional)').fill('[{"type": "payment.succeeded"}]');
    await d.page.getByRole('button', { name: 'Create endpoint' }).click();
    await d.page.locator('#filter-error', { hasText: 'is not any of the accepted forms' }).waitFor();
    expect((await d.api('GET', '/v1/webhooks/endpoints')).json()).toEqual([]);

    await d.page.getByLabel('Filter (optional)').fill('{"data": {"object": {"currency": {"$in": ["kes", "usd"]}}}}');
    await d.page.getByRole('button', { name: 'Create endpoint' }).click();
    await d.page.getByRole('heading', { name: d.ok.url }).waitFor();
    const [listed] = (await d.api('GET', '/v1/webhooks/endpoints')).json() as EndpointJson[];
    id = listed!.id;
    const ep = await endpointNow(id);
    expect(ep).toMatchObject({
      headers: { 'X-Api-Key': `********${API_KEY.slice(-4)}`, 'X-Team': '********' },
      filter: { data: { object: { currency: { $in: ['kes', 'usd'] } } } },
      client_certificate: { subject: 'CN=hookd-client', issuer: 'CN=hookd test CA' },
      signing: 'ed25519', public_key: expect.stringMatching(/^whpk_/),
    });
    expect(await sent(id, ['X-Api-Key', 'X-Team'])).toEqual({ 'X-Api-Key': API_KEY, 'X-Team': TEAM });

    // The endpoint page: what is set, masked, and the public key with its copy button.
    await d.page.getByText('CN=hookd-client').waitFor();
    expect(await d.page.getByTestId('public-key').textContent()).toBe(ep.public_key);
    await d.page.getByRole('button', { name: 'Copy public key' }).waitFor();
    await d.page.getByText('Ed25519 (v1a)').waitFor();
    await expectNoSecretInDom();
    await d.shot('endpoint-delivery-fields');
  });

  it('edits them: a header left empty keeps its value, a removed one is gone, the certificate is removed', async () => {
    await d.page.getByRole('link', { name: 'Edit' }).click();
    await d.page.getByRole('heading', { name: 'Edit endpoint' }).waitFor();
    // Stored values are placeholders (their masks), never values; the key's field starts empty.
    expect(await d.page.getByLabel('Header 1 value').inputValue()).toBe('');
    expect(await d.page.getByLabel('Header 1 value').getAttribute('placeholder')).toBe(`********${API_KEY.slice(-4)} (unchanged)`);
    await d.page.getByTestId('certificate-summary').getByText('CN=hookd-client').waitFor();
    expect(await d.page.getByTestId('public-key').textContent()).toMatch(/^whpk_/);
    await expectNoSecretInDom();
    expect(JSON.parse(await d.page.getByLabel('Filter (optional)').inputValue())).toEqual({ data: { object: { currency: { $in: ['kes', 'usd'] } } } });

    await d.page.getByTestId('header-row').filter({ has: d.page.getByLabel('Header 2 name') }).getByRole('button', { name: 'Remove' }).click();
    await d.page.getByRole('button', { name: 'Add header' }).click();
    await d.page.getByLabel('Header 2 name').fill('X-Region');
    await d.page.getByLabel('Header 2 value').fill('eu-west');
    await d.page.getByRole('button', { name: 'Remove certificate' }).click();
    await d.page.getByLabel('Filter (optional)').fill('');
    await d.page.getByRole('button', { name: 'Save endpoint' }).click();
    await d.page.getByText('Endpoint saved.').waitFor();

    expect(await endpointNow(id)).toMatchObject({
      headers: { 'X-Api-Key': `********${API_KEY.slice(-4)}`, 'X-Region': '********' }, filter: null, client_certificate: null, signing: 'ed25519',
    });
    expect(Object.keys((await endpointNow(id)).headers)).toEqual(['X-Api-Key', 'X-Region']);
    expect(await sent(id, ['X-Api-Key', 'X-Team', 'X-Region'])).toEqual({ 'X-Api-Key': API_KEY, 'X-Team': undefined, 'X-Region': 'eu-west' });
    await expectNoSecretInDom();

    // A header the API refuses is named at its row; nothing is saved.
    await d.page.getByRole('link', { name: 'Edit' }).click();
    for (let i = 0; i < 19; i += 1) await d.page.getByRole('button', { name: 'Add header' }).click();
    for (let i = 3; i <= 21; i += 1) {
      await d.page.getByLabel(`Header ${i} name`).fill(`X-Extra-${i}`);
      await d.page.getByLabel(`Header ${i} value`).fill('v');
    }
    await d.page.getByRole('button', { name: 'Save endpoint' }).click();
    await d.page.locator('#headers-error', { hasText: 'at most 20 headers' }).waitFor();
    expect(Object.keys((await endpointNow(id)).headers)).toEqual(['X-Api-Key', 'X-Region']);

    // Back to HMAC: the public key goes.
    await d.page.getByRole('link', { name: 'Cancel' }).click();
    await d.page.getByRole('link', { name: 'Edit' }).click();
    await d.page.getByLabel('Signing').selectOption({ label: 'HMAC-SHA256' });
    await d.page.getByRole('button', { name: 'Save endpoint' }).click();
    await d.page.getByText('Endpoint saved.').waitFor();
    expect(await endpointNow(id)).toMatchObject({ signing: 'hmac-sha256', public_key: null });
    expect(await d.page.getByTestId('public-key').count()).toBe(0);
    d.expectCleanRun();
  });
});

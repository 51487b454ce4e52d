/**
 * The dashboard in a real browser (issue 9): Debian's Chromium, driven by playwright-core,
 * against a real hookd on port 0 delivering to real local receivers. One user's path through
 * it, in order: sign in, create an endpoint, test it, roll its secret, follow a published
 * event to its delivery and attempt, recover failures, read the charts, open portal links.
 *
 * `npm run screenshots` runs this file with HOOKD_SCREENSHOTS=docs/img, which saves the main
 * pages there for the README.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { buildDashboard } from './dashboard-build.js';
import { startHookd, type TestHookd } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

const SHOTS = process.env.HOOKD_SCREENSHOTS;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeResult {
  violations: { id: string; help: string; nodes: { target: string[] }[] }[];
  passes: unknown[];
}
const WAIT = 10_000;

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = WAIT): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('dashboard in Chromium', () => {
  let h: TestHookd;
  let dashboardDir: string;
  let base: string;
  let ws: { id: string; test: string; live: string };
  let ok: Receiver;
  let failing: Receiver;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let endpointId: string;
  const offsite: string[] = [];
  const consoleErrors: string[] = [];

  async function shot(name: string, target: Page = page): Promise<void> {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await target.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  /** A browser context whose every request and console error is watched. */
  async function watchedContext(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
    const c = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
    c.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) offsite.push(r.url());
    });
    c.on('console', (m) => {
      // The 400 and 401 answers the tests provoke on purpose are logged by Chromium too; anything else is a fault.
      if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 40[01]/.test(m.text())) consoleErrors.push(m.text());
    });
    return c;
  }

  const api = (method: string, url: string, body?: unknown, key: string | null = ws.test) => h.call(method, url, { key, body });

  beforeAll(async () => {
    dashboardDir = await buildDashboard();
    ok = await startReceiver(() => ({ status: 200, body: '{"received":true}', headers: { 'content-type': 'application/json' } }));
    failing = await startReceiver(() => ({ status: 500, body: 'receiver down' }));
    h = await startHookd({ retrySchedule: [0], requestTimeout: 3_000 }, { dispatcher: true, dashboardDir });
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    ws = await h.workspace('Browser Co');
    browser = await launchChromium();
    context = await watchedContext();
    page = await context.newPage();
    page.setDefaultTimeout(WAIT);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await ok?.close();
    await failing?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  it('serves the page with a same-origin CSP, no-cache HTML and immutable hashed assets', async () => {
    const html = await fetch(`${base}/`);
    expect(html.status).toBe(200);
    expect(html.headers.get('cache-control')).toBe('no-cache');
    expect(html.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(html.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(await html.text())![1]!;
    const asset = await fetch(`${base}/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await asset.text()).length).toBeGreaterThan(1_000);
    const outside = await fetch(`${base}/assets/..%2f..%2fpackage.json`);
    expect(outside.status).toBe(404);
    await outside.text();
  });

  it('signs in with a workspace key, refusing an unknown one', async () => {
    await page.goto(base);
    await page.getByRole('heading', { name: 'Sign in to hookd' }).waitFor();
    await shot('sign-in');
    const key = page.getByLabel('Workspace secret key');
    await key.fill(`fskt_${'x'.repeat(32)}`);
    await key.press('Enter');
    await page.getByText('hookd does not know this key').waitFor();
    await key.fill(ws.test);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    await page.getByText('No endpoints yet').waitFor();
    expect(await page.getByText('Test mode').count()).toBe(1);
    // The first Tab reaches the skip link, for keyboard users.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
  });

  it('creates an endpoint through the event-type picker, showing what the API refused', async () => {
    await page.getByRole('link', { name: 'Add endpoint' }).first().click();
    await page.getByLabel('Endpoint URL').fill(ok.url);
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    // No event type chosen: the API's 400 names `events`, and the page says so beside the picker.
    await page.locator('#events-error').waitFor();
    await page.getByLabel('Search event types').fill('payment');
    const options = await page.getByRole('list', { name: 'Matching event types' }).getByRole('checkbox').count();
    expect(options).toBeGreaterThan(1);
    expect(await page.getByRole('checkbox', { name: /^message\./ }).count()).toBe(0);
    await page.getByRole('checkbox', { name: 'payment.* Every payment event' }).check();
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: ok.url }).waitFor();
    await page.getByText('Endpoint created.').waitFor();

    const list = (await api('GET', '/v1/webhooks/endpoints')).json() as { id: string; url: string; events: string[] }[];
    expect(list).toEqual([expect.objectContaining({ url: ok.url, events: ['payment.*'] })]);
    endpointId = list[0]!.id;
  });

  it('sends a test event and shows the request and the answer', async () => {
    await page.getByRole('button', { name: 'Send test event' }).click();
    const attempt = page.locator('.attempt-succeeded');
    await attempt.waitFor();
    expect(await attempt.locator('summary').textContent()).toContain('HTTP 200');
    expect(await attempt.getByLabel('Request body').textContent()).toContain('"type": "webhook_endpoint.test"');
    expect(await attempt.getByLabel('Response body').textContent()).toContain('"received": true');
    expect(ok.received.map((r) => JSON.parse(r.body).type)).toEqual(['webhook_endpoint.test']);
    await shot('endpoint');
  });

  it('reveals the secret, and rolls it after a confirmation', async () => {
    const secretOf = async () => ((await api('GET', `/v1/webhooks/endpoints/${endpointId}/secret`)).json() as { secret: string }).secret;
    const shown = page.getByTestId('secret');
    expect(await shown.textContent()).toMatch(/^fwhs_\*{8}.{4}$/);
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    const first = await secretOf();
    await page.getByText(first).waitFor();

    await page.getByRole('button', { name: 'Roll secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll the signing secret?' });
    await dialog.waitFor();
    // Escape cancels: nothing rolled.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await secretOf()).toBe(first);

    await page.getByRole('button', { name: 'Roll secret' }).click();
    await dialog.getByLabel('Old secret').selectOption({ label: 'Stop the old secret now' });
    await dialog.getByRole('button', { name: 'Roll secret' }).click();
    await page.getByText('Secret rolled.').waitFor();
    const second = await secretOf();
    expect(second).not.toBe(first);
    expect(await shown.textContent()).toBe(second);
  });

  it('follows a published event to its delivery and attempt, and sends it again', async () => {
    const published = (await api('POST', '/v1/events', { type: 'payment.succeeded', data: { object: { id: 'pay_browser_1', amount: 4200 } } })).json() as { id: string };
    await eventually('the delivery succeeded', async () => {
      const [d] = (await api('GET', `/v1/webhooks?event=${published.id}`)).json() as { status: string }[];
      return d?.status === 'succeeded' ? d : undefined;
    });
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Events' }).click();
    await page.getByRole('link', { name: published.id }).click();
    await page.getByRole('heading', { name: 'payment.succeeded' }).waitFor();
    expect(await page.getByLabel('Event payload').textContent()).toContain('"id": "pay_browser_1"');
    const delivery = page.locator('article.delivery');
    expect(await delivery.locator('.badge').first().textContent()).toBe('succeeded');
    expect(await delivery.textContent()).toContain('1 attempt');
    await delivery.locator('.attempt summary').click();
    expect(await delivery.locator('.attempt summary').textContent()).toContain('HTTP 200');
    expect(await delivery.getByLabel('Request body').textContent()).toContain('pay_browser_1');
    await shot('event');

    const before = ok.received.length;
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.getByRole('dialog', { name: 'Send this event again?' }).getByRole('button', { name: 'Send now' }).click();
    await page.locator('section[aria-labelledby="retry-title"] .attempt-succeeded').waitFor();
    expect(ok.received.length).toBe(before + 1);
    expect(JSON.parse(ok.received.at(-1)!.body).id).toBe(published.id);
  });

  it('filters events by type and pages through them, with an empty state when none match', async () => {
    // 21 events that no endpoint subscribes to: a page of 20 and a page of 1.
    for (let i = 0; i < 21; i++) await api('POST', '/v1/events', { type: 'customer.created', data: { object: { id: `cus_${i}` } } });
    await page.goto(`${base}/#/events`);
    const rows = page.getByRole('link', { name: /^evt_/ });
    await page.getByLabel('Type').selectOption('customer.created');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Page 1').waitFor();
    await eventually('a page of 20 events shows', async () => ((await rows.count()) === 20 ? true : undefined));
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2').waitFor();
    expect(await rows.count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('Page 1').waitFor();
    expect(await rows.count()).toBe(20);

    // Dates: from the day after tomorrow, nothing; from today, they are back.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('From').fill(day(2));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No events match these filters').waitFor();
    await page.getByLabel('From').fill(day(0));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await eventually('today\'s events show again', async () => ((await rows.count()) === 20 ? true : undefined));

    await page.getByLabel('From').fill('');
    await page.getByLabel('Type').selectOption('message.received');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No events match these filters').waitFor();
  });

  it('lists failed deliveries first and recovers them after a confirmation', async () => {
    const created = await api('POST', '/v1/webhooks/endpoints', { url: failing.url, events: ['payment.*'], description: 'Flaky receiver' });
    const flaky = (created.json() as { id: string }).id;
    const published = (await api('POST', '/v1/events', { type: 'payment.failed', data: { object: { id: 'pay_browser_2' } } })).json() as { id: string };
    await eventually('the flaky delivery failed', async () => {
      const [d] = (await api('GET', `/v1/webhooks?event=${published.id}&endpoint=${flaky}`)).json() as { status: string }[];
      return d?.status === 'failed' ? d : undefined;
    });
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Deliveries' }).click();
    const failedSection = page.locator('section[aria-labelledby="failed-title"]');
    await failedSection.locator('article.delivery').first().waitFor();
    expect(await failedSection.textContent()).toContain(failing.url);
    expect(await failedSection.textContent()).toContain('HTTP 500');
    await shot('deliveries');

    failing.behave(() => ({ status: 200, body: 'back' }));
    await page.getByLabel('Endpoint', { exact: true }).last().selectOption({ label: failing.url });
    await page.getByRole('button', { name: 'Recover…' }).click();
    await page.getByRole('dialog', { name: 'Recover failed deliveries?' }).getByRole('button', { name: 'Recover' }).click();
    await page.getByText('1 failed delivery was queued again.').waitFor();
    await eventually('the recovered delivery succeeded', async () => {
      const [d] = (await api('GET', `/v1/webhooks?event=${published.id}&endpoint=${flaky}`)).json() as { status: string }[];
      return d?.status === 'succeeded' ? d : undefined;
    });
  });

  it('shows each endpoint\'s success rate and p95, and charts per hour', async () => {
    await page.goto(`${base}/#/endpoints`);
    const row = page.getByRole('row').filter({ hasText: ok.url });
    await row.waitFor();
    // Three recorded attempts to `ok`, all answered 200: two deliveries and the re-send (test sends are not recorded).
    expect(await row.textContent()).toContain('100 % of 3');
    expect(await row.textContent()).toMatch(/\d+ ms/);
    const flakyRow = page.getByRole('row').filter({ hasText: failing.url });
    expect(await flakyRow.textContent()).toContain('50.0 % of 2');
    await shot('endpoints');

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Charts' }).click();
    await page.getByRole('img', { name: /Deliveries per hour/ }).waitFor();
    expect(await page.getByRole('img', { name: /Deliveries per hour/ }).getAttribute('aria-label')).toMatch(/3 succeeded, 0 failed, 0 pending/);
    expect(await page.locator('.chart canvas').count()).toBe(2);
    await shot('charts');
  });

  it('edits, disables, enables and deletes an endpoint, each after a confirmation where it matters', async () => {
    const flaky = ((await api('GET', '/v1/webhooks/endpoints')).json() as { id: string; url: string }[]).find((e) => e.url === failing.url)!;
    const statusOf = async () => ((await api('GET', `/v1/webhooks/endpoints/${flaky.id}`)).json() as { status: string; description: string }).status;
    await page.goto(`${base}/#/endpoints`);
    await page.getByRole('link', { name: failing.url }).click();
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Description (optional)').fill('Flaky receiver, fixed');
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    await page.getByText('Endpoint saved.').waitFor();
    await page.getByText('Flaky receiver, fixed').waitFor();

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('dialog', { name: 'Disable this endpoint?' }).getByRole('button', { name: 'Disable' }).click();
    await page.getByText('Endpoint disabled.').waitFor();
    expect(await statusOf()).toBe('disabled');
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('dialog', { name: 'Enable this endpoint?' }).getByRole('button', { name: 'Enable' }).click();
    await page.getByText('Endpoint enabled.').waitFor();
    expect(await statusOf()).toBe('enabled');

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete this endpoint?' }).getByRole('button', { name: 'Delete endpoint' }).click();
    await page.getByText('Endpoint deleted.').waitFor();
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    expect(await page.getByRole('link', { name: failing.url }).count()).toBe(0);
    expect((await api('GET', `/v1/webhooks/endpoints/${flaky.id}`)).statusCode).toBe(404);
  });

  it('opens a portal link for one workspace and mode, and refuses an expired one', async () => {
    const other = await h.workspace('Other Co');
    await h.call('POST', '/v1/webhooks/endpoints', { key: other.test, body: { url: 'https://other.example.com/hooks', events: ['*'] } });
    const link = async (workspace: string, live: boolean) => ((await h.call('POST', '/v1/portal/sessions', { body: { workspace, live } })).json() as { url: string }).url
      .replace('http://localhost:8080', base);

    const portal = await watchedContext();
    const tab = await portal.newPage();
    tab.setDefaultTimeout(WAIT);
    await tab.goto(await link(ws.id, false));
    await tab.getByRole('link', { name: ok.url }).waitFor();
    expect(tab.url()).not.toContain('hkps_');
    expect(await tab.getByText('https://other.example.com/hooks').count()).toBe(0);
    expect(await tab.getByText(ws.id).count()).toBe(1);

    await tab.goto(await link(other.id, false));
    await tab.getByRole('link', { name: 'https://other.example.com/hooks' }).waitFor();
    expect(await tab.getByText(ok.url).count()).toBe(0);

    await tab.goto(await link(ws.id, true));
    await tab.getByText('No endpoints yet').waitFor();
    expect(await tab.getByText('Live mode').count()).toBe(1);

    const expired = `hkps_${Buffer.from(JSON.stringify({ workspace: ws.id, live: false, expires: Date.now() - 1 })).toString('base64url')}.x`;
    await tab.goto(`${base}/#portal=${expired}`);
    await tab.getByText('That portal link is invalid or has expired.').waitFor();
    // A link the browser believes but hookd did not sign: the API's 401 ends the session.
    const forged = `hkps_${Buffer.from(JSON.stringify({ workspace: ws.id, live: false, expires: Date.now() + 60_000 })).toString('base64url')}.forged`;
    await tab.goto(`${base}/#portal=${forged}`);
    await tab.getByText('Your session has ended').waitFor();
    await portal.close();
  });

  it('passes axe\'s WCAG 2 A and AA checks (labels, names, contrast, structure) on every page', async () => {
    // axe is injected as a script, which the dashboard's CSP rightly refuses: this context alone bypasses it.
    const checking = await browser.newContext({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
    const tab = await checking.newPage();
    tab.setDefaultTimeout(WAIT);
    const { url } = (await h.call('POST', '/v1/portal/sessions', { body: { workspace: ws.id, live: false } })).json() as { url: string };
    const [event] = (await api('GET', '/v1/events?type=payment.succeeded')).json() as { id: string }[];
    const found: string[] = [];
    const check = async (view: string, ready: string) => {
      await tab.goto(view === 'portal' ? url.replace('http://localhost:8080', base) : `${base}/#/${view}`);
      // Only the fragment changed: load the page again, so each view is checked from a fresh start.
      if (view !== 'portal') await tab.reload();
      await tab.getByText(ready, { exact: false }).first().waitFor();
      await tab.addScriptTag({ path: AXE });
      const result = await tab.evaluate('axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] })') as AxeResult;
      // A run that checked nothing would pass too: make sure it checked.
      expect(result.passes.length, view).toBeGreaterThan(10);
      for (const v of result.violations) found.push(`${view}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    };
    await check('portal', ok.url);
    await check(`endpoints/${endpointId}`, 'Signing secret');
    await check('endpoints/new', 'Search event types');
    await check('events', 'Apply filters');
    await check(`events/${event!.id}`, 'Payload');
    await check('deliveries', 'Recover failed deliveries');
    await check('charts', 'Deliveries per hour');
    await tab.evaluate('sessionStorage.clear()');
    await check('endpoints', 'Sign in to hookd');
    await checking.close();
    expect(found).toEqual([]);
  });

  it('fits a phone screen', async () => {
    const phone = await watchedContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const tab = await phone.newPage();
    tab.setDefaultTimeout(WAIT);
    const { url } = (await h.call('POST', '/v1/portal/sessions', { body: { workspace: ws.id, live: false } })).json() as { url: string };
    await tab.goto(url.replace('http://localhost:8080', base));
    await tab.getByRole('link', { name: ok.url }).waitFor();
    expect(await tab.evaluate('document.documentElement.scrollWidth') as number).toBeLessThanOrEqual(390);
    await shot('phone', tab);
    await phone.close();
  });

  it('loaded nothing from outside hookd and logged no errors (CSP violations included)', () => {
    expect(offsite).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

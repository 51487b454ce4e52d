/**
 * The dashboard in a real browser, beyond one user's path (dashboard.browser.test.ts): portal
 * links for one workspace and mode, axe-core's WCAG 2.1 A/AA rules on every page, creating an
 * endpoint with the keyboard alone, and a phone's width.
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, startDashboard, WAIT } from './dashboard-harness.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeResult {
  violations: { id: string; help: string; nodes: { target: string[] }[] }[];
  passes: unknown[];
}

describe('dashboard access in Chromium', () => {
  const d = startDashboard();
  let endpointId: string;

  // What the pages show: an endpoint at the receiver, and one event delivered to it.
  beforeAll(async () => {
    const created = await d.api('POST', '/v1/webhooks/endpoints', { url: d.ok.url, events: ['payment.*'] });
    endpointId = (created.json() as { id: string }).id;
    const event = (await d.api('POST', '/v1/events', { type: 'payment.succeeded', data: { object: { id: 'pay_access_1' } } })).json() as { id: string };
    await eventually('the delivery succeeded', async () => {
      const [delivery] = (await d.api('GET', `/v1/webhooks?event=${event.id}`)).json() as { status: string }[];
      return delivery?.status === 'succeeded' ? delivery : undefined;
    });
  });

  it('opens a portal link for one workspace and mode, and refuses an expired one', async () => {
    const other = await d.h.workspace('Other Co');
    await d.h.call('POST', '/v1/webhooks/endpoints', { key: other.test, body: { url: 'https://other.example.com/hooks', events: ['*'] } });

    const portal = await d.context();
    const tab = await portal.newPage();
    tab.setDefaultTimeout(WAIT);
    await tab.goto(await d.portalLink(d.ws.id, false));
    await tab.getByRole('link', { name: d.ok.url }).waitFor();
    expect(tab.url()).not.toContain('hkps_');
    expect(await tab.getByText('https://other.example.com/hooks').count()).toBe(0);
    expect(await tab.getByText(d.ws.id).count()).toBe(1);

    await tab.goto(await d.portalLink(other.id, false));
    await tab.getByRole('link', { name: 'https://other.example.com/hooks' }).waitFor();
    expect(await tab.getByText(d.ok.url).count()).toBe(0);

    await tab.goto(await d.portalLink(d.ws.id, true));
    await tab.getByText('No endpoints yet').waitFor();
    expect(await tab.getByText('Live mode').count()).toBe(1);

    const expired = `hkps_${Buffer.from(JSON.stringify({ workspace: d.ws.id, live: false, expires: Date.now() - 1 })).toString('base64url')}.x`;
    await tab.goto(`${d.base}/#portal=${expired}`);
    await tab.getByText('That portal link is invalid or has expired.').waitFor();
    // A link the browser believes but hookd did not sign: the API's 401 ends the session.
    const forged = `hkps_${Buffer.from(JSON.stringify({ workspace: d.ws.id, live: false, expires: Date.now() + 60_000 })).toString('base64url')}.forged`;
    await tab.goto(`${d.base}/#portal=${forged}`);
    await tab.getByText('Your session has ended').waitFor();
    await portal.close();
  });

  it('passes axe\'s WCAG 2 A and AA checks (labels, names, contrast, structure) on every page', async () => {
    // axe is injected as a script, which the dashboard's CSP rightly refuses: this context alone bypasses it.
    const checking = await d.browser.newContext({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
    const tab = await checking.newPage();
    tab.setDefaultTimeout(WAIT);
    const url = await d.portalLink(d.ws.id, false);
    const [event] = (await d.api('GET', '/v1/events?type=payment.succeeded')).json() as { id: string }[];
    const found: string[] = [];
    const check = async (view: string, ready: string) => {
      await tab.goto(view === 'portal' ? url : `${d.base}/#/${view}`);
      // Only the fragment changed: load the page again, so each view is checked from a fresh start.
      if (view !== 'portal') await tab.reload();
      await tab.getByText(ready, { exact: false }).first().waitFor();
      await tab.addScriptTag({ path: AXE });
      const result = await tab.evaluate('axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] })') as AxeResult;
      // A run that checked nothing would pass too: make sure it checked.
      expect(result.passes.length, view).toBeGreaterThan(10);
      for (const v of result.violations) found.push(`${view}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    };
    await check('portal', d.ok.url);
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

  it('creates an endpoint with the keyboard alone', async () => {
    const tab = await (await d.context()).newPage();
    tab.setDefaultTimeout(WAIT);
    await tab.goto(await d.portalLink(d.ws.id, false));
    await tab.getByRole('link', { name: d.ok.url }).waitFor();
    await tab.getByRole('link', { name: 'Add endpoint' }).focus();
    await tab.keyboard.press('Enter');
    await tab.getByLabel('Endpoint URL').waitFor();
    await tab.getByLabel('Endpoint URL').focus();
    await tab.keyboard.type(`${d.ok.url}?keyboard`);
    // Tab order: description, format, the search box, then the first matching type.
    await tab.keyboard.press('Tab');
    await tab.keyboard.press('Tab');
    await tab.keyboard.press('Tab');
    expect(await tab.evaluate('document.activeElement?.id')).toBe('event-search');
    await tab.keyboard.type('refund.failed');
    await tab.keyboard.press('Tab');
    expect(await tab.evaluate('document.activeElement?.id')).toBe('event-payment-refund-failed');
    await tab.keyboard.press('Space');
    await tab.getByRole('button', { name: 'Remove payment.refund.failed' }).waitFor();
    await tab.getByRole('button', { name: 'Create endpoint' }).focus();
    await tab.keyboard.press('Enter');
    await tab.getByRole('heading', { name: `${d.ok.url}?keyboard` }).waitFor();
    const list = (await d.api('GET', '/v1/webhooks/endpoints')).json() as { url: string; events: string[] }[];
    expect(list.find((e) => e.url === `${d.ok.url}?keyboard`)?.events).toEqual(['payment.refund.failed']);
  });

  it('fits a phone screen', async () => {
    const phone = await d.context({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const tab = await phone.newPage();
    tab.setDefaultTimeout(WAIT);
    await tab.goto(await d.portalLink(d.ws.id, false));
    await tab.getByRole('link', { name: d.ok.url, exact: true }).waitFor();
    expect(await tab.evaluate('document.documentElement.scrollWidth') as number).toBeLessThanOrEqual(390);
    await d.shot('phone', tab);
    await phone.close();
  });

  it('loaded nothing from outside hookd and logged no errors (CSP violations included)', () => {
    d.expectCleanRun();
  });
});

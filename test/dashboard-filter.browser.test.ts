/**
 * The endpoint page's Filter panel in Chromium (docs/dashboard.md, "Filters"): it shows the
 * endpoint's filter, tries it against a stored event, says when it does not match, shows a bad
 * filter's 400 with the path inside it, and the test send says when the filter excludes it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startDashboard } from './dashboard-harness.js';

describe('dashboard filter panel in Chromium', () => {
  const d = startDashboard();
  const filter = { data: { object: { amount: { $gte: 1000 } } } };
  let endpointId: string;
  let big: string;
  let small: string;

  beforeAll(async () => {
    const created = await d.api('POST', '/v1/webhooks/endpoints', { url: d.ok.url, events: ['payment.*'], filter });
    expect(created.statusCode, created.body).toBe(201);
    endpointId = (created.json() as { id: string }).id;
    big = ((await d.api('POST', '/v1/events', { type: 'payment.succeeded', data: { object: { amount: 5000 } } })).json() as { id: string }).id;
    small = ((await d.api('POST', '/v1/events', { type: 'payment.succeeded', data: { object: { amount: 5 } } })).json() as { id: string }).id;
  });

  it('shows the filter and tries it against stored events', async () => {
    const page = d.page;
    await page.goto(d.base);
    await page.getByLabel('Workspace secret key').fill(d.ws.test);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    await page.goto(`${d.base}/#/endpoints/${endpointId}`);
    await page.getByRole('heading', { name: 'Filter' }).waitFor();
    expect(JSON.parse(await page.getByLabel('The endpoint\'s filter').innerText())).toEqual(filter);

    const events = page.getByLabel('Stored event');
    await events.locator(`option[value="${big}"]`).waitFor({ state: 'attached' });
    await events.selectOption(big);
    await page.getByRole('button', { name: 'Try filter' }).click();
    await page.getByText(`Matches: ${big}`).waitFor();

    await events.selectOption(small);
    await page.getByRole('button', { name: 'Try filter' }).click();
    await page.getByText(`Does not match: ${small}`).waitFor();
    await d.shot('filter-panel');

    await page.getByLabel('Filter to try').fill('{"data": {"object": {"amount": {"$gte": true}}}}');
    await page.getByRole('button', { name: 'Try filter' }).click();
    await page.getByRole('alert').getByText('filter.data.object.amount.$gte', { exact: true }).waitFor();

    await page.getByLabel('Filter to try').fill('{"data": ');
    await page.getByRole('button', { name: 'Try filter' }).click();
    await page.getByText('The filter is not valid JSON.').waitFor();

    // The test event is an endpoint object, which has no amount: sent, and said to be excluded.
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByTestId('test-filtered').waitFor();
    d.expectCleanRun();
  });
});

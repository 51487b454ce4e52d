/**
 * The dashboard in a real browser (docs/dashboard.md): Debian's Chromium, driven by playwright-core,
 * against a real hookd on port 0 delivering to real local receivers (dashboard-harness.ts).
 * One user's path through it, in order: sign in, create an endpoint, test it, roll its secret,
 * follow a published event to its delivery and attempt, page through events, recover failures,
 * read the statistics and charts, then edit, disable and delete an endpoint.
 * dashboard-access.browser.test.ts covers portal links, accessibility and phone width.
 *
 * `npm run screenshots` runs the browser tests with HOOKD_SCREENSHOTS=docs/img, which saves
 * the main pages there for the README.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startDashboard } from './dashboard-harness.js';
import { seedHistory } from './dashboard-history.js';
import { startReceiver, type Receiver } from './receiver.js';

describe('dashboard in Chromium', () => {
  const d = startDashboard();
  let failing: Receiver;
  let endpointId: string;

  beforeAll(async () => {
    failing = await startReceiver(() => ({ status: 500, body: 'receiver down' }));
  });
  afterAll(async () => failing?.close());

  it('serves the page with a same-origin CSP, no-cache HTML and immutable hashed assets', async () => {
    const html = await fetch(`${d.base}/`);
    expect(html.status).toBe(200);
    expect(html.headers.get('cache-control')).toBe('no-cache');
    expect(html.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(html.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(await html.text())![1]!;
    const asset = await fetch(`${d.base}/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await asset.text()).length).toBeGreaterThan(1_000);
    const outside = await fetch(`${d.base}/assets/..%2f..%2fpackage.json`);
    expect(outside.status).toBe(404);
    await outside.text();
  });

  it('signs in with a workspace key, refusing an unknown one', async () => {
    await d.page.goto(d.base);
    await d.page.getByRole('heading', { name: 'Sign in to hookd' }).waitFor();
    await d.shot('sign-in');
    const key = d.page.getByLabel('Workspace secret key');
    await key.fill(`fskt_${'x'.repeat(32)}`);
    await key.press('Enter');
    await d.page.getByText('hookd does not know this key').waitFor();
    await key.fill(d.ws.test);
    await d.page.getByRole('button', { name: 'Sign in' }).click();
    await d.page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    await d.page.getByText('No endpoints yet').waitFor();
    expect(await d.page.getByText('Test mode').count()).toBe(1);
    // The first Tab reaches the skip link, for keyboard users.
    await d.page.keyboard.press('Tab');
    expect(await d.page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
  });

  it('creates an endpoint through the event-type picker, showing what the API refused', async () => {
    await d.page.getByRole('link', { name: 'Add endpoint' }).first().click();
    await d.page.getByLabel('Endpoint URL').fill(d.ok.url);
    await d.page.getByRole('button', { name: 'Create endpoint' }).click();
    // No event type chosen: the API's 400 names `events`, and the page says so beside the picker.
    await d.page.locator('#events-error').waitFor();
    await d.page.getByLabel('Search event types').fill('payment');
    const options = await d.page.getByRole('list', { name: 'Matching event types' }).getByRole('checkbox').count();
    expect(options).toBeGreaterThan(1);
    expect(await d.page.getByRole('checkbox', { name: /^message\./ }).count()).toBe(0);
    await d.page.getByRole('checkbox', { name: 'payment.* Every payment event' }).check();
    await d.page.getByRole('button', { name: 'Create endpoint' }).click();
    await d.page.getByRole('heading', { name: d.ok.url }).waitFor();
    await d.page.getByText('Endpoint created.').waitFor();

    const list = (await d.api('GET', '/v1/webhooks/endpoints')).json() as { id: string; url: string; events: string[] }[];
    expect(list).toEqual([expect.objectContaining({ url: d.ok.url, events: ['payment.*'] })]);
    endpointId = list[0]!.id;
  });

  it('sends a test event and shows the request and the answer', async () => {
    await d.page.getByRole('button', { name: 'Send test event' }).click();
    const attempt = d.page.locator('.attempt-succeeded');
    await attempt.waitFor();
    expect(await attempt.locator('summary').textContent()).toContain('HTTP 200');
    expect(await attempt.getByLabel('Request body').textContent()).toContain('"type": "webhook_endpoint.test"');
    expect(await attempt.getByLabel('Response body').textContent()).toContain('"received": true');
    expect(d.ok.received.map((r) => JSON.parse(r.body).type)).toEqual(['webhook_endpoint.test']);
    await d.shot('endpoint');
  });

  it('reveals the secret, and rolls it after a confirmation', async () => {
    const secretOf = async () => ((await d.api('GET', `/v1/webhooks/endpoints/${endpointId}/secret`)).json() as { secret: string }).secret;
    const shown = d.page.getByTestId('secret');
    expect(await shown.textContent()).toMatch(/^fwhs_\*{8}.{4}$/);
    await d.page.getByRole('button', { name: 'Reveal secret' }).click();
    const first = await secretOf();
    await d.page.getByText(first).waitFor();

    await d.page.getByRole('button', { name: 'Roll secret' }).click();
    const dialog = d.page.getByRole('dialog', { name: 'Roll the signing secret?' });
    await dialog.waitFor();
    // Escape cancels: nothing rolled.
    await d.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await secretOf()).toBe(first);

    await d.page.getByRole('button', { name: 'Roll secret' }).click();
    await dialog.getByLabel('Old secret').selectOption({ label: 'Stop the old secret now' });
    await dialog.getByRole('button', { name: 'Roll secret' }).click();
    await d.page.getByText('Secret rolled.').waitFor();
    const second = await secretOf();
    expect(second).not.toBe(first);
    expect(await shown.textContent()).toBe(second);
  });

  it('follows a published event to its delivery and attempt, and sends it again', async () => {
    const published = (await d.api('POST', '/v1/events', { type: 'payment.succeeded', data: { object: { id: 'pay_browser_1', amount: 4200 } } })).json() as { id: string };
    await eventually('the delivery succeeded', async () => {
      const [delivery] = (await d.api('GET', `/v1/webhooks?event=${published.id}`)).json() as { status: string }[];
      return delivery?.status === 'succeeded' ? delivery : undefined;
    });
    await d.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Events' }).click();
    await d.page.getByRole('link', { name: published.id }).click();
    await d.page.getByRole('heading', { name: 'payment.succeeded' }).waitFor();
    expect(await d.page.getByLabel('Event payload').textContent()).toContain('"id": "pay_browser_1"');
    const delivery = d.page.locator('article.delivery');
    expect(await delivery.locator('.badge').first().textContent()).toBe('succeeded');
    expect(await delivery.textContent()).toContain('1 attempt');
    await delivery.locator('.attempt summary').click();
    expect(await delivery.locator('.attempt summary').textContent()).toContain('HTTP 200');
    expect(await delivery.getByLabel('Request body').textContent()).toContain('pay_browser_1');
    await d.shot('event');

    const before = d.ok.received.length;
    await d.page.getByRole('button', { name: 'Send now' }).click();
    await d.page.getByRole('dialog', { name: 'Send this event again?' }).getByRole('button', { name: 'Send now' }).click();
    await d.page.locator('section[aria-labelledby="retry-title"] .attempt-succeeded').waitFor();
    expect(d.ok.received.length).toBe(before + 1);
    expect(JSON.parse(d.ok.received.at(-1)!.body).id).toBe(published.id);

    // A delivery has a page of its own (where a FIFO delivery's "waiting behind" links lead); an
    // unordered one shows no sequence.
    const [record] = (await d.api('GET', `/v1/webhooks?event=${published.id}`)).json() as { id: string; sequence: number | null }[];
    expect(record!.sequence).toBeNull();
    await d.page.goto(`${d.base}/#/deliveries/${record!.id}`);
    await d.page.getByRole('heading', { name: `Delivery ${record!.id}` }).waitFor();
    const alone = d.page.getByRole('article', { name: `Delivery ${record!.id}` });
    expect(await alone.getByRole('link', { name: 'payment.succeeded' }).getAttribute('href')).toBe(`#/events/${published.id}`);
    expect(await alone.textContent()).not.toContain('sequence');
  });

  it('filters events by type and pages through them, with an empty state when none match', async () => {
    // 21 events that no endpoint subscribes to: a page of 20 and a page of 1.
    const created: string[] = [];
    for (let i = 0; i < 21; i++) {
      created.push(((await d.api('POST', '/v1/events', { type: 'customer.created', data: { object: { id: `cus_${i}` } } })).json() as { created: string }).created);
    }
    await d.page.goto(`${d.base}/#/events`);
    const rows = d.page.getByRole('link', { name: /^evt_/ });
    await d.page.getByLabel('Type').selectOption('customer.created');
    await d.page.getByRole('button', { name: 'Apply filters' }).click();
    await d.page.getByText('Page 1').waitFor();
    await eventually('a page of 20 events shows', async () => ((await rows.count()) === 20 ? true : undefined));
    await d.page.getByRole('button', { name: 'Next page' }).click();
    await d.page.getByText('Page 2').waitFor();
    expect(await rows.count()).toBe(1);
    expect(await d.page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await d.page.getByRole('button', { name: 'Previous page' }).click();
    await d.page.getByText('Page 1').waitFor();
    expect(await rows.count()).toBe(20);

    // Dates: from the day after the newest event, nothing; from the day of the oldest, they are back.
    // The page reads a date as the browser's local midnight (dashboard/src/pages/events.tsx), so
    // the days are the events' own, in the browser's timezone: neither the machine's timezone nor
    // a midnight passing during the test changes the answer.
    const day = (at: string, offset: number) => d.page.evaluate(([iso, o]) => {
      const t = new Date(iso);
      const local = new Date(t.getFullYear(), t.getMonth(), t.getDate() + o);
      return `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')}`;
    }, [at, offset] as [string, number]);
    await d.page.getByLabel('From').fill(await day(created.at(-1)!, 1));
    await d.page.getByRole('button', { name: 'Apply filters' }).click();
    await d.page.getByText('No events match these filters').waitFor();
    await d.page.getByLabel('From').fill(await day(created[0]!, 0));
    await d.page.getByRole('button', { name: 'Apply filters' }).click();
    await eventually('today\'s events show again', async () => ((await rows.count()) === 20 ? true : undefined));

    await d.page.getByLabel('From').fill('');
    await d.page.getByLabel('Type').selectOption('message.received');
    await d.page.getByRole('button', { name: 'Apply filters' }).click();
    await d.page.getByText('No events match these filters').waitFor();
  });

  it('says so when an event is not there, with a way to try again', async () => {
    await d.page.goto(`${d.base}/#/events/evt_${'0'.repeat(24)}`);
    const alert = d.page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Event not found');
    expect(await alert.getByRole('button', { name: 'Try again' }).count()).toBe(1);
  });

  it('lists failed deliveries first and recovers them after a confirmation', async () => {
    const created = await d.api('POST', '/v1/webhooks/endpoints', { url: failing.url, events: ['payment.*'], description: 'Flaky receiver' });
    const flaky = (created.json() as { id: string }).id;
    const published = (await d.api('POST', '/v1/events', { type: 'payment.failed', data: { object: { id: 'pay_browser_2' } } })).json() as { id: string };
    await eventually('the flaky delivery failed', async () => {
      const [delivery] = (await d.api('GET', `/v1/webhooks?event=${published.id}&endpoint=${flaky}`)).json() as { status: string }[];
      return delivery?.status === 'failed' ? delivery : undefined;
    });
    await d.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Deliveries' }).click();
    const failedSection = d.page.locator('section[aria-labelledby="failed-title"]');
    await failedSection.locator('article.delivery').first().waitFor();
    expect(await failedSection.textContent()).toContain(failing.url);
    expect(await failedSection.textContent()).toContain('HTTP 500');
    await d.shot('deliveries');

    failing.behave(() => ({ status: 200, body: 'back' }));
    await d.page.getByLabel('Endpoint', { exact: true }).last().selectOption({ label: failing.url });
    await d.page.getByRole('button', { name: 'Recover…' }).click();
    await d.page.getByRole('dialog', { name: 'Recover failed deliveries?' }).getByRole('button', { name: 'Recover' }).click();
    await d.page.getByText('1 failed delivery was queued again.').waitFor();
    await eventually('the recovered delivery succeeded', async () => {
      const [delivery] = (await d.api('GET', `/v1/webhooks?event=${published.id}&endpoint=${flaky}`)).json() as { status: string }[];
      return delivery?.status === 'succeeded' ? delivery : undefined;
    });
  });

  it('shows each endpoint\'s success rate and p95, and charts per hour', async () => {
    await d.page.goto(`${d.base}/#/endpoints`);
    const row = d.page.getByRole('row').filter({ hasText: d.ok.url });
    await row.waitFor();
    // Three recorded attempts to `ok`, all answered 200: two deliveries and the re-send (test sends are not recorded).
    expect(await row.textContent()).toContain('100 % of 3');
    expect(await row.textContent()).toMatch(/\d+ ms/);
    const flakyRow = d.page.getByRole('row').filter({ hasText: failing.url });
    expect(await flakyRow.textContent()).toContain('50.0 % of 2');
    await d.shot('endpoints');

    await d.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Charts' }).click();
    await d.page.getByRole('img', { name: /Deliveries per hour/ }).waitFor();
    expect(await d.page.getByRole('img', { name: /Deliveries per hour/ }).getAttribute('aria-label')).toMatch(/3 succeeded, 0 failed, 0 pending/);
    expect(await d.page.locator('.chart canvas').count()).toBe(2);
    // Per endpoint: `ok` had two of those deliveries, the flaky one the third.
    const chart = d.page.getByRole('img', { name: /Deliveries per hour/ });
    await d.page.getByLabel('Show').selectOption({ label: d.ok.url });
    await eventually('the chart shows one endpoint', async () => (/2 succeeded, 0 failed/.test(await chart.getAttribute('aria-label') ?? '') ? true : undefined));
    await d.page.getByLabel('Show').selectOption({ label: failing.url });
    await eventually('the chart shows the other', async () => (/1 succeeded, 0 failed/.test(await chart.getAttribute('aria-label') ?? '') ? true : undefined));
    await d.page.getByLabel('Show').selectOption({ label: 'The whole workspace' });
    if (process.env.HOOKD_SCREENSHOTS) {
      // The README's picture of a day of traffic: made-up past hours, after the assertions above.
      await seedHistory(d.h.store, d.ws.id, [endpointId]);
      await d.page.reload();
      await d.page.getByRole('img', { name: /Deliveries per hour/ }).waitFor();
    }
    await d.shot('charts');
  });

  it('edits, disables, enables and deletes an endpoint, each after a confirmation where it matters', async () => {
    const flaky = ((await d.api('GET', '/v1/webhooks/endpoints')).json() as { id: string; url: string }[]).find((e) => e.url === failing.url)!;
    const statusOf = async () => ((await d.api('GET', `/v1/webhooks/endpoints/${flaky.id}`)).json() as { status: string; description: string }).status;
    await d.page.goto(`${d.base}/#/endpoints`);
    await d.page.getByRole('link', { name: failing.url }).click();
    await d.page.getByRole('link', { name: 'Edit' }).click();
    await d.page.getByLabel('Description (optional)').fill('Flaky receiver, fixed');
    await d.page.getByRole('button', { name: 'Save endpoint' }).click();
    await d.page.getByText('Endpoint saved.').waitFor();
    await d.page.getByText('Flaky receiver, fixed').waitFor();

    // Its own retry schedule: a bad entry is named beside the field, a good one saved and shown,
    // and an empty field restores the platform's.
    const scheduleOf = async () => (await d.api('GET', `/v1/webhooks/endpoints/${flaky.id}`)).json() as { retry_schedule: string[]; retry_schedule_source: string };
    await d.page.getByRole('link', { name: 'Edit' }).click();
    await d.page.getByLabel('Retry schedule (optional)').fill('0, -5s');
    await d.page.getByRole('button', { name: 'Save endpoint' }).click();
    await d.page.locator('#retry-schedule-error', { hasText: 'entry 2 must be a duration' }).waitFor();
    await d.page.getByLabel('Retry schedule (optional)').fill('0, 5s, 1m');
    await d.page.getByRole('button', { name: 'Save endpoint' }).click();
    await d.page.getByText('(its own)').waitFor();
    expect(await scheduleOf()).toMatchObject({ retry_schedule: ['0', '5s', '1m'], retry_schedule_source: 'endpoint' });
    await d.page.getByRole('link', { name: 'Edit' }).click();
    expect(await d.page.getByLabel('Retry schedule (optional)').inputValue()).toBe('0, 5s, 1m');
    await d.page.getByLabel('Retry schedule (optional)').fill('');
    await d.page.getByRole('button', { name: 'Save endpoint' }).click();
    await d.page.getByText("(the platform's)").waitFor();
    expect((await scheduleOf()).retry_schedule_source).toBe('platform');

    // Ordering and rate limit: a limit the API refuses is named beside its field; both are saved,
    // shown, read back into the form, and cleared.
    const controlOf = async () => (await d.api('GET', `/v1/webhooks/endpoints/${flaky.id}`)).json() as { ordering: string; rate_limit: number | null };
    await d.page.getByRole('link', { name: 'Edit' }).click();
    await d.page.getByLabel('Ordering').selectOption({ label: 'FIFO' });
    await d.page.getByLabel('Rate limit (optional)').fill('0');
    await d.page.getByRole('button', { name: 'Save endpoint' }).click();
    await d.page.locator('#rate-limit-error', { hasText: 'must be a whole number from 1 to 10000' }).waitFor();
    await d.page.getByLabel('Rate limit (optional)').fill('25');
    await d.page.getByRole('button', { name: 'Save endpoint' }).click();
    await d.page.getByText('25 per second').waitFor();
    await d.page.getByText('FIFO: one at a time, in publish order').waitFor();
    expect(await controlOf()).toEqual(expect.objectContaining({ ordering: 'fifo', rate_limit: 25 }));
    await d.page.getByRole('link', { name: 'Edit' }).click();
    expect(await d.page.getByLabel('Ordering').inputValue()).toBe('fifo');
    expect(await d.page.getByLabel('Rate limit (optional)').inputValue()).toBe('25');
    await d.page.getByLabel('Ordering').selectOption({ label: 'Unordered' });
    await d.page.getByLabel('Rate limit (optional)').fill('');
    await d.page.getByRole('button', { name: 'Save endpoint' }).click();
    await d.page.locator('dl.facts', { hasText: 'Unordered' }).waitFor();
    expect(await controlOf()).toEqual(expect.objectContaining({ ordering: 'unordered', rate_limit: null }));

    await d.page.getByRole('button', { name: 'Disable' }).click();
    await d.page.getByRole('dialog', { name: 'Disable this endpoint?' }).getByRole('button', { name: 'Disable' }).click();
    await d.page.getByText('Endpoint disabled.').waitFor();
    expect(await statusOf()).toBe('disabled');
    await d.page.getByRole('button', { name: 'Enable' }).click();
    await d.page.getByRole('dialog', { name: 'Enable this endpoint?' }).getByRole('button', { name: 'Enable' }).click();
    await d.page.getByText('Endpoint enabled.').waitFor();
    expect(await statusOf()).toBe('enabled');

    await d.page.getByRole('button', { name: 'Delete' }).click();
    await d.page.getByRole('dialog', { name: 'Delete this endpoint?' }).getByRole('button', { name: 'Delete endpoint' }).click();
    await d.page.getByText('Endpoint deleted.').waitFor();
    await d.page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    expect(await d.page.getByRole('link', { name: failing.url }).count()).toBe(0);
    expect((await d.api('GET', `/v1/webhooks/endpoints/${flaky.id}`)).statusCode).toBe(404);
  });

  it('replays to a new endpoint the events it missed, after a confirmation', async () => {
    const late = await startReceiver();
    try {
      const created = (await d.api('POST', '/v1/webhooks/endpoints', { url: late.url, events: ['payment.*'] })).json() as { id: string };
      const events = (await d.api('GET', '/v1/events?count=100')).json() as { type: string }[];
      const missed = events.filter((e) => e.type.startsWith('payment.')).length;
      expect(missed).toBeGreaterThan(0);
      await d.page.goto(`${d.base}/#/endpoints/${created.id}`);
      await d.page.getByRole('button', { name: 'Replay…' }).click();
      await d.page.getByRole('dialog', { name: 'Replay events?' }).getByRole('button', { name: 'Replay' }).click();
      await d.page.getByText(`${missed} deliver${missed === 1 ? 'y was' : 'ies were'} queued.`).waitFor();
      await late.waitFor(missed);
      await d.page.getByRole('button', { name: 'Replay…' }).click();
      await d.page.getByRole('dialog', { name: 'Replay events?' }).getByRole('button', { name: 'Replay' }).click();
      await d.page.getByText('Nothing to replay in that span.').waitFor();
    } finally {
      await late.close();
    }
  });

  it('loaded nothing from outside hookd and logged no errors (CSP violations included)', () => {
    d.expectCleanRun();
  });
});

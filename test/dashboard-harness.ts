/**
 * What the dashboard's browser tests share: the dashboard built from source, a real hookd on
 * port 0 with its dispatcher, a real receiver, Chromium, and watch over every request and
 * console error the pages make. `startDashboard()` registers the file's beforeAll/afterAll and
 * returns the parts, filled in once beforeAll has run.
 *
 * With HOOKD_SCREENSHOTS=<dir> (`npm run screenshots`), `shot()` saves pages there.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchChromium } from './browser.js';
import { buildDashboard } from './dashboard-build.js';
import { startHookd, type TestHookd } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';
import { untilValue } from './wait.js';

export const WAIT = 10_000;
const SHOTS = process.env.HOOKD_SCREENSHOTS;

/** untilValue() with the browser tests' bound. */
export const eventually = <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = WAIT): Promise<T> => untilValue(what, check, timeoutMs, 50);

export interface Dashboard {
  h: TestHookd;
  /** http://127.0.0.1:<port> */
  base: string;
  ws: { id: string; test: string; live: string };
  /** Answers 200 with a small JSON body. */
  ok: Receiver;
  browser: Browser;
  /** A page in a watched context, for the file's main path. */
  page: Page;
  /** A browser context whose every request and console error is watched. */
  context(options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext>;
  /** A request with the workspace's test key by default. */
  api(method: string, url: string, body?: unknown, key?: string | null): ReturnType<TestHookd['call']>;
  /** A portal link for the workspace, made to point at this server. */
  portalLink(workspace: string, live: boolean): Promise<string>;
  shot(name: string, target?: Page): Promise<void>;
  /** Nothing was loaded from outside hookd and no page logged an error (CSP violations included). */
  expectCleanRun(): void;
}

export function startDashboard(): Dashboard {
  const offsite: string[] = [];
  const consoleErrors: string[] = [];
  let dashboardDir: string | undefined;
  const d = {} as Dashboard;

  d.context = async (options = {}) => {
    const c = await d.browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
    c.on('request', (r) => {
      if (!r.url().startsWith(d.base) && !r.url().startsWith('data:')) offsite.push(r.url());
    });
    c.on('console', (m) => {
      // The 400, 401 and 404 answers the tests provoke on purpose are logged by Chromium too; anything else is a fault.
      if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 40[014]/.test(m.text())) consoleErrors.push(m.text());
    });
    return c;
  };
  d.api = (method, url, body, key = d.ws.test) => d.h.call(method, url, { key, body });
  d.portalLink = async (workspace, live) => {
    const res = await d.h.call('POST', '/v1/portal/sessions', { body: { workspace, live } });
    expect(res.statusCode, res.body).toBe(201);
    // The link starts with HOOKD_PUBLIC_URL (the helpers' http://localhost:8080): this server is elsewhere.
    return (res.json() as { url: string }).url.replace('http://localhost:8080', d.base);
  };
  d.shot = async (name, target = d.page) => {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await target.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };
  d.expectCleanRun = () => {
    expect(offsite).toEqual([]);
    expect(consoleErrors).toEqual([]);
  };

  beforeAll(async () => {
    dashboardDir = await buildDashboard();
    d.ok = await startReceiver(() => ({ status: 200, body: '{"received":true}', headers: { 'content-type': 'application/json' } }));
    d.h = await startHookd({ retrySchedule: [0], requestTimeout: 10_000 }, { dispatcher: true, dashboardDir });
    d.base = await d.h.app.listen({ port: 0, host: '127.0.0.1' });
    d.ws = await d.h.workspace('Browser Co');
    d.browser = await launchChromium();
    d.page = await (await d.context()).newPage();
    d.page.setDefaultTimeout(WAIT);
  }, 60_000);

  afterAll(async () => {
    await d.browser?.close();
    await d.h?.close();
    await d.ok?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  return d;
}

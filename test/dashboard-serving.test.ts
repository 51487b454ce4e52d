/**
 * How hookd serves the built dashboard (src/api/dashboard.ts), on a stand-in build: caching
 * (immutable hashed assets, revalidated index.html with ETag/304), the same-origin CSP, no file
 * outside the build, and a clear problem when there is no build at all.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problem, startHookd, type TestHookd } from './helpers.js';

describe('serving the dashboard', () => {
  let h: TestHookd;
  let bare: TestHookd;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookd-built-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./assets/index-Abc123.js"></script>');
    writeFileSync(join(dir, 'assets', 'index-Abc123.js'), 'console.log("dashboard")');
    writeFileSync(join(dir, 'assets', 'index-Def456.css'), 'body{}');
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    h = await startHookd({}, { dashboardDir: dir });
    bare = await startHookd({}, { dashboardDir: null });
  });
  afterAll(async () => {
    await h.close();
    await bare.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html at / with no-cache, an ETag that gives 304, and a CSP of its own origin only', async () => {
    const res = await h.call('GET', '/', { key: null });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('index-Abc123.js');
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    for (const directive of ['script-src', 'style-src', 'connect-src']) expect(csp).toContain(`${directive} 'self'`);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    const again = await h.call('GET', '/', { key: null, headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('caches hashed assets for a year as immutable, and other files not at all', async () => {
    const js = await h.call('GET', '/assets/index-Abc123.js', { key: null });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await h.call('GET', '/assets/index-Def456.css', { key: null })).headers['content-type']).toBe('text/css; charset=utf-8');
    const icon = await h.call('GET', '/favicon.svg', { key: null });
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it.each(['/assets/index-Nope99.js', '/assets/../../package.json', '/assets/..%2f..%2fpackage.json', '/package.json', '/dashboard/index.html'])(
    'answers %s with a 404 problem, never a file from outside the build', async (url) => {
      const res = await h.call('GET', url, { key: null });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    });

  it('says how to build it when there is no build', async () => {
    const res = await bare.call('GET', '/', { key: null });
    expect(res.statusCode).toBe(404);
    expect(problem(res).title).toBe('The dashboard is not built');
    expect(problem(res).detail).toContain('npm run build');
  });
});

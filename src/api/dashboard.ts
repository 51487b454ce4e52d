/**
 * Serves the dashboard (docs/dashboard.md): the files `npm run build` writes to dist/dashboard (sources in
 * dashboard/), read into memory once and served at `/`. Each file gets its own route, so no
 * request path is ever joined onto a directory. Hashed files under assets/ never change, so they
 * are cached for a year; index.html is revalidated on every load, so a new build shows at once.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HookdError } from '../domain/errors.js';
import type { App } from './deps.js';

/** Only the server's own origin: the bundle loads no script, style, font or data from anywhere else. */
export const DASHBOARD_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "manifest-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json', '.map': 'application/json',
};

/** Where the built dashboard is: beside the compiled server (dist/api → dist/dashboard), or dist/ when running from src/. */
export function defaultDashboardDir(): string | null {
  const candidates = ['../dashboard', '../../dist/dashboard'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

export async function dashboardRoutes(app: App, { dir }: { dir: string | null }): Promise<void> {
  if (dir === null || !existsSync(join(dir, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async () => {
      throw new HookdError('not_found', 'The dashboard is not built', { detail: 'Run `npm run build` (it writes dist/dashboard), then start hookd again.' });
    });
    return;
  }
  for (const file of filesUnder(dir)) {
    const path = relative(dir, file).split(sep).join('/');
    const body = readFileSync(file);
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const immutable = path.startsWith('assets/');
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    const urls = path === 'index.html' ? ['/', '/index.html'] : [`/${path}`];
    for (const url of urls) {
      app.get(url, { schema: { hide: true } }, async (request, reply) => {
        reply.header('Content-Security-Policy', DASHBOARD_CSP);
        reply.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
        reply.header('ETag', etag);
        if (request.headers['if-none-match'] === etag) return reply.code(304).send();
        return reply.type(type).send(body);
      });
    }
  }
}

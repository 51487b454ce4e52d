/**
 * `hookd serve` as a whole (startServer): first start on an empty data directory creates the
 * SQLite file and the key file, generates the platform key and prints it once; the next start
 * prints nothing and the same key still works.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '../src/config/config.js';
import { startServer } from '../src/server/serve.js';
import { TEST_STORE } from './helpers.js';

describe.skipIf(TEST_STORE !== 'sqlite')('hookd serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-serve-'));
  const dataDir = join(dir, 'data');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = (over: Partial<Config> = {}): Config => ({ ...defaultConfig(), dataDir, port: 0, host: '127.0.0.1', logLevel: 'silent', ...over });

  it('generates the platform key on first start, prints it once, and keeps only its hash', async () => {
    const printed: string[] = [];
    const first = await startServer(config(), { print: (l) => printed.push(l) });
    const key = /HOOKD_ADMIN_KEY=(hkp_[0-9A-Za-z]{40})/.exec(printed.join('\n'))?.[1];
    expect(key).toBeDefined();
    expect(existsSync(join(dataDir, 'hookd.db'))).toBe(true);
    expect(statSync(join(dataDir, 'hookd.key')).mode & 0o777).toBe(0o600);
    const created = await request(`${first.url}/v1/workspaces`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"name":"Acme"}',
    });
    expect(created.statusCode).toBe(201);
    await created.body.dump();
    await first.close();

    const again: string[] = [];
    const second = await startServer(config(), { print: (l) => again.push(l) });
    expect(again.join('\n')).not.toContain('HOOKD_ADMIN_KEY=');
    const listed = await request(`${second.url}/v1/workspaces`, { headers: { authorization: `Bearer ${key}` } });
    expect(listed.statusCode).toBe(200);
    expect(((await listed.body.json()) as unknown[]).length).toBe(1);
    await second.close();
  });

  it('/ready checks the dispatcher where one runs: n/a for role api; a worker serves probes and metrics, not the API', async () => {
    for (const [role, dispatcher] of [['api', 'n/a'], ['all', 'ok'], ['worker', 'ok']] as const) {
      const server = await startServer(config({ role, adminKey: 'a-platform-key-of-at-least-32-characters', dataDir: join(dir, `role-${role}`) }), { print: () => undefined });
      try {
        const ready = await request(`${server.url}/ready`);
        expect(ready.statusCode, role).toBe(200);
        expect(await ready.body.json(), role).toEqual({ status: 'ready', store: 'sqlite', checks: { store: 'ok', migrations: 'ok', dispatcher } });
        const metrics = await request(`${server.url}/metrics`);
        expect(await metrics.body.text(), role).toContain('# TYPE hookd_deliveries_pending gauge');
        const api = await request(`${server.url}/v1/status`, { headers: { authorization: 'Bearer a-platform-key-of-at-least-32-characters' } });
        expect(api.statusCode, role).toBe(role === 'worker' ? 404 : 200);
        await api.body.dump();
      } finally {
        await server.close();
      }
    }
  });

  it('a configured HOOKD_ADMIN_KEY is the platform key, and nothing is printed', async () => {
    const printed: string[] = [];
    const adminKey = 'my-own-platform-key-of-at-least-32-chars';
    const server = await startServer(config({ adminKey, dataDir: join(dir, 'other') }), { print: (l) => printed.push(l) });
    expect(printed).toEqual([]);
    const res = await request(`${server.url}/v1/workspaces`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    await server.close();
  });
});

/**
 * `hookd keys rotate-encryption` on a real SQLite data directory: every secret survives, is
 * sealed with the new key afterwards, and the old key no longer opens anything; the kept
 * idempotent answers (which hold secrets whole) are re-sealed too and still replay.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '../src/config/config.js';
import { rotateEncryption } from '../src/cli/keys.js';
import { startServer } from '../src/server/serve.js';
import { createSecretBox, keyId, loadKeyRing } from '../src/store/secret-box.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { TEST_STORE } from './helpers.js';

const ADMIN = 'hkp_rotate_test_platform_key_0123456789ab';

describe.skipIf(TEST_STORE !== 'sqlite')('hookd keys rotate-encryption', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-rotate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config: Config = { ...defaultConfig(), dataDir: dir, port: 0, host: '127.0.0.1', logLevel: 'silent', adminKey: ADMIN };

  it('re-seals every secret with a new key file key and drops the old key', async () => {
    const server = await startServer(config, { print: () => undefined });
    const send = async (url: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await request(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      return { text: await res.body.text(), cached: res.headers['x-cached-response'] };
    };
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}) =>
      JSON.parse((await send(server.url, path, body, headers)).text) as Record<string, string>;
    const ws = await post('/v1/workspaces', { name: 'Acme' });
    const scope = { 'x-workspace-id': ws.id! };
    const createBody = { url: 'https://example.com/h', events: ['*'], token: 'tok_customer' };
    const createKey = { ...scope, 'x-idempotency-key': 'create-before-rotation' };
    const created = await send(server.url, '/v1/webhooks/endpoints', createBody, createKey);
    const ep = JSON.parse(created.text) as Record<string, string>;
    const rolled = await post(`/v1/webhooks/endpoints/${ep.id}/secret/roll`, { expires_in: 3600 }, scope);
    await server.close();

    const [oldKey] = loadKeyRing(null, [], dir).keys;
    const lines: string[] = [];
    expect(await rotateEncryption(config, (l) => lines.push(l))).toEqual({ endpoints: 1, answers: 1 });
    expect(lines.join('\n')).toMatch(/re-encrypted 1 endpoint\(s\) and 1 kept idempotent answer\(s\) with a new key/);
    const { keys } = loadKeyRing(null, [], dir);
    expect(keys).toHaveLength(1);
    expect(keys[0]!.equals(oldKey!)).toBe(false);
    expect(readFileSync(join(dir, 'hookd.key'), 'utf8').trim().split('\n')).toHaveLength(1);

    const raw = new Database(join(dir, 'hookd.db'), { readonly: true });
    const row = raw.prepare('SELECT secret, token, previous_secrets FROM endpoints').get() as Record<string, string>;
    const answer = raw.prepare('SELECT body FROM idempotency_keys WHERE key = ?').get('create-before-rotation') as { body: string };
    raw.close();
    for (const value of [...Object.values(row), answer.body]) expect(value.startsWith(`v2.${keyId(keys[0]!)}.`)).toBe(true);
    expect(() => createSecretBox(oldKey!).open(row.secret!)).toThrow();
    expect(() => createSecretBox(oldKey!).open(answer.body)).toThrow();

    const store = await openSqliteStore({ file: join(dir, 'hookd.db'), box: createSecretBox(keys) });
    const endpoint = (await store.getEndpoint({ workspace: ws.id!, live: false }, ep.id!))!;
    await store.close();
    expect(endpoint.secret).toBe(rolled.secret);
    expect(endpoint.token).toBe('tok_customer');
    expect(endpoint.previousSecrets.map((p) => p.secret)).toEqual([ep.secret]);

    // The answer kept before the rotation still replays, byte for byte, with only the new key.
    const again = await startServer(config, { print: () => undefined });
    try {
      const replayed = await send(again.url, '/v1/webhooks/endpoints', createBody, createKey);
      expect(replayed.cached).toBe('true');
      expect(replayed.text).toBe(created.text);
    } finally {
      await again.close();
    }
  });
});

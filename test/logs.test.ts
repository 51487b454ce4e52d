/**
 * Secrets never appear in logs (docs/security.md): a full session logged at trace level, with
 * pino's redaction as hookd configures it, holds no key, secret or token; and objects that
 * carry secrets, logged the way code in hookd would, come out censored. And the log lines of
 * `hookd serve` as an operator meets them (docs/operations.md): JSON with request ids on a pipe,
 * HOOKD_LOG_LEVEL, pretty on a terminal.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { LOG_REDACT } from '../src/server/logging.js';
import { loadConfig } from '../src/config/config.js';
import { startServer } from '../src/server/serve.js';
import { PLATFORM_KEY, startHookd } from './helpers.js';
import { startReceiver } from './receiver.js';
import { until } from './wait.js';

describe('logs', () => {
  it('hold no key, secret or token, at trace level, through a whole session', async () => {
    let text = '';
    const stream = new Writable({ write(chunk: Buffer, _enc, done) { text += chunk.toString(); done(); } });
    const receiver = await startReceiver();
    const h = await startHookd({ retrySchedule: [0] }, { dispatcher: true, logger: { level: 'trace', stream, redact: { paths: LOG_REDACT, censor: '[redacted]' } } });
    try {
      const ws = await h.workspace();
      const ep = (await h.call('POST', '/v1/webhooks/endpoints', {
        key: ws.test, body: { url: receiver.url, events: ['*'], token: 'tok_do_not_log_me_1234' }, headers: { 'x-idempotency-key': 'idem-do-not-log' },
      })).json() as { id: string; secret: string };
      const rolled = (await h.call('POST', `/v1/webhooks/endpoints/${ep.id}/secret/roll`, { key: ws.test })).json() as { secret: string };
      // Custom header values and Ed25519 private keys are never shown: the store has them.
      const ed = (await h.call('POST', '/v1/webhooks/endpoints', {
        key: ws.test, body: { url: `${receiver.url}/ed`, events: ['*'], signing: 'ed25519', headers: { 'X-Api-Key': 'hdr_do_not_log_me_5678abcd' } },
      })).json() as { id: string };
      const stored = (await h.store.getEndpoint({ workspace: ws.id, live: false }, ed.id))!;
      const privateKey = stored.signingKey!.privateKey;
      await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: {} } } });
      await receiver.waitFor(2);
      await h.call('GET', '/v1/events', { key: `${ws.test}x` });
      await h.call('POST', `/v1/webhooks/endpoints/${ep.id}/test`, { key: ws.test });
      // Objects that hold secrets, logged as code in hookd might.
      h.app.log.info({ endpoint: { secret: ep.secret, token: 'tok_do_not_log_me_1234' }, keys: { test: ws.test } }, 'an endpoint');
      h.app.log.info({ result: { endpoint: { secret: rolled.secret } } }, 'nested');
      h.app.log.info({ endpoint: { signingKey: stored.signingKey, previousSigningKeys: [{ privateKey, expires: 0 }] } }, 'an Ed25519 endpoint');
      h.app.log.info({ req: { headers: { authorization: `Bearer ${PLATFORM_KEY}` } } }, 'headers');
      // The session's last line: the delivery's outcome, logged once it is written.
      await until('the delivery outcome is logged', () => text.includes('"msg":"delivery succeeded"'), 10_000, 20);

      expect(text.length).toBeGreaterThan(1_000);
      expect(text).toContain('[redacted]');
      for (const secret of [ws.test, ws.live, ep.secret, rolled.secret, 'tok_do_not_log_me_1234', PLATFORM_KEY, 'idem-do-not-log', 'hdr_do_not_log_me_5678abcd', privateKey]) {
        expect(text).not.toContain(secret);
        // The distinctive middle of a secret, in case it was logged cut or wrapped.
        expect(text).not.toContain(secret.slice(6, 26));
      }
    } finally {
      await h.close();
      await receiver.close();
    }
  });
});

describe('log lines of hookd serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-log-lines-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ADMIN = 'hkp_log_lines_test_platform_key_0123456789';

  /** startServer on the configuration loadConfig() reads from these variables, its log captured as a terminal or a pipe would get it. */
  async function serve(env: Record<string, string>, tty: boolean) {
    let text = '';
    const stream = Object.assign(new Writable({ write(chunk: Buffer, _enc, done) { text += chunk.toString(); done(); } }), { isTTY: tty });
    const config = loadConfig({ env: { HOOKD_DATA_DIR: join(dir, randomBytes(4).toString('hex')), HOOKD_PORT: '0', HOOKD_HOST: '127.0.0.1', HOOKD_ADMIN_KEY: ADMIN, ...env }, cwd: dir });
    const server = await startServer(config, { print: () => undefined, logStream: stream });
    const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const res = await request(`${server.url}${path}`, {
        method, headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
      });
      return { id: String(res.headers['x-request-id']), status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
    };
    return { server, call, text: () => text };
  }
  const jsonLines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  it('are JSON on a pipe; each line a request writes carries its X-Request-Id, and a manual attempt names its delivery', async () => {
    const receiver = await startReceiver();
    const { server, call, text } = await serve({ HOOKD_ALLOW_NETWORKS: '127.0.0.0/8' }, false);
    try {
      const ws = await call('POST', '/v1/workspaces', { name: 'Logs' });
      const key = (ws.body.keys as { test: string }).test;
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const ep = (await (await request(`${server.url}/v1/webhooks/endpoints`, { method: 'POST', headers, body: JSON.stringify({ url: receiver.url, events: ['*'] }) })).body.json()) as { id: string };
      const evt = (await (await request(`${server.url}/v1/events`, { method: 'POST', headers, body: JSON.stringify({ type: 'payment.succeeded', data: { object: {} } }) })).body.json()) as { id: string };
      const retry = await request(`${server.url}/v1/events/${evt.id}/retry`, { method: 'POST', headers, body: JSON.stringify({ webhook_endpoint: ep.id }) });
      expect(retry.statusCode).toBe(200);
      await retry.body.dump();
      const requestId = String(retry.headers['x-request-id']);
      expect(requestId).toMatch(/^req_/);
      const ofRequest = () => jsonLines(text()).filter((l) => l.reqId === requestId);
      await until('the request is logged as completed', () => ofRequest().some((l) => l.msg === 'request completed'), 10_000, 20);

      expect(ofRequest().map((l) => l.msg)).toEqual(['incoming request', 'manual attempt', 'request completed']);
      const attempt = ofRequest()[1]!;
      expect(attempt).toMatchObject({ level: 30, endpoint: ep.id, event: evt.id, code: 200, successful: true });
      expect(attempt.delivery).toMatch(/^wh_/);
    } finally {
      await server.close();
      await receiver.close();
    }
  });

  it('HOOKD_LOG_LEVEL=warn leaves out the info lines', async () => {
    const quiet = await serve({ HOOKD_LOG_LEVEL: 'warn' }, false);
    const chatty = await serve({}, false);
    try {
      for (const s of [quiet, chatty]) expect((await s.call('GET', '/v1/workspaces')).status).toBe(200);
      // Waiting for the chatty server's line gives the quiet one's, had it one, the same time to appear.
      await until('the chatty server logs the request', () => chatty.text().includes('"msg":"request completed"'), 10_000, 20);
      expect(quiet.text()).toBe('');
      expect(jsonLines(chatty.text()).filter((l) => l.msg === 'request completed')).toHaveLength(1);
    } finally {
      await quiet.server.close();
      await chatty.server.close();
    }
  });

  it('are pretty on a terminal (still redacted), and JSON there with HOOKD_LOG_FORMAT=json', async () => {
    const pretty = await serve({}, true);
    const forced = await serve({ HOOKD_LOG_FORMAT: 'json' }, true);
    try {
      const { id } = await pretty.call('GET', '/v1/workspaces');
      pretty.server.app.log.warn({ endpoint: { secret: 'fwhs_do_not_print_this_secret' }, delivery: 'wh_1' }, 'an endpoint');
      expect((await forced.call('GET', '/v1/workspaces')).status).toBe(200);
      await until('both servers log their request', () => pretty.text().includes('request completed') && forced.text().includes('request completed'), 10_000, 20);

      const lines = pretty.text().trim().split('\n');
      for (const line of lines) expect(() => JSON.parse(line)).toThrow();
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\S*\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* \\S*INFO \\S* \\S*${id}\\S* request completed → 200 in \\d+\\.\\d ms`)));
      const warned = lines.find((l) => l.includes('an endpoint'))!;
      expect(warned).toContain('WARN');
      expect(warned).toContain('"secret":"[redacted]"');
      expect(warned).toContain('wh_1');
      expect(pretty.text()).not.toContain('fwhs_do_not_print_this_secret');
      expect(jsonLines(forced.text()).some((l) => l.msg === 'request completed')).toBe(true);
    } finally {
      await pretty.server.close();
      await forced.server.close();
    }
  });
});

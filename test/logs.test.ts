/**
 * Secrets never appear in logs (issue 5 item 2): a full session logged at trace level, with
 * pino's redaction as hookd configures it, holds no key, secret or token; and objects that
 * carry secrets, logged the way code in hookd would, come out censored.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LOG_REDACT } from '../src/api/index.js';
import { PLATFORM_KEY, startHookd } from './helpers.js';
import { startReceiver } from './receiver.js';

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
      await h.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: {} } } });
      await receiver.waitFor(1);
      await h.call('GET', '/v1/events', { key: `${ws.test}x` });
      await h.call('POST', `/v1/webhooks/endpoints/${ep.id}/test`, { key: ws.test });
      // Objects that hold secrets, logged as code in hookd might.
      h.app.log.info({ endpoint: { secret: ep.secret, token: 'tok_do_not_log_me_1234' }, keys: { test: ws.test } }, 'an endpoint');
      h.app.log.info({ result: { endpoint: { secret: rolled.secret } } }, 'nested');
      h.app.log.info({ req: { headers: { authorization: `Bearer ${PLATFORM_KEY}` } } }, 'headers');
      await new Promise((r) => setTimeout(r, 100));

      expect(text.length).toBeGreaterThan(1_000);
      expect(text).toContain('[redacted]');
      for (const secret of [ws.test, ws.live, ep.secret, rolled.secret, 'tok_do_not_log_me_1234', PLATFORM_KEY, 'idem-do-not-log']) {
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

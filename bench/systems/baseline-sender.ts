/**
 * The sending half of both baselines, as a team would write it in an afternoon: serialise the
 * event, sign it with HMAC-SHA256 (Standard Webhooks: `<id>.<timestamp>.<body>`), POST it with
 * undici over a keep-alive pool, and throw on anything but 2xx so that the queue retries.
 * Timeouts as hookd's defaults (connect 5 s, whole answer 15 s), so a hanging endpoint costs
 * every system the same.
 */
import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';

export interface DeliveryJob {
  event: { id: string } & Record<string, unknown>;
  url: string;
  secret: string;
}

export function createBaselineSender() {
  const agent = new Agent({ connect: { timeout: 5_000 }, headersTimeout: 15_000, bodyTimeout: 15_000, keepAliveTimeout: 4_000 });
  const keys = new Map<string, Buffer>();

  async function deliver(job: DeliveryJob): Promise<void> {
    const body = JSON.stringify(job.event);
    const timestamp = Math.floor(Date.now() / 1000);
    let key = keys.get(job.secret);
    if (!key) keys.set(job.secret, (key = Buffer.from(job.secret.slice('whsec_'.length), 'base64')));
    const signature = createHmac('sha256', key).update(`${job.event.id}.${timestamp}.`).update(body).digest('base64');
    const res = await request(job.url, {
      method: 'POST', body, dispatcher: agent,
      headers: {
        'content-type': 'application/json', 'user-agent': 'bench-baseline',
        'webhook-id': job.event.id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}`,
      },
    });
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode} from ${job.url}`);
  }

  return { deliver, close: () => agent.destroy() };
}

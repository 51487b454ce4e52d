/**
 * Each adapter behind a real server on 127.0.0.1:0, fed exactly what hookd sends (its own
 * buildRequest): a good signature reaches the handler as a parsed event and is answered 2xx; a
 * bad one is answered 400 with a message that says what to check, and the handler never runs.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import express, { type NextFunction, type Request, type Response } from 'express';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createNodeHandler, expressWebhook, fastifyWebhook, honoWebhook,
  type HonoWebhookVariables, type WebhookEvent, type WebhookRequest,
} from '../src/index.js';
import { hookdDelivery, type Delivery } from './fixtures.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A fresh delivery signed now (the adapters use the real clock). */
const delivery = (format: 'basic' | 'cloud_events' = 'basic', rolled = 0): Delivery => hookdDelivery({ nowMs: Date.now(), format, rolled });

function post(url: string, d: Pick<Delivery, 'body' | 'headers'>, body: string = d.body) {
  return fetch(url, { method: 'POST', headers: d.headers, body });
}

interface Harness {
  /** The URL that the webhook route answers on. */
  url: string;
  /** Every event the handler saw. */
  seen: WebhookEvent[];
}

type Start = (secret: string) => Promise<Harness>;

const startNode: Start = async (secret) => {
  const seen: WebhookEvent[] = [];
  const server = createServer(createNodeHandler({ secret }, (event) => {
    seen.push(event);
  }));
  return { url: `${await listen(server)}/webhooks`, seen };
};

const startExpress: Start = async (secret) => {
  const seen: WebhookEvent[] = [];
  const app = express();
  // The middleware reads the stream itself: no body parser on this route.
  app.post('/webhooks', expressWebhook({ secret }), (req: Request, res: Response) => {
    seen.push((req as WebhookRequest<Request>).webhookEvent);
    expect(res.locals.webhookEvent).toBe((req as WebhookRequest<Request>).webhookEvent);
    res.status(200).json({ ok: true });
  });
  return { url: `${await listen(createServer(app))}/webhooks`, seen };
};

const startExpressRaw: Start = async (secret) => {
  const seen: WebhookEvent[] = [];
  const app = express();
  // The body comes from express.raw(), and the rest of the app uses express.json().
  app.post('/webhooks', express.raw({ type: 'application/json' }), expressWebhook({ secret }), (req: Request, res: Response) => {
    seen.push((req as WebhookRequest<Request>).webhookEvent);
    res.sendStatus(204);
  });
  app.use(express.json());
  return { url: `${await listen(createServer(app))}/webhooks`, seen };
};

const startFastify: Start = async (secret) => {
  const seen: WebhookEvent[] = [];
  const app: FastifyInstance = Fastify();
  await app.register(fastifyWebhook, {
    secret,
    path: '/webhooks',
    handler: async (event: WebhookEvent, _request: FastifyRequest, reply: FastifyReply) => {
      seen.push(event);
      return reply.code(202).send({ accepted: event.id });
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => app.close());
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/webhooks`, seen };
};

const startHono: Start = async (secret) => {
  const seen: WebhookEvent[] = [];
  const app = new Hono<{ Variables: HonoWebhookVariables }>();
  app.post('/webhooks', honoWebhook({ secret }), async (c) => {
    seen.push(c.get('webhookEvent'));
    // Hono keeps the body, so it can still be read after the middleware.
    expect(await c.req.json()).toMatchObject({ id: c.get('webhookEvent').id });
    return c.json({ ok: true });
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, seen };
};

const adapters: { name: string; start: Start }[] = [
  { name: 'node:http', start: startNode },
  { name: 'Express (reads the stream)', start: startExpress },
  { name: 'Express (after express.raw())', start: startExpressRaw },
  { name: 'Fastify', start: startFastify },
  { name: 'Hono (@hono/node-server)', start: startHono },
];

describe.each(adapters)('$name', ({ start }) => {
  it.each(['basic', 'cloud_events'] as const)('a good signature: 2xx, and the handler sees the parsed event (%s)', async (format) => {
    const d = delivery(format, 1);
    const { url, seen } = await start(d.secrets[1]!); // the rolled secret still verifies
    const res = await post(url, d);
    expect(res.status, await res.clone().text()).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id: d.event.id, type: 'message.delivered', workspace: d.event.workspace, live: false, data: d.event.data });
  });

  it.each([
    { name: 'a tampered body', alter: (d: Delivery) => ({ ...d, body: d.body.replace('1000', '9999') }), code: 'signature_mismatch', says: /raw request body/ },
    { name: 'a re-serialised body', alter: (d: Delivery) => ({ ...d, body: JSON.stringify(JSON.parse(d.body), null, 2) }), code: 'signature_mismatch', says: /re-serialised/ },
    { name: 'a malformed X-Falu-Signature', alter: (d: Delivery) => ({ ...d, headers: { ...d.headers, 'x-falu-signature': 't=,sha256' } }), code: 'malformed_header', says: /expected t=/ },
    {
      name: 'no signature headers',
      alter: (d: Delivery) => ({ ...d, headers: { 'content-type': 'application/json' } }),
      code: 'missing_header', says: /neither an X-Falu-Signature/,
    },
    { name: 'a stale delivery', alter: (_d: Delivery) => hookdDelivery({ nowMs: Date.now() - 3_600_000 }), code: 'timestamp_too_old', says: /NTP/ },
  ])('$name: 400 with a clear message, and the handler does not run', async ({ alter, code, says }) => {
    const d = alter(delivery());
    const secret = 'secrets' in d ? d.secrets[0]! : '';
    const { url, seen } = await start(secret);
    const res = await post(url, d);
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe(code);
    expect(answer.error.message).toMatch(says);
    expect(seen).toHaveLength(0);
  });

  it('the wrong secret: 400 signature_mismatch that says to check the secret', async () => {
    const d = delivery();
    const { url, seen } = await start(hookdDelivery().secrets[0]!);
    const res = await post(url, d);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'signature_mismatch', message: expect.stringMatching(/signing secret/) } });
    expect(seen).toHaveLength(0);
  });
});

describe('adapter details', () => {
  it('node:http: a handler that answers itself keeps its answer; one that throws is answered 500 (hookd retries)', async () => {
    const d = delivery();
    const errors: unknown[] = [];
    let mode: 'answer' | 'throw' = 'answer';
    const server = createServer(createNodeHandler({ secret: d.secrets[0]!, onError: (e) => errors.push(e) }, async (event, _req, res) => {
      if (mode === 'throw') throw new Error('database down');
      res.statusCode = 201;
      res.end(event.id);
    }));
    const url = await listen(server);
    const ok = await post(url, d);
    expect([ok.status, await ok.text()]).toEqual([201, d.event.id]);
    mode = 'throw';
    const failed = await post(url, d);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: { code: 'handler_error', message: 'The webhook handler failed.' } });
    expect(errors).toHaveLength(1);
  });

  it('node:http: a body over maxBodyBytes is answered 413; an empty secret (a configuration mistake) 500', async () => {
    const d = delivery();
    const small = await listen(createServer(createNodeHandler({ secret: d.secrets[0]!, maxBodyBytes: 100 }, () => undefined)));
    expect((await post(small, d)).status).toBe(413);
    const unset = await listen(createServer(createNodeHandler({ secret: '' }, () => undefined)));
    const res = await post(unset, d);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_secret' } });
  });

  it('Express: after express.json() the body cannot be verified, and the error (to the error handler) says to use express.raw()', async () => {
    const d = delivery();
    const app = express();
    app.use(express.json());
    let seen = 0;
    app.post('/webhooks', expressWebhook({ secret: d.secrets[0]! }), (_req: Request, res: Response) => {
      seen++;
      res.end();
    });
    app.use((err: Error & { code?: string }, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).json({ code: err.code, message: err.message });
    });
    const res = await post(`${await listen(createServer(app))}/webhooks`, d);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: 'unsupported_body', message: expect.stringMatching(/express\.raw/) });
    expect(seen).toBe(0);
  });

  it('Fastify: the raw-body parser applies to the plugin\'s route only; the rest of the app still parses JSON', async () => {
    const d = delivery();
    const app = Fastify();
    const seen: string[] = [];
    await app.register(fastifyWebhook, { secret: d.secrets[0]!, path: '/hooks', handler: (event) => { seen.push(event.type); } }, );
    app.post('/api/things', async (request) => ({ parsed: request.body }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const hook = await post(`${base}/hooks`, d);
    expect([hook.status, await hook.json()]).toEqual([200, { received: true }]);
    expect(seen).toEqual(['message.delivered']);
    const api = await fetch(`${base}/api/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await api.json()).toEqual({ parsed: { a: 1 } });
  });

  it('Hono: works through app.fetch with a plain Request too (edge runtimes)', async () => {
    const d = delivery('cloud_events');
    const app = new Hono<{ Variables: HonoWebhookVariables }>();
    app.post('/webhooks', honoWebhook({ secret: d.secrets[0]! }), (c) => c.text(c.get('webhookEvent').type));
    const ok = await app.fetch(new Request('http://hookd.test/webhooks', { method: 'POST', headers: d.headers, body: d.body }));
    expect([ok.status, await ok.text()]).toEqual([200, 'message.delivered']);
    const bad = await app.fetch(new Request('http://hookd.test/webhooks', { method: 'POST', headers: d.headers, body: `${d.body} ` }));
    expect(bad.status).toBe(400);
  });
});

/**
 * An HTTP client for a hookd process started by a test (test/hookd-process.ts), as the
 * platform: calls with the platform key, a workspace with endpoints on a test receiver,
 * publishing many events, and reading /metrics.
 */
import { Pool, type Dispatcher } from 'undici';
import type { Receiver } from './receiver.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
  /** ms from sending to the end of the answer */
  ms: number;
}

export type HookdClient = ReturnType<typeof hookdClient>;

/** A delivery record (`GET /v1/webhooks`), the fields tests look at. */
export interface DeliveryRecord {
  id: string; event: string; endpoint: string; status: 'pending' | 'succeeded' | 'failed';
  attempts: { code: number | null; successful: boolean; error: string | null; time: number; response: string | null; attempted: string }[];
  /** FIFO endpoints only (docs/delivery.md, "Ordered endpoints"): its place, the head it waits behind, the given-up one it follows. */
  sequence: number | null; waiting_behind: string | null; follows_given_up: string | null;
}

/** `connections` bounds the requests in flight at once. */
export function hookdClient(base: string, adminKey: string, connections = 8) {
  const pool = new Pool(base, { connections });
  async function call(method: Dispatcher.HttpMethod, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const started = Date.now();
    const res = await pool.request({
      method, path,
      headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown>, ms: Date.now() - started };
  }
  const expectStatus = (res: Answer, status: number, what: string) => {
    if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${res.text}`);
  };
  return {
    call,
    /**
     * A workspace with one endpoint per path /webhooks/0…n-1 of `receiver` (or per URL in
     * `urls`), subscribed to payment.succeeded; returns the scope headers and the endpoint ids.
     */
    async workspace(receiver: Receiver | null, endpoints: number, urls: string[] = []): Promise<{ scope: Record<string, string>; endpoints: string[] }> {
      const ws = await call('POST', '/v1/workspaces', { name: 'test' });
      expectStatus(ws, 201, 'creating a workspace');
      const scope = { 'x-workspace-id': String(ws.json().id), 'x-live-mode': 'false' };
      const targets = receiver ? Array.from({ length: endpoints }, (_, i) => `${receiver.url}/${i}`) : urls;
      const ids: string[] = [];
      for (const url of targets) {
        const ep = await call('POST', '/v1/webhooks/endpoints', { url, events: ['payment.succeeded'] }, scope);
        expectStatus(ep, 201, `creating an endpoint for ${url}`);
        ids.push(String(ep.json().id));
      }
      return { scope, endpoints: ids };
    },
    /** Publishes `count` events, `concurrency` at a time; returns the ids answered 201, in no particular order. */
    async publish(scope: Record<string, string>, count: number, concurrency: number): Promise<string[]> {
      const ids: string[] = [];
      let next = 0;
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const n = next++;
          const res = await call('POST', '/v1/events', { type: 'payment.succeeded', data: { object: { n } } }, scope);
          expectStatus(res, 201, `publishing event ${n}`);
          ids.push(String(res.json().id));
        }
      }));
      return ids;
    },
    /** Every delivery record of the scope, page by page; `query` adds filters, e.g. '&status=pending'. */
    async deliveries(scope: Record<string, string>, query = ''): Promise<DeliveryRecord[]> {
      const all: DeliveryRecord[] = [];
      let ct: string | undefined;
      do {
        const res = await call('GET', `/v1/webhooks?count=100${query}${ct ? `&ct=${encodeURIComponent(ct)}` : ''}`, undefined, scope);
        expectStatus(res, 200, 'listing delivery records');
        all.push(...(JSON.parse(res.text) as DeliveryRecord[]));
        ct = res.headers['x-continuation-token'] as string | undefined;
      } while (ct);
      return all;
    },
    metric: (name: string, labels = '') => readMetric(base, name, labels),
    close: () => pool.close(),
  };
}

/** One sample from a process's /metrics, e.g. ('hookd_delivery_attempts_total', 'outcome="succeeded"'); 0 when absent. */
export async function readMetric(base: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const sample = labels ? `${name}{${labels}}` : name;
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

/** The (event, endpoint) pairs a publish should lead to, as the receiver's pair keys. */
export const expectedPairs = (ids: string[], endpoints: number): string[] =>
  ids.flatMap((id) => Array.from({ length: endpoints }, (_, i) => `${id}/webhooks/${i}`));

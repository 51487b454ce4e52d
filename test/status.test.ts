/**
 * GET /v1/status, the summary behind `hookd status`, after real deliveries: the backlog, the
 * failing endpoints and the last failed attempts, scoped like every route (a workspace key sees
 * its workspace and mode; the platform key alone sees the whole store).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';
import { until } from './wait.js';

interface Status {
  scope: { workspace: string | null; live: boolean | null };
  generated: string;
  deliveries: { pending: number; oldest_due: string | null };
  failing_endpoints: { count: number; data: { id: string; url: string; status: string; failing_since: string; workspace: string }[] };
  recent_errors: { attempted: string; delivery: string; event: string; endpoint: string; url: string; code: number | null; error: string | null; workspace: string }[];
}

const HOUR = 3_600_000;
let h: TestHookd;
let ok: Receiver;
let failing: Receiver;
const A = { id: '', test: '', live: '', failing: '', event: '' };
const B = { id: '', test: '', failing: '' };

async function status(key: string | undefined, query = '', headers: Record<string, string> = {}): Promise<Status> {
  const res = await h.call('GET', `/v1/status${query}`, { key, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Status;
}

beforeAll(async () => {
  ok = await startReceiver();
  failing = await startReceiver(() => ({ status: 500, body: 'boom' }));
  // One automatic retry an hour later: the failed deliveries stay pending for the whole test.
  // The jitter is pinned to its middle (factor 1), so the retry is due exactly an hour after the failure.
  h = await startHookd({ retrySchedule: [0, HOUR] }, { dispatcher: true, random: () => 0.5 });
  const endpoint = async (key: string, url: string) => {
    const res = await h.call('POST', '/v1/webhooks/endpoints', { key, body: { url, events: ['*'] } });
    expect(res.statusCode).toBe(201);
    return String(res.json().id);
  };
  const publish = async (key: string) => String((await h.call('POST', '/v1/events', { key, body: { type: 'payment.succeeded', data: { object: {} } } })).json().id);
  const a = await h.workspace('A');
  const b = await h.workspace('B');
  Object.assign(A, a, { failing: await endpoint(a.test, `${failing.url}/a`) });
  await endpoint(a.test, ok.url);
  Object.assign(B, { id: b.id, test: b.test, failing: await endpoint(b.test, `${failing.url}/b`) });
  A.event = await publish(a.test);
  await publish(b.test);
  await Promise.all([ok.waitFor(1), failing.waitFor(2)]);
  await until('the failed attempts are recorded',
    async () => (await h.store.countPendingDeliveries()) === 2 && (await status(undefined)).failing_endpoints.count === 2, 10_000, 50);
});
afterAll(async () => {
  await h?.close();
  await ok?.close();
  await failing?.close();
});

describe('GET /v1/status', () => {
  it('shows a workspace key its backlog, its failing endpoint and the failed attempt, and nothing of another workspace', async () => {
    const s = await status(A.test);
    expect(s.scope).toEqual({ workspace: A.id, live: false });
    expect(s.deliveries.pending).toBe(1);
    // The retry is due an hour after the failed attempt ended: after it started, and before this answer was generated.
    const due = Date.parse(s.deliveries.oldest_due!);
    expect(due).toBeGreaterThanOrEqual(Date.parse(s.recent_errors[0]!.attempted) + HOUR);
    expect(due).toBeLessThanOrEqual(Date.parse(s.generated) + HOUR);
    expect(s.failing_endpoints.count).toBe(1);
    expect(s.failing_endpoints.data).toEqual([expect.objectContaining({ id: A.failing, url: `${failing.url}/a`, status: 'enabled', workspace: A.id })]);
    expect(s.recent_errors).toEqual([expect.objectContaining({ endpoint: A.failing, event: A.event, code: 500, url: `${failing.url}/a`, workspace: A.id })]);
    expect(s.recent_errors[0]!.delivery).toMatch(/^wh_/);
    expect(JSON.stringify(s)).not.toContain(B.failing);
    expect(JSON.stringify(s)).not.toContain(B.id);
  });

  it('keeps the modes apart: the live key sees a quiet live mode', async () => {
    const s = await status(A.live);
    expect(s).toMatchObject({ scope: { workspace: A.id, live: true }, deliveries: { pending: 0, oldest_due: null }, failing_endpoints: { count: 0, data: [] }, recent_errors: [] });
  });

  it('shows the platform key alone the whole store, and one workspace with X-Workspace-Id', async () => {
    const all = await status(undefined);
    expect(all.scope).toEqual({ workspace: null, live: null });
    expect(all.deliveries.pending).toBe(2);
    expect(all.failing_endpoints.data.map((e) => e.id).sort()).toEqual([A.failing, B.failing].sort());
    expect(all.recent_errors).toHaveLength(2);

    const b = await status(undefined, '', { 'x-workspace-id': B.id });
    expect(b.scope).toEqual({ workspace: B.id, live: false });
    expect(b.failing_endpoints.data.map((e) => e.id)).toEqual([B.failing]);
  });

  it('shows a portal session what its workspace key would see', async () => {
    const res = await h.call('POST', '/v1/portal/sessions', { body: { workspace: A.id, live: false } });
    expect(res.statusCode, res.body).toBe(201);
    const token = String(res.json().url).split('#portal=')[1]!;
    const s = await status(token);
    expect(s.scope).toEqual({ workspace: A.id, live: false });
    expect(s.failing_endpoints.data.map((e) => e.id)).toEqual([A.failing]);
  });

  it('lists at most `limit` endpoints and errors but counts them all; a bad limit or key is refused', async () => {
    const s = await status(undefined, '?limit=1');
    expect(s.failing_endpoints.count).toBe(2);
    expect(s.failing_endpoints.data).toHaveLength(1);
    expect(s.recent_errors).toHaveLength(1);
    expect((await h.call('GET', '/v1/status?limit=0')).statusCode).toBe(400);
    expect((await h.call('GET', '/v1/status', { key: `${A.test}x` })).statusCode).toBe(401);
    expect((await h.call('GET', '/v1/status', { key: null })).statusCode).toBe(401);
    // A workspace key cannot widen its view by naming another workspace.
    expect((await h.call('GET', '/v1/status', { key: A.test, headers: { 'x-workspace-id': B.id } })).statusCode).toBe(403);
  });
});

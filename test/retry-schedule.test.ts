/**
 * An endpoint's own retry schedule (docs/delivery.md, "Per-endpoint retry schedules"), on both
 * stores: its entries time the attempts (entry 0 at publish), the schedule's end gives the
 * delivery up, null restores the platform's, and the endpoint object shows the schedule in force.
 * The dispatcher runs on the test clock with the jitter pinned at its middle, so every delay is exact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';
import { untilValue } from './wait.js';

const PLATFORM = ['0', '5s', '5m', '30m', '2h', '5h', '10h', '10h'];

interface DeliveryJson { id: string; endpoint: string; status: string; attempts: { attempted: string; code: number | null }[]; next: { scheduled: string } | null }
interface EndpointJson { id: string; retry_schedule: string[]; retry_schedule_source: string; etag: string }

describe("an endpoint's retry schedule", () => {
  let h: TestHookd | null = null;
  let receiver: Receiver | null = null;
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
    h = receiver = null;
  });

  /** hookd on the test clock, a workspace, and a receiver that always answers 500. */
  async function setUp(dispatcher = true) {
    receiver = await startReceiver(() => ({ status: 500, body: 'down' }));
    h = await startHookd({}, { dispatcher, testClock: true, random: () => 0.5 });
    const ws = await h.workspace();
    const hookd = h;
    const url = receiver.url;
    return {
      hookd, key: ws.test,
      async create(body: Record<string, unknown>) {
        return hookd.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url, events: ['payment.*'], ...body } });
      },
      async created(body: Record<string, unknown>): Promise<EndpointJson> {
        const res = await hookd.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url, events: ['payment.*'], ...body } });
        expect(res.statusCode, res.body).toBe(201);
        return res.json() as EndpointJson;
      },
      async patch(id: string, body: unknown, contentType = 'application/merge-patch+json') {
        return hookd.call('PATCH', `/v1/webhooks/endpoints/${id}`, { key: ws.test, body, headers: { 'content-type': contentType } });
      },
      async publish(): Promise<{ accepted: number; event: string }> {
        const accepted = hookd.clock.now();
        const res = await hookd.call('POST', '/v1/events', { key: ws.test, body: { type: 'payment.succeeded', data: { object: { id: 'pa_1' } } } });
        expect(res.statusCode, res.body).toBe(201);
        return { accepted, event: (res.json() as { id: string }).id };
      },
      async deliveries(event: string): Promise<DeliveryJson[]> {
        return (await hookd.call('GET', `/v1/webhooks?event=${event}`, { key: ws.test })).json() as DeliveryJson[];
      },
    };
  }

  /**
   * The delivery once its `n`th attempt's result is written: ended, or due after that attempt.
   * The read of a delivery and of its attempts are two statements, so on PostgreSQL an attempt
   * can be seen before the delivery row that the same transaction moved on.
   */
  async function afterAttempts(deliveries: () => Promise<DeliveryJson[]>, n: number): Promise<DeliveryJson> {
    return untilValue(`the delivery's attempt ${n} written`, async () => {
      const [d] = await deliveries();
      if (!d || d.attempts.length !== n) return undefined;
      const last = at(d.attempts.at(-1)!.attempted);
      return d.status !== 'pending' || (d.next !== null && at(d.next.scheduled) > last) ? d : undefined;
    }, 10_000, 10);
  }

  const at = (iso: string) => Date.parse(iso);

  it('attempts exactly at its entries, then gives the delivery up', async () => {
    const t = await setUp();
    const ep = await t.created({ retry_schedule: ['0', '1s', '2s'] });
    expect(ep).toMatchObject({ retry_schedule: ['0', '1s', '2s'], retry_schedule_source: 'endpoint' });
    const { accepted, event } = await t.publish();
    const deliveries = () => t.deliveries(event);

    let d = await afterAttempts(deliveries, 1);
    const first = at(d.attempts[0]!.attempted);
    expect(first).toBe(accepted); // entry 0: no wait
    expect(at(d.next!.scheduled)).toBe(first + 1_000); // entry 1, not the platform's 5s
    t.hookd.clock.advance(1_000);

    d = await afterAttempts(deliveries, 2);
    const second = at(d.attempts.at(-1)!.attempted);
    expect(second - first).toBe(1_000);
    expect(at(d.next!.scheduled)).toBe(second + 2_000);
    t.hookd.clock.advance(2_000);

    d = await afterAttempts(deliveries, 3);
    const third = at(d.attempts.at(-1)!.attempted);
    expect(third - second).toBe(2_000);
    // The schedule is spent: given up on, though the platform's has five more entries.
    expect(d).toMatchObject({ status: 'failed', next: null });
    expect(receiver!.received).toHaveLength(3);
  });

  it('applies its entry 0 at publish, to its own deliveries only', async () => {
    const t = await setUp(false);
    const later = await t.created({ retry_schedule: ['1h', '1s'] });
    const platform = await t.created({});
    const { accepted, event } = await t.publish();
    const byEndpoint = new Map((await t.deliveries(event)).map((d) => [d.endpoint, d]));
    expect(byEndpoint.get(later.id)!.next).toEqual({ scheduled: new Date(accepted + 3_600_000).toISOString() });
    expect(byEndpoint.get(platform.id)!.next).toEqual({ scheduled: new Date(accepted).toISOString() });
  });

  it('null restores the platform schedule, which then times the retries', async () => {
    const t = await setUp();
    const ep = await t.created({ retry_schedule: ['0'] });
    const res = await t.patch(ep.id, { retry_schedule: null });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ retry_schedule: PLATFORM, retry_schedule_source: 'platform' });

    const { event } = await t.publish();
    const d = await afterAttempts(() => t.deliveries(event), 1);
    // ["0"] would have given up after one attempt; the platform's waits 5 s.
    expect(d.status).toBe('pending');
    expect(at(d.next!.scheduled) - at(d.attempts[0]!.attempted)).toBe(5_000);
  });

  it('shows the schedule in force, in one canonical form, on every read', async () => {
    const t = await setUp(false);
    const own = await t.created({ retry_schedule: ['0', '1.5s', '90s', '60m', '24h'] });
    expect(own).toMatchObject({ retry_schedule: ['0', '1500ms', '90s', '1h', '1d'], retry_schedule_source: 'endpoint' });
    const platform = await t.created({ retry_schedule: null });
    expect(platform).toMatchObject({ retry_schedule: PLATFORM, retry_schedule_source: 'platform' });

    const got = (await t.hookd.call('GET', `/v1/webhooks/endpoints/${own.id}`, { key: t.key })).json() as EndpointJson;
    expect(got).toMatchObject({ retry_schedule: ['0', '1500ms', '90s', '1h', '1d'], retry_schedule_source: 'endpoint' });
    const list = (await t.hookd.call('GET', '/v1/webhooks/endpoints', { key: t.key })).json() as EndpointJson[];
    expect(new Map(list.map((e) => [e.id, e.retry_schedule_source]))).toEqual(new Map([[own.id, 'endpoint'], [platform.id, 'platform']]));

    // A patch that leaves the field alone keeps the endpoint's own schedule.
    const res = await t.patch(own.id, { description: 'kept' });
    expect(res.json()).toMatchObject({ retry_schedule: ['0', '1500ms', '90s', '1h', '1d'], retry_schedule_source: 'endpoint' });
  });

  it.each([
    // A union with null: Ajv reports the failed branches as one rule (api/plugins/problem.ts).
    ['a string', '0,5s', { retry_schedule: ['is not any of the accepted forms'] }],
    ['an empty array', [], { retry_schedule: ['must not have fewer than 1 items', 'is not any of the accepted forms'] }],
    ['a negative duration', ['0', '-5s'], { 'retry_schedule.1': ['must be a duration such as 0, 500ms, 5s, 30m, 2h or 1d'] }],
    ['a bare number', ['0', '5'], { 'retry_schedule.1': ['must be a duration such as 0, 500ms, 5s, 30m, 2h or 1d'] }],
    ['a number, not a string', ['0', 5], { 'retry_schedule.1': ['must be string'] }],
    ['more entries than any bound', Array.from({ length: 101 }, () => '1s'), { retry_schedule: ['must not have more than 100 items', 'is not any of the accepted forms'] }],
  ])('refuses %s with a 400 naming the field', async (_what, value, errors) => {
    const t = await setUp(false);
    const res = await t.create({ retry_schedule: value });
    expect(res.statusCode, res.body).toBe(400);
    expect((res.json() as { errors: Record<string, string[]> }).errors).toMatchObject(errors);
    const ep = await t.created({});
    const patched = await t.patch(ep.id, { retry_schedule: value });
    expect(patched.statusCode, patched.body).toBe(400);
    expect((patched.json() as { errors: Record<string, string[]> }).errors).toMatchObject(errors);
  });

  it.each([
    ['more attempts than HOOKD_ENDPOINT_RETRY_MAX_ATTEMPTS', Array.from({ length: 21 }, () => '1s'), 'must have at most 20 entries, one per attempt (HOOKD_ENDPOINT_RETRY_MAX_ATTEMPTS); it has 21'],
    ['a span past HOOKD_ENDPOINT_RETRY_MAX_SPAN', ['0', '5d', '2d', '1s'], 'must add up to at most 7d (HOOKD_ENDPOINT_RETRY_MAX_SPAN); it adds up to 604801s'],
  ])('refuses %s with a 422 naming the bound', async (_what, value, rule) => {
    const t = await setUp(false);
    const res = await t.create({ retry_schedule: value });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ errors: { retry_schedule: [rule] } });
    const ep = await t.created({});
    const patched = await t.patch(ep.id, { retry_schedule: value });
    expect(patched.statusCode, patched.body).toBe(422);
    expect(patched.json()).toMatchObject({ errors: { retry_schedule: [rule] } });
    // Exactly at the bounds is allowed.
    expect((await t.create({ retry_schedule: ['0', '5d', '2d'] })).statusCode).toBe(201);
  });

  it('is changed by JSON Patch over the schedule GET shows', async () => {
    const t = await setUp(false);
    const ep = await t.created({});
    let res = await t.patch(ep.id, [{ op: 'replace', path: '/retry_schedule/1', value: '10s' }], 'application/json-patch+json');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ retry_schedule: ['0', '10s', ...PLATFORM.slice(2)], retry_schedule_source: 'endpoint' });
    res = await t.patch(ep.id, [{ op: 'replace', path: '/retry_schedule/1', value: '-1s' }], 'application/json-patch+json');
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ errors: { 'retry_schedule.1': ['must be a duration such as 0, 500ms, 5s, 30m, 2h or 1d'] } });
    res = await t.patch(ep.id, [{ op: 'remove', path: '/retry_schedule' }], 'application/json-patch+json');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ retry_schedule: PLATFORM, retry_schedule_source: 'platform' });
  });
});

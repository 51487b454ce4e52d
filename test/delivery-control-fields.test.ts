/**
 * An endpoint's `ordering` and `rate_limit` (docs/delivery.md, "Ordered endpoints" and
 * "Throttles") as the API takes them, on both stores: set on create, by merge patch and by JSON
 * Patch, shown by GET, and refused with a 400 problem that names the field and its rule in words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';

interface EndpointJson { id: string; ordering: string; rate_limit: number | null }
interface Problem { status: number; errors: Record<string, string[]> }

const ORDERING_RULE = 'must be one of: unordered, fifo';
const RATE_LIMIT_RULE = 'must be a whole number from 1 to 10000 (deliveries per second), or null for no limit';

describe("an endpoint's ordering and rate limit", () => {
  let h: TestHookd;
  let key: string;
  beforeAll(async () => {
    h = await startHookd();
    key = (await h.workspace()).test;
  });
  afterAll(async () => h.close());

  const create = (body: Record<string, unknown>) =>
    h.call('POST', '/v1/webhooks/endpoints', { key, body: { url: 'https://example.com/hooks', events: ['*'], ...body } });
  async function created(body: Record<string, unknown> = {}): Promise<EndpointJson> {
    const res = await create(body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as EndpointJson;
  }
  const patch = (id: string, body: unknown, contentType = 'application/merge-patch+json') =>
    h.call('PATCH', `/v1/webhooks/endpoints/${id}`, { key, body, headers: { 'content-type': contentType } });
  const get = async (id: string) => (await h.call('GET', `/v1/webhooks/endpoints/${id}`, { key })).json() as EndpointJson;

  it('defaults to unordered with no limit, and shows what was set', async () => {
    const plain = await created();
    expect(plain).toMatchObject({ ordering: 'unordered', rate_limit: null });
    const fifo = await created({ ordering: 'fifo', rate_limit: 1 });
    expect(fifo).toMatchObject({ ordering: 'fifo', rate_limit: 1 });
    expect(await get(fifo.id)).toMatchObject({ ordering: 'fifo', rate_limit: 1 });
    const explicit = await created({ ordering: 'unordered', rate_limit: 10_000 });
    expect(await get(explicit.id)).toMatchObject({ ordering: 'unordered', rate_limit: 10_000 });
    expect(await created({ rate_limit: null })).toMatchObject({ rate_limit: null });
    const list = (await h.call('GET', '/v1/webhooks/endpoints', { key })).json() as EndpointJson[];
    expect(list.find((e) => e.id === fifo.id)).toMatchObject({ ordering: 'fifo', rate_limit: 1 });
  });

  it('changes both by merge patch, absent fields staying and null clearing the limit', async () => {
    const ep = await created();
    let res = await patch(ep.id, { ordering: 'fifo', rate_limit: 250 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ ordering: 'fifo', rate_limit: 250 });
    res = await patch(ep.id, { description: 'unrelated' });
    expect(res.json()).toMatchObject({ ordering: 'fifo', rate_limit: 250 });
    res = await patch(ep.id, { rate_limit: null });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ ordering: 'fifo', rate_limit: null });
    res = await patch(ep.id, { ordering: 'unordered' }, 'application/json');
    expect(res.statusCode, res.body).toBe(200);
    expect(await get(ep.id)).toMatchObject({ ordering: 'unordered', rate_limit: null });
  });

  it('changes both by JSON Patch', async () => {
    const ep = await created();
    let res = await patch(ep.id, [{ op: 'replace', path: '/ordering', value: 'fifo' }, { op: 'replace', path: '/rate_limit', value: 40 }], 'application/json-patch+json');
    expect(res.statusCode, res.body).toBe(200);
    expect(await get(ep.id)).toMatchObject({ ordering: 'fifo', rate_limit: 40 });
    res = await patch(ep.id, [{ op: 'test', path: '/rate_limit', value: 40 }, { op: 'remove', path: '/rate_limit' }], 'application/json-patch+json');
    expect(res.statusCode, res.body).toBe(200);
    expect(await get(ep.id)).toMatchObject({ ordering: 'fifo', rate_limit: null });
    res = await patch(ep.id, [{ op: 'replace', path: '/rate_limit', value: 0 }], 'application/json-patch+json');
    expect(res.statusCode, res.body).toBe(400);
    expect((res.json() as Problem).errors).toEqual({ rate_limit: [RATE_LIMIT_RULE] });
    res = await patch(ep.id, [{ op: 'replace', path: '/ordering', value: 'lifo' }], 'application/json-patch+json');
    expect(res.statusCode, res.body).toBe(400);
    expect((res.json() as Problem).errors).toEqual({ ordering: [ORDERING_RULE] });
    // `ordering` has no "none": removing it is refused as null is.
    res = await patch(ep.id, [{ op: 'remove', path: '/ordering' }], 'application/json-patch+json');
    expect(res.statusCode, res.body).toBe(400);
    expect((res.json() as Problem).errors).toEqual({ ordering: [ORDERING_RULE] });
    expect(await get(ep.id)).toMatchObject({ ordering: 'fifo', rate_limit: null });
  });

  it.each([
    ['ordering', 'FIFO', ORDERING_RULE],
    ['ordering', 'lifo', ORDERING_RULE],
    ['ordering', 1, ORDERING_RULE],
    ['ordering', null, ORDERING_RULE],
    ['rate_limit', 0, RATE_LIMIT_RULE],
    ['rate_limit', -1, RATE_LIMIT_RULE],
    ['rate_limit', 1.5, RATE_LIMIT_RULE],
    ['rate_limit', 10_001, RATE_LIMIT_RULE],
    ['rate_limit', '10', RATE_LIMIT_RULE],
  ])('refuses %s %j with a 400 naming the field and the rule', async (field, value, rule) => {
    const res = await create({ [field]: value });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 400, type: 'urn:hookd:problem:validation_failed' });
    expect((res.json() as Problem).errors).toEqual({ [field]: [rule] });
    const ep = await created({ ordering: 'fifo', rate_limit: 5 });
    const patched = await patch(ep.id, { [field]: value });
    expect(patched.statusCode, patched.body).toBe(400);
    expect((patched.json() as Problem).errors).toEqual({ [field]: [rule] });
    expect(await get(ep.id)).toMatchObject({ ordering: 'fifo', rate_limit: 5 });
  });
});

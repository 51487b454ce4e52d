/**
 * Falu's Python SDK (faluapp/falu-python) against hookd, request by request, as `requests`
 * writes them (docs/api.md, "Falu's SDKs"). falu/client/api_client.py (build_headers) sends
 * `Authorization: Bearer <key>`, `X-Falu-Version: 2022-09-01`, `Content-type: application/json`
 * (that casing, on every request, a GET's and a DELETE's too), `Accept: application/json`,
 * `X-Idempotency-Key`/`X-Workspace-Id` when given, and `X-Live-Mode: False` (`str(False)`) on
 * every request; `requests` adds its User-Agent, Accept-Encoding and Connection before them, and
 * Content-Length after (0 on a DELETE). Bodies are `json.dumps` (", " and ": " separators);
 * updates are falu/client/json_patch_document.py's operations, `value: null` written out.
 *
 * The endpoint fixtures use the plural path Falu serves: the falu-python versions read name it
 * `/webhooks/endpoint` (falu/services/webhook_endpoints.py), which Falu's server does not
 * route as endpoints either; hookd reads it as a delivery id and answers 400 (see that test).
 */
import { describe, expect, it } from 'vitest';
import { publish, sdkServer, type RawRequest } from './raw-http.js';

const s = sdkServer();

function python(method: string, target: string, body?: string, idempotencyKey?: string): RawRequest {
  const headers: [string, string][] = [
    ['User-Agent', 'python-requests/2.31.0'], ['Accept-Encoding', 'gzip, deflate'], ['Accept', 'application/json'], ['Connection', 'keep-alive'],
    ['Authorization', `Bearer ${s.ws.test}`], ['X-Falu-Version', '2022-09-01'], ['Content-type', 'application/json'],
  ];
  if (idempotencyKey !== undefined) headers.push(['X-Idempotency-Key', idempotencyKey]);
  headers.push(['X-Live-Mode', 'False']);
  if (body !== undefined) headers.push(['Content-Length', String(Buffer.byteLength(body))]);
  else if (method !== 'GET') headers.push(['Content-Length', '0']);
  return { method, target, headers, body };
}

interface Endpoint { id: string; url: string; events: string[]; description: string | null; status: string; metadata: Record<string, string> }

describe("Falu's Python SDK: webhook endpoints (falu/services/webhook_endpoints.py)", () => {
  let id = '';

  it('create: a json.dumps body with X-Live-Mode: False is 201', async () => {
    const res = await s.send(python('POST', '/v1/webhooks/endpoints', '{"url": "https://example.com/hooks/py", "events": ["customer.created"], "description": "Python"}', 'py-create-1'));
    expect(res.status, res.body).toBe(201);
    const e = res.json<Endpoint>();
    expect(e).toMatchObject({ url: 'https://example.com/hooks/py', events: ['customer.created'], description: 'Python', live: false });
    id = e.id;
  });

  it('list and get: GET with Content-type: application/json and no body', async () => {
    const list = await s.send(python('GET', '/v1/webhooks/endpoints'));
    expect(list.status, list.body).toBe(200);
    expect(list.json<Endpoint[]>().map((e) => e.id)).toEqual([id]);
    const one = await s.send(python('GET', `/v1/webhooks/endpoints/${id}`));
    expect(one.status, one.body).toBe(200);
    expect(one.json<Endpoint>().id).toBe(id);
  });

  it('update: JsonPatchDocument operations (op, path, value), an explicit null clearing a field', async () => {
    const res = await s.send(python('PATCH', `/v1/webhooks/endpoints/${id}`,
      '[{"op": "add", "path": "/metadata/owner", "value": "py-team"}, {"op": "replace", "path": "/description", "value": null}]'));
    expect(res.status, res.body).toBe(200);
    expect(res.json<Endpoint>()).toMatchObject({ description: null, metadata: { owner: 'py-team' } });
  });

  it('update with move or copy: the SDK writes `_from`, not `from`, so the operation is refused (400 naming 0.from), as on Falu', async () => {
    const res = await s.send(python('PATCH', `/v1/webhooks/endpoints/${id}`, '[{"op": "copy", "path": "/description", "_from": "/url"}]'));
    expect(res.status, res.body).toBe(400);
    expect(res.json<{ errors: Record<string, string[]> }>().errors).toHaveProperty(['0.from']);
  });

  it('an error: response.json() of the problem holds title, detail, errors and traceId', async () => {
    const res = await s.send(python('POST', '/v1/webhooks/endpoints', '{"url": "ftp://example.com/", "events": ["customer.created"]}'));
    expect(res.status, res.body).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, errors: { url: expect.any(Array) } });
    expect(res.json()).toHaveProperty('title');
    expect(res.json()).toHaveProperty('traceId', res.headers['x-request-id']);
  });

  it('delete: Content-type: application/json with Content-Length: 0 is no body, and 204', async () => {
    const res = await s.send(python('DELETE', `/v1/webhooks/endpoints/${id}`));
    expect(res.status, res.body).toBe(204);
  });

  it('the singular /v1/webhooks/endpoint of the SDK versions read is /v1/webhooks/{id} (a delivery): a 400 naming id, never an endpoint list', async () => {
    const res = await s.send(python('GET', '/v1/webhooks/endpoint'));
    expect(res.status, res.body).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json<{ errors: Record<string, string[]> }>().errors).toHaveProperty(['id']);
  });
});

describe("Falu's Python SDK: events (falu/services/events.py)", () => {
  it('get_events and get_event: GET /v1/events and /v1/events/{id}', async () => {
    const id = await publish(s, 'customer.created', { id: 'cus_py' });
    const list = await s.send(python('GET', '/v1/events'));
    expect(list.status, list.body).toBe(200);
    expect(list.json<{ id: string }[]>().map((e) => e.id)).toContain(id);
    const one = await s.send(python('GET', `/v1/events/${id}`));
    expect(one.status, one.body).toBe(200);
    expect(one.json()).toMatchObject({ id, type: 'customer.created', data: { object: { id: 'cus_py' } }, live: false });
  });
});
